//! The local host through sysinfo. sysinfo reads /proc synchronously, so each poll
//! runs on the blocking pool and never holds up the async workers.

use super::{unix_now, Source, Update};
use crate::model::{DiskUsage, HostSnapshot, NetRate};
use std::collections::HashSet;
use std::time::Instant;
use sysinfo::{Disks, Networks, System};

pub struct HostSource {
    target: String,
    state: Option<Box<HostState>>,
}

struct HostState {
    system: System,
    disks: Disks,
    networks: Networks,
    last_net: Instant,
}

/// Pseudo and container-plumbing filesystems that say nothing about free space.
const IGNORED_FS: &[&str] = &[
    "proc",
    "sysfs",
    "devtmpfs",
    "devpts",
    "tmpfs",
    "cgroup",
    "cgroup2",
    "mqueue",
    "squashfs",
    "nsfs",
    "overlay-ro",
    "fuse.snapfuse",
    "tracefs",
    "debugfs",
    "securityfs",
    "pstore",
    "autofs",
];

impl HostSource {
    pub fn new(target: impl Into<String>) -> Self {
        HostSource {
            target: target.into(),
            state: None,
        }
    }

    fn open() -> Result<HostState, String> {
        let mut system = System::new().map_err(|e| format!("cannot read host statistics: {e}"))?;
        // CPU usage is a difference between two readings; take the first one now.
        system.refresh_cpu_usage();
        Ok(HostState {
            system,
            disks: Disks::new_with_refreshed_list()
                .map_err(|e| format!("cannot list disks: {e}"))?,
            networks: Networks::new_with_refreshed_list()
                .map_err(|e| format!("cannot list networks: {e}"))?,
            last_net: Instant::now(),
        })
    }
}

impl HostState {
    fn read(&mut self) -> HostSnapshot {
        self.system.refresh_cpu_usage();
        self.system.refresh_memory();
        self.disks.refresh(true);
        self.networks.refresh(true);
        let elapsed = self.last_net.elapsed().as_secs_f64().max(1e-3);
        self.last_net = Instant::now();

        let load = System::load_average()
            .map(|l| [l.one, l.five, l.fifteen])
            .unwrap_or_default();
        let mut seen = HashSet::new();
        let mut disks: Vec<DiskUsage> = self
            .disks
            .iter()
            .filter(|d| d.total_space() > 0)
            .filter(|d| !IGNORED_FS.contains(&d.file_system().to_string_lossy().as_ref()))
            .filter(|d| seen.insert(d.mount_point().to_path_buf()))
            .map(|d| DiskUsage {
                mount: d.mount_point().to_string_lossy().into_owned(),
                filesystem: d.file_system().to_string_lossy().into_owned(),
                total_bytes: d.total_space(),
                used_bytes: d.total_space().saturating_sub(d.available_space()),
            })
            .collect();
        disks.sort_by(|a, b| a.mount.cmp(&b.mount));
        let mut networks: Vec<NetRate> = self
            .networks
            .iter()
            .filter(|(name, _)| name.as_os_str() != "lo")
            .map(|(name, data)| NetRate {
                interface: name.to_string_lossy().into_owned(),
                rx_bytes_per_sec: data.received() as f64 / elapsed,
                tx_bytes_per_sec: data.transmitted() as f64 / elapsed,
            })
            .collect();
        networks.sort_by(|a, b| a.interface.cmp(&b.interface));
        HostSnapshot {
            hostname: System::host_name().unwrap_or_else(|_| "localhost".into()),
            os: System::long_os_version().unwrap_or_default(),
            uptime_secs: System::uptime().unwrap_or(0),
            cpu_percent: self.system.global_cpu_usage() as f64,
            cpu_per_core: self
                .system
                .cpus()
                .iter()
                .map(|c| c.usage() as f64)
                .collect(),
            mem_total_bytes: self.system.total_memory(),
            mem_used_bytes: self.system.used_memory(),
            swap_total_bytes: self.system.total_swap(),
            swap_used_bytes: self.system.used_swap(),
            load,
            disks,
            networks,
        }
    }
}

impl Source for HostSource {
    fn target(&self) -> &str {
        &self.target
    }

    async fn poll(&mut self) -> Result<Vec<Update>, String> {
        let state = self.state.take();
        let first = state.is_none();
        let joined = tokio::task::spawn_blocking(move || {
            let mut state = match state {
                Some(s) => s,
                None => Box::new(HostSource::open()?),
            };
            if first {
                // The first CPU figure needs a short interval after the opening reading.
                std::thread::sleep(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL);
            }
            let snapshot = state.read();
            Ok::<_, String>((state, snapshot))
        })
        .await
        .map_err(|e| format!("host reader stopped: {e}"))?;
        let (state, snapshot) = joined?;
        self.state = Some(state);
        Ok(vec![Update::Host {
            target: self.target.clone(),
            at: unix_now(),
            snapshot: Box::new(snapshot),
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_this_machine() {
        let mut src = HostSource::new("local");
        let updates = src.poll().await.unwrap();
        let Update::Host { snapshot, .. } = &updates[0] else {
            panic!("{updates:?}")
        };
        assert!(snapshot.mem_total_bytes > 0);
        assert!(snapshot.mem_used_bytes <= snapshot.mem_total_bytes);
        assert_eq!(
            snapshot.cpu_per_core.len(),
            std::thread::available_parallelism().unwrap().get()
        );
        assert!((0.0..=100.0).contains(&snapshot.cpu_percent));
        assert!(
            snapshot.disks.iter().any(|d| d.mount == "/"),
            "{:?}",
            snapshot.disks
        );
        // A second poll reuses the readers.
        assert_eq!(src.poll().await.unwrap().len(), 1);
    }
}
