//! Rates between two `INFO` readings: the hit ratio of the lookups made
//! between them (not since the server started, which hides a cache gone
//! cold an hour ago behind a week of hits), evictions, expirations, commands.

use super::Info;
use serde::Serialize;

/// The counters of one reading, with when it was taken (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counters {
    pub at: f64,
    pub uptime_secs: u64,
    pub hits: u64,
    pub misses: u64,
    pub evicted: u64,
    pub expired: u64,
    pub commands: u64,
}

impl Counters {
    pub fn of(info: &Info, at: f64) -> Self {
        Counters {
            at,
            uptime_secs: info.uptime_secs,
            hits: info.keyspace_hits,
            misses: info.keyspace_misses,
            evicted: info.evicted_keys,
            expired: info.expired_keys,
            commands: info.total_commands,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rates {
    pub secs: f64,
    /// Hits over lookups between the readings; None when nothing was looked up.
    pub hit_ratio: Option<f64>,
    pub lookups_per_sec: f64,
    pub evictions_per_sec: f64,
    pub expirations_per_sec: f64,
    pub ops_per_sec: f64,
}

/// None when no time passed, or the server restarted (its uptime went back,
/// or a counter did, as after `CONFIG RESETSTAT`): a rate across that is no rate.
pub fn rates(before: &Counters, now: &Counters) -> Option<Rates> {
    let secs = now.at - before.at;
    let restarted = now.uptime_secs < before.uptime_secs;
    let went_back = now.hits < before.hits
        || now.misses < before.misses
        || now.evicted < before.evicted
        || now.expired < before.expired
        || now.commands < before.commands;
    if secs <= 0.0 || restarted || went_back {
        return None;
    }
    let per_sec = |a: u64, b: u64| (b - a) as f64 / secs;
    let hits = now.hits - before.hits;
    let lookups = hits + (now.misses - before.misses);
    Some(Rates {
        secs,
        hit_ratio: (lookups > 0).then(|| hits as f64 / lookups as f64),
        lookups_per_sec: lookups as f64 / secs,
        evictions_per_sec: per_sec(before.evicted, now.evicted),
        expirations_per_sec: per_sec(before.expired, now.expired),
        ops_per_sec: per_sec(before.commands, now.commands),
    })
}
