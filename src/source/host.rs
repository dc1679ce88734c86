//! The local host through sysinfo. sysinfo reads /proc synchronously, so each poll
//! runs on the blocking pool and never holds up the async workers.

use super::{net_dev, Source, Update};
use crate::base::time::unix_now;
use crate::model::{DiskUsage, HostSnapshot, NetRate};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use sysinfo::{Disk, DiskRefreshKind, Disks, System};

pub struct HostSource {
    target: String,
    state: Option<Box<HostState>>,
}

struct HostState {
    system: System,
    disks: Disks,
    /// When the mount list was last read; usage is read every poll, the list rarely.
    disks_listed: Instant,
    /// Byte counters at the last reading, for rates.
    net: HashMap<String, (u64, u64)>,
    last_net: Instant,
}

/// Mounts change rarely; a Docker host has one overlay mount per container, so
/// re-reading the list every poll would cost more than everything else.
const RELIST_DISKS: Duration = Duration::from_secs(60);

fn is_shown_disk(d: &Disk) -> bool {
    d.total_space() > 0 && !IGNORED_FS.contains(&d.file_system().to_string_lossy().as_ref())
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
    "overlay",
    "overlay-ro",
    "fuse.lxcfs",
    "fuse.fuse-overlayfs",
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
            disks_listed: Instant::now(),
            net: read_net_counters(),
            last_net: Instant::now(),
        })
    }
}

impl HostState {
    fn read(&mut self) -> HostSnapshot {
        self.system.refresh_cpu_usage();
        self.system.refresh_memory();
        if self.disks_listed.elapsed() >= RELIST_DISKS {
            self.disks.refresh(true);
            self.disks_listed = Instant::now();
        } else {
            let space_only = DiskRefreshKind::nothing().with_storage();
            for d in self.disks.iter_mut().filter(|d| is_shown_disk(d)) {
                d.refresh_specifics(space_only);
            }
        }
        let elapsed = self.last_net.elapsed().as_secs_f64().max(1e-3);
        self.last_net = Instant::now();
        let counters = read_net_counters();

        let load = System::load_average()
            .map(|l| [l.one, l.five, l.fifteen])
            .unwrap_or_default();
        // One row per filesystem: a device mounted twice (a bind mount such as
        // /var/lib/docker) shows once, at its shortest mount path.
        let mut shown: Vec<&Disk> = self.disks.iter().filter(|d| is_shown_disk(d)).collect();
        shown.sort_by_key(|d| d.mount_point().as_os_str().len());
        let mut seen = HashSet::new();
        let mut disks: Vec<DiskUsage> = shown
            .into_iter()
            .filter(|d| {
                let device = d.name().to_string_lossy();
                let key = if device.starts_with("/dev/") {
                    device.into_owned()
                } else {
                    d.mount_point().to_string_lossy().into_owned()
                };
                seen.insert(key)
            })
            .map(|d| DiskUsage {
                mount: d.mount_point().to_string_lossy().into_owned(),
                filesystem: d.file_system().to_string_lossy().into_owned(),
                total_bytes: d.total_space(),
                used_bytes: d.total_space().saturating_sub(d.available_space()),
            })
            .collect();
        disks.sort_by(|a, b| a.mount.cmp(&b.mount));
        let mut networks: Vec<NetRate> = counters
            .iter()
            .filter_map(|(name, &(rx, tx))| {
                let &(rx0, tx0) = self.net.get(name)?;
                Some(NetRate {
                    interface: name.clone(),
                    // A counter that went down (interface re-created) restarts from zero.
                    rx_bytes_per_sec: rx.checked_sub(rx0).unwrap_or(rx) as f64 / elapsed,
                    tx_bytes_per_sec: tx.checked_sub(tx0).unwrap_or(tx) as f64 / elapsed,
                })
            })
            .collect();
        self.net = counters;
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

/// The shown interfaces' byte counters; an unreadable table reads as none.
fn read_net_counters() -> HashMap<String, (u64, u64)> {
    let text = std::fs::read_to_string("/proc/net/dev").unwrap_or_default();
    net_dev::parse(&text)
        .into_iter()
        .filter(|(name, _, _)| net_dev::is_shown(name))
        .map(|(name, rx, tx)| (name, (rx, tx)))
        .collect()
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
