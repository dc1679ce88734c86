//! What a Redis reading says, line by line, for the Cache view and
//! `opsdeck cache` alike: each line a label, its text and how worried to be.
//! What was not read says so and is never green.

use crate::base::units::{bytes, span, with_unit, Unit};
use crate::model::cache::{
    CacheSnapshot, LatencyMonitor, Replication, AT_MAXMEMORY, WARM_HIT_RATIO,
};
use crate::model::Severity;

/// How a line reads: fine, worth a look, bad, or not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    Warning,
    Critical,
    Unknown,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Ok => Some(Severity::Ok),
            Level::Warning => Some(Severity::Warning),
            Level::Critical => Some(Severity::Critical),
            Level::Unknown => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Fact {
    pub label: &'static str,
    pub text: String,
    pub level: Level,
}

fn fact(label: &'static str, level: Level, text: String) -> Fact {
    Fact { label, text, level }
}

fn ms(secs: f64) -> String {
    with_unit(Unit::Seconds, secs)
}

/// The lines of one reading; `now` (Unix seconds) dates the last save.
pub fn facts(c: &CacheSnapshot, now: i64) -> Vec<Fact> {
    let i = &c.info;
    let mut out = Vec::new();
    out.push(match c.mem_ratio() {
        Some(r) => fact(
            "memory",
            if r > 0.95 {
                Level::Critical
            } else if r > 0.85 {
                Level::Warning
            } else {
                Level::Ok
            },
            format!(
                "{} of {} maxmemory ({:.0}%), policy {}",
                bytes(i.used_memory as f64),
                bytes(i.maxmemory as f64),
                r * 100.0,
                i.maxmemory_policy
            ),
        ),
        None => fact(
            "memory",
            Level::Warning,
            format!(
                "{} used, no maxmemory set (policy {}): it grows until the host runs out",
                bytes(i.used_memory as f64),
                i.maxmemory_policy
            ),
        ),
    });
    out.push(match &c.rates {
        None => fact(
            "hit ratio",
            Level::Unknown,
            "needs two readings (since start, not a rate: no figure)".into(),
        ),
        Some(r) => match r.hit_ratio {
            None => fact(
                "hit ratio",
                Level::Unknown,
                format!("no lookups in the last {:.0}s", r.secs),
            ),
            Some(h) => fact(
                "hit ratio",
                if h >= WARM_HIT_RATIO {
                    Level::Ok
                } else if c.was_warm {
                    Level::Critical
                } else {
                    Level::Warning
                },
                format!(
                    "{:.1}% of {:.0} lookups/s{}",
                    h * 100.0,
                    r.lookups_per_sec,
                    if h < WARM_HIT_RATIO && c.was_warm {
                        " (dropped: it was above 80%)"
                    } else if h < WARM_HIT_RATIO {
                        " (cold, or keys that are never reused)"
                    } else {
                        ""
                    }
                ),
            ),
        },
    });
    if let Some(r) = &c.rates {
        let full = c.mem_ratio().is_some_and(|m| m >= AT_MAXMEMORY);
        out.push(fact(
            "evictions",
            if r.evictions_per_sec > 0.0 && full {
                Level::Warning
            } else {
                Level::Ok
            },
            format!(
                "{:.1}/s evicted{}, {:.1}/s expired, {:.0} ops/s",
                r.evictions_per_sec,
                if r.evictions_per_sec > 0.0 && full {
                    " at maxmemory"
                } else {
                    ""
                },
                r.expirations_per_sec,
                r.ops_per_sec
            ),
        ));
    }
    out.push(fact(
        "clients",
        if i.blocked_clients > 0 {
            Level::Warning
        } else {
            Level::Ok
        },
        format!(
            "{} connected, {} blocked; {} keys",
            i.connected_clients, i.blocked_clients, i.keys
        ),
    ));
    let rt = |r: &crate::model::cache::RoundTrip| match (r.p50, r.p95, r.p99) {
        (Some(a), Some(b), Some(c)) => format!("p50 {} p95 {} p99 {}", ms(a), ms(b), ms(c)),
        _ => "-".into(),
    };
    out.push(fact(
        "latency",
        match c.ping.p95 {
            Some(p) if p > 0.1 => Level::Warning,
            Some(_) => Level::Ok,
            None => Level::Unknown,
        },
        format!(
            "PING {}; INFO p95 {}",
            rt(&c.ping),
            c.info_round_trip.p95.map_or("-".into(), ms)
        ),
    ));
    out.push(match &c.latency {
        LatencyMonitor::Off => fact(
            "monitor",
            Level::Unknown,
            "latency monitor off (latency-monitor-threshold 0)".into(),
        ),
        LatencyMonitor::Unreadable { reason } => fact("monitor", Level::Unknown, reason.clone()),
        LatencyMonitor::On {
            threshold_ms,
            events,
        } if events.is_empty() => fact(
            "monitor",
            Level::Ok,
            format!("no event over {threshold_ms} ms"),
        ),
        LatencyMonitor::On { events, .. } => fact(
            "monitor",
            Level::Warning,
            events
                .iter()
                .map(|e| format!("{} {} ms (max {})", e.event, e.latest_ms, e.max_ms))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    });
    out.push(match &c.slowlog {
        Err(e) => fact("slow log", Level::Unknown, e.clone()),
        Ok(entries) if entries.is_empty() => fact("slow log", Level::Ok, "empty".into()),
        Ok(entries) => {
            let worst = entries.iter().max_by_key(|e| e.micros).expect("not empty");
            fact(
                "slow log",
                Level::Warning,
                format!(
                    "{} newest; worst {} {} at {}",
                    entries.len(),
                    ms(worst.micros as f64 / 1e6),
                    worst.command,
                    crate::base::time::time_of_day(worst.at)
                ),
            )
        }
    });
    out.push(replication(&i.replication));
    out.push(persistence(c, now));
    out
}

fn replication(r: &Replication) -> Fact {
    match r {
        Replication::Primary { replicas } if replicas.is_empty() => {
            fact("replication", Level::Ok, "primary, no replicas".into())
        }
        Replication::Primary { replicas } => {
            let worst = r.lag_secs().unwrap_or(0.0);
            let offline = replicas.iter().filter(|x| x.state != "online").count();
            fact(
                "replication",
                if offline > 0 || worst > 10.0 {
                    Level::Warning
                } else {
                    Level::Ok
                },
                format!(
                    "primary, {} replicas ({offline} not online), worst lag {worst:.0}s",
                    replicas.len()
                ),
            )
        }
        Replication::Replica {
            primary,
            link_up: true,
            last_io_secs,
            ..
        } => fact(
            "replication",
            Level::Ok,
            format!(
                "replica of {primary}, link up (last heard {}s ago)",
                last_io_secs.unwrap_or(0)
            ),
        ),
        Replication::Replica {
            primary,
            link_down_secs,
            sync_in_progress,
            ..
        } => fact(
            "replication",
            Level::Critical,
            format!(
                "replica of {primary}, link DOWN{}{}",
                link_down_secs.map_or(String::new(), |s| format!(" for {}", span(s))),
                if *sync_in_progress { ", syncing" } else { "" }
            ),
        ),
    }
}

fn persistence(c: &CacheSnapshot, now: i64) -> Fact {
    let p = &c.info.persistence;
    let failing = !p.rdb_last_bgsave_ok || (p.aof_enabled && !p.aof_last_write_ok);
    let saved = match p.rdb_last_save_time {
        Some(t) => format!(
            "last RDB save {} ago ({} changes since)",
            span((now - t).max(0)),
            p.rdb_changes_since_last_save
        ),
        None => "no RDB save time".into(),
    };
    fact(
        "persistence",
        if failing { Level::Critical } else { Level::Ok },
        format!(
            "{saved}{}; AOF {}",
            if p.rdb_last_bgsave_ok {
                ""
            } else {
                ", last bgsave FAILED"
            },
            match (p.aof_enabled, p.aof_last_write_ok) {
                (false, _) => "off",
                (true, true) => "on",
                (true, false) => "on, last write FAILED",
            }
        ),
    )
}
