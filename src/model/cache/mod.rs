//! A `[[redis]]` target's reading: what `INFO` said, the rates between two
//! readings, the client's round trips, `LATENCY LATEST` and the slow log;
//! and the `redis:NAME:*` series it feeds.

pub mod http;
pub mod info;
mod rates;

pub use info::Info;
pub use rates::{rates, Counters, Rates};
use serde::Serialize;

/// The hit ratio a cache doing its job stays above; below it after being
/// above is CacheHitRatioLow.
pub const WARM_HIT_RATIO: f64 = 0.8;
/// Memory used against `maxmemory` from which the server counts as full.
pub const AT_MAXMEMORY: f64 = 0.9;
/// How far back a slow-log entry counts as recent.
pub const RECENT_SLOW_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Persistence {
    /// Unix seconds of the last successful RDB save (the start time when none).
    pub rdb_last_save_time: Option<i64>,
    pub rdb_changes_since_last_save: i64,
    pub rdb_bgsave_in_progress: bool,
    pub rdb_last_bgsave_ok: bool,
    pub aof_enabled: bool,
    pub aof_rewrite_in_progress: bool,
    pub aof_last_write_ok: bool,
    pub aof_last_bgrewrite_ok: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplicaLink {
    pub addr: String,
    pub state: String,
    /// Seconds since the replica last acknowledged.
    pub lag_secs: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum Replication {
    Primary {
        replicas: Vec<ReplicaLink>,
    },
    Replica {
        primary: String,
        link_up: bool,
        /// Seconds since the primary last spoke, while the link is up.
        last_io_secs: Option<i64>,
        link_down_secs: Option<i64>,
        sync_in_progress: bool,
    },
}

impl Replication {
    /// The worst replica's seconds since it acknowledged, on a primary that
    /// has replicas; on a replica, the seconds its link has been down.
    pub fn lag_secs(&self) -> Option<f64> {
        match self {
            Replication::Primary { replicas } => replicas
                .iter()
                .filter_map(|r| r.lag_secs)
                .max()
                .map(|s| s as f64),
            Replication::Replica {
                link_up,
                link_down_secs,
                ..
            } => (!link_up).then_some(link_down_secs.unwrap_or(0) as f64),
        }
    }
}

/// Nearest-rank percentiles of the client's round trips, in seconds, over
/// the last readings; None before any answered.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct RoundTrip {
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
}

/// `LATENCY LATEST`: what the server's own latency monitor recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum LatencyMonitor {
    /// `latency-monitor-threshold` is 0: the server records nothing.
    Off,
    On {
        threshold_ms: u64,
        events: Vec<LatencyEvent>,
    },
    /// CONFIG GET or LATENCY LATEST refused (renamed, ACL): not "no spikes".
    Unreadable { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencyEvent {
    pub event: String,
    /// Unix seconds of the latest spike.
    pub at: i64,
    pub latest_ms: u64,
    pub max_ms: u64,
}

/// One `SLOWLOG GET` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlowEntry {
    pub id: i64,
    /// Unix seconds when it ran.
    pub at: i64,
    pub micros: i64,
    /// The command and its arguments, shortened; secrets scrubbed.
    pub command: String,
    pub client: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CacheSnapshot {
    /// `user@host:port/db`, with `rediss` when over TLS; never the password.
    pub endpoint: String,
    pub info: Info,
    /// Since the reading before; None on the first reading or across a restart.
    pub rates: Option<Rates>,
    pub ping: RoundTrip,
    pub info_round_trip: RoundTrip,
    pub latency: LatencyMonitor,
    /// The newest entries first; Err when the server refused SLOWLOG.
    pub slowlog: Result<Vec<SlowEntry>, String>,
    /// The hit ratio has been at least [`WARM_HIT_RATIO`] at some reading
    /// since opsdeck started watching.
    pub was_warm: bool,
    /// Unix seconds of the reading, to tell recent slow-log entries.
    pub at: i64,
}

impl CacheSnapshot {
    /// Memory used against `maxmemory`; None when no limit is set.
    pub fn mem_ratio(&self) -> Option<f64> {
        (self.info.maxmemory > 0).then(|| self.info.used_memory as f64 / self.info.maxmemory as f64)
    }

    /// Evictions per second while memory is at `maxmemory` (0 when it is
    /// not, or nothing is evicted); None without rates.
    pub fn evicting(&self) -> Option<f64> {
        let rates = self.rates.as_ref()?;
        let full = self.mem_ratio().is_some_and(|r| r >= AT_MAXMEMORY);
        Some(if full { rates.evictions_per_sec } else { 0.0 })
    }

    /// The `redis:NAME:*` series; a figure that could not be had is absent, never 0.
    pub fn series(&self, name: &str) -> Vec<(String, f64)> {
        let key = |m: &str| format!("redis:{name}:{m}");
        let mut out = vec![
            (key("up"), 1.0),
            (key("mem_used_bytes"), self.info.used_memory as f64),
            (key("clients"), self.info.connected_clients as f64),
            (key("blocked_clients"), self.info.blocked_clients as f64),
            (key("keys"), self.info.keys as f64),
        ];
        if let Some(r) = self.mem_ratio() {
            out.push((key("mem_ratio"), r));
        }
        if let Some(r) = &self.rates {
            out.push((key("evictions_per_sec"), r.evictions_per_sec));
            out.push((key("expirations_per_sec"), r.expirations_per_sec));
            out.push((key("ops_per_sec"), r.ops_per_sec));
            if let Some(h) = r.hit_ratio {
                out.push((key("hit_ratio"), h));
                if self.was_warm {
                    out.push((key("hit_ratio_since_warm"), h));
                }
            }
        }
        if let Some(e) = self.evicting() {
            out.push((key("evicting"), e));
        }
        // Of the entries read (the newest), those of the last five minutes.
        if let Ok(entries) = &self.slowlog {
            let recent = entries
                .iter()
                .filter(|e| e.at >= self.at - RECENT_SLOW_SECS)
                .count();
            out.push((key("slow_commands"), recent as f64));
        }
        for (m, v) in [
            ("latency_p50", self.ping.p50),
            ("latency_p95", self.ping.p95),
            ("latency_p99", self.ping.p99),
            ("info_latency_p95", self.info_round_trip.p95),
            ("replication_lag_seconds", self.info.replication.lag_secs()),
        ] {
            if let Some(v) = v {
                out.push((key(m), v));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
