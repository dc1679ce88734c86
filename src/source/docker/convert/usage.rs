//! Stats readings become `Usage` the way `docker stats` computes it, so the
//! numbers on screen match what an engineer sees in their own terminal.

use crate::model::Usage;
use bollard::models::{ContainerBlkioStats, ContainerCpuStats, ContainerStatsResponse};

/// CPU as percent of one core, from the reading's own `precpu_stats` (the
/// engine's previous sample): (container delta / system delta) × cpus × 100.
pub fn cpu_percent(s: &ContainerStatsResponse) -> f64 {
    let (Some(cur), Some(pre)) = (&s.cpu_stats, &s.precpu_stats) else {
        return 0.0;
    };
    let total = |c: &ContainerCpuStats| c.cpu_usage.as_ref().and_then(|u| u.total_usage);
    let (Some(cur_total), Some(cur_system)) = (total(cur), cur.system_cpu_usage) else {
        return 0.0;
    };
    // The first reading of a stream has no previous sample: nothing to compare yet.
    let (Some(pre_total), Some(pre_system)) = (total(pre), pre.system_cpu_usage) else {
        return 0.0;
    };
    let cpu_delta = cur_total.saturating_sub(pre_total) as f64;
    let system_delta = cur_system.saturating_sub(pre_system) as f64;
    if cpu_delta <= 0.0 || system_delta <= 0.0 {
        return 0.0;
    }
    // Engines before API 1.27 sent no online_cpus; the per-CPU list stands in.
    let cpus = cur
        .online_cpus
        .filter(|n| *n > 0)
        .map(f64::from)
        .unwrap_or_else(|| {
            cur.cpu_usage
                .as_ref()
                .and_then(|u| u.percpu_usage.as_ref())
                .map_or(0.0, |p| p.len() as f64)
        });
    cpu_delta / system_delta * cpus * 100.0
}

/// Memory in use without the page cache the kernel can drop: cgroup v2's
/// `inactive_file`, v1's `total_inactive_file`, as the docker CLI subtracts.
pub fn mem_bytes(s: &ContainerStatsResponse) -> u64 {
    let Some(m) = &s.memory_stats else { return 0 };
    let usage = m.usage.unwrap_or(0);
    let stat = |k: &str| m.stats.as_ref().and_then(|st| st.get(k)).copied();
    // The CLI's order: v1's figure when it is smaller than usage, else v2's.
    match (stat("total_inactive_file"), stat("inactive_file")) {
        (Some(v1), _) if v1 < usage => usage - v1,
        (_, Some(v2)) if v2 < usage => usage - v2,
        _ => usage,
    }
}

/// The limit as `docker stats` shows it: without a limit of its own the engine
/// reports the host's memory (`Container::with_usage` turns that into 0).
pub fn mem_limit_bytes(s: &ContainerStatsResponse) -> u64 {
    const UNLIMITED_ABOVE: u64 = 1 << 62;
    match s.memory_stats.as_ref().and_then(|m| m.limit) {
        Some(l) if l < UNLIMITED_ABOVE => l,
        _ => 0,
    }
}

/// Counters summed over interfaces: (rx bytes, tx bytes).
pub fn net_bytes(s: &ContainerStatsResponse) -> (u64, u64) {
    s.networks
        .iter()
        .flatten()
        .fold((0, 0), |(rx, tx), (_, n)| {
            (rx + n.rx_bytes.unwrap_or(0), tx + n.tx_bytes.unwrap_or(0))
        })
}

/// Block I/O counters: (read bytes, write bytes). cgroup v1 spells the ops
/// `Read`/`Write`, v2 `read`/`write`.
pub fn blk_bytes(s: &ContainerStatsResponse) -> (u64, u64) {
    let entries = s
        .blkio_stats
        .as_ref()
        .and_then(|b: &ContainerBlkioStats| b.io_service_bytes_recursive.as_ref());
    entries.iter().copied().flatten().fold((0, 0), |(r, w), e| {
        let v = e.value.unwrap_or(0);
        match e.op.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("read") => (r + v, w),
            Some("write") => (r, w + v),
            _ => (r, w),
        }
    })
}

/// The reading's timestamp in unix nanoseconds.
fn read_nanos(s: &ContainerStatsResponse) -> Option<i64> {
    s.read.as_deref().and_then(super::instance::unix_nanos)
}

/// Usage from the latest reading; rates (network, block I/O) need the reading
/// before it and are zero without one, or when a counter went backwards (a restart).
pub fn usage(latest: &ContainerStatsResponse, previous: Option<&ContainerStatsResponse>) -> Usage {
    let mut u = Usage {
        cpu_percent: cpu_percent(latest),
        mem_bytes: mem_bytes(latest),
        mem_limit_bytes: mem_limit_bytes(latest),
        ..Usage::default()
    };
    let Some(prev) = previous else { return u };
    let (Some(t1), Some(t0)) = (read_nanos(latest), read_nanos(prev)) else {
        return u;
    };
    let secs = (t1 - t0) as f64 / 1e9;
    if secs <= 0.0 {
        return u;
    }
    let rate = |now: u64, before: u64| now.checked_sub(before).map_or(0.0, |d| d as f64 / secs);
    let (rx1, tx1) = net_bytes(latest);
    let (rx0, tx0) = net_bytes(prev);
    let (r1, w1) = blk_bytes(latest);
    let (r0, w0) = blk_bytes(prev);
    u.net_rx_bytes_per_sec = rate(rx1, rx0);
    u.net_tx_bytes_per_sec = rate(tx1, tx0);
    u.blk_read_bytes_per_sec = rate(r1, r0);
    u.blk_write_bytes_per_sec = rate(w1, w0);
    u
}
