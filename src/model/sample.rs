//! A deterministic Model (a busy host with history) for view snapshots and
//! render benchmarks, so both draw exactly the same thing on every machine.

use super::{DiskUsage, HostSnapshot, Model, NetRate, TargetKind};
use crate::source::Update;
use std::time::Duration;

const GIB: u64 = 1024 * 1024 * 1024;

/// A host with `cores` cores sampled every 2 s for `history_secs`, ending at `now`.
pub fn sample_model(now: i64, cores: usize, history_secs: i64) -> Model {
    let mut model = Model::new(Duration::from_secs(2), false);
    model.add_target("local", TargetKind::Host);
    let start = now - history_secs;
    let mut t = start;
    while t <= now {
        let phase = (t - start) as f64 / 60.0;
        model.apply(Update::Host {
            target: "local".into(),
            at: t,
            snapshot: Box::new(snapshot(phase, cores)),
        });
        t += 2;
    }
    model
}

fn snapshot(phase: f64, cores: usize) -> HostSnapshot {
    // A smooth wave plus a rising trend: enough shape to see charts move.
    let wave = |offset: f64| 50.0 + 40.0 * (phase + offset).sin();
    let per_core: Vec<f64> = (0..cores).map(|i| wave(i as f64 * 0.7)).collect();
    HostSnapshot {
        hostname: "web-1".into(),
        os: "Linux (Debian GNU/Linux 12)".into(),
        uptime_secs: 3 * 86400 + 7200,
        cpu_percent: per_core.iter().sum::<f64>() / cores.max(1) as f64,
        cpu_per_core: per_core,
        mem_total_bytes: 16 * GIB,
        mem_used_bytes: (9.0 * GIB as f64 + 2.0 * GIB as f64 * (phase / 3.0).sin().abs()) as u64,
        swap_total_bytes: 2 * GIB,
        swap_used_bytes: GIB / 8,
        load: [1.2 + phase.sin().abs(), 1.1, 0.9],
        disks: vec![
            DiskUsage {
                mount: "/".into(),
                filesystem: "ext4".into(),
                total_bytes: 100 * GIB,
                used_bytes: 62 * GIB,
            },
            DiskUsage {
                mount: "/boot".into(),
                filesystem: "vfat".into(),
                total_bytes: GIB / 2,
                used_bytes: GIB / 2 * 19 / 20,
            },
            DiskUsage {
                mount: "/var/lib/postgresql".into(),
                filesystem: "xfs".into(),
                total_bytes: 500 * GIB,
                used_bytes: 430 * GIB,
            },
        ],
        networks: vec![
            NetRate {
                interface: "eth0".into(),
                rx_bytes_per_sec: 2.0e6 * (1.0 + phase.sin()),
                tx_bytes_per_sec: 5.0e5,
            },
            NetRate {
                interface: "docker0".into(),
                rx_bytes_per_sec: 1.0e4,
                tx_bytes_per_sec: 2.0e4,
            },
        ],
    }
}
