//! `opsdeck cache [NAME] [--json] [--window 2s]`: the Cache view on the
//! command line. Each `[[redis]]` target (or the one named) is read twice,
//! `--window` apart, since the hit ratio and the eviction, expiration and
//! command rates are changes between two readings.
//!
//! `--json` prints an object by target name: `{"target", "generated_at",
//! "snapshot"` (the `CacheSnapshot` as serde writes it, see
//! src/model/cache/), `"facts"` (the lines below, each with its level)`}`,
//! or `{"target", "error"}` for one that could not be read. Exits 0 when
//! every target was read, 1 when one could not be, 2 when no such target is
//! configured.

use super::act::{EXIT_FAILED, EXIT_NO_PLAN};
use crate::base::time::{rfc3339, unix_now};
use crate::config::Config;
use crate::connect::redis::RedisUrl;
use crate::console::cache::{facts, Level};
use crate::model::CacheSnapshot;
use crate::source::redis::RedisSource;
use std::process::ExitCode;
use std::time::Duration;

pub async fn run(config: &Config, name: Option<&str>, json: bool, window: Duration) -> ExitCode {
    let targets: Vec<_> = config
        .redis
        .iter()
        .filter(|r| name.is_none_or(|n| r.name.get_ref() == n))
        .collect();
    if targets.is_empty() {
        let names: Vec<&str> = config
            .redis
            .iter()
            .map(|r| r.name.get_ref().as_str())
            .collect();
        eprintln!(
            "error: {}",
            match (name, names.is_empty()) {
                (_, true) => "no [[redis]] target is configured".to_string(),
                (Some(n), false) => format!(
                    "no [[redis]] target named {n:?}; configured: {}",
                    names.join(", ")
                ),
                (None, false) => unreachable!("targets is empty only when a name matched none"),
            }
        );
        return ExitCode::from(EXIT_NO_PLAN);
    }
    let readings = futures::future::join_all(targets.iter().map(|r| async move {
        let name = r.name.get_ref().clone();
        let read = async {
            let mut source = RedisSource::new(&name, RedisUrl::of(r)?);
            let first = timed(source.snapshot()).await?;
            if window.is_zero() {
                return Ok(first);
            }
            tokio::time::sleep(window).await;
            timed(source.snapshot()).await
        };
        let read = read.await;
        (name, read)
    }))
    .await;
    let now = unix_now();
    let failed = readings.iter().any(|(_, r)| r.is_err());
    if json {
        let out: serde_json::Map<String, serde_json::Value> = readings
            .iter()
            .map(|(name, r)| {
                let value = match r {
                    Ok(s) => serde_json::json!({
                        "target": name,
                        "generated_at": rfc3339(now),
                        "snapshot": s,
                        "facts": facts(s, now),
                    }),
                    Err(e) => serde_json::json!({ "target": name, "error": e }),
                };
                (name.clone(), value)
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        for (name, r) in &readings {
            match r {
                Ok(s) => print_text(name, s, now),
                Err(e) => println!("{name}: cannot be read: {e}"),
            }
        }
    }
    if failed {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

async fn timed(
    read: impl std::future::Future<Output = Result<CacheSnapshot, String>>,
) -> Result<CacheSnapshot, String> {
    tokio::time::timeout(super::status::POLL_TIMEOUT, read)
        .await
        .map_err(|_| "no reading within 10s".to_string())?
}

fn print_text(name: &str, s: &CacheSnapshot, now: i64) {
    let role = match s.info.replication {
        crate::model::cache::Replication::Primary { .. } => "primary",
        crate::model::cache::Replication::Replica { .. } => "replica",
    };
    println!(
        "{name}: {} · Redis {} · {role} · up {}{}",
        s.endpoint,
        s.info.version,
        crate::base::units::span(s.info.uptime_secs as i64),
        if s.info.loading { " · LOADING" } else { "" }
    );
    for f in facts(s, now) {
        let mark = match f.level {
            Level::Ok => "ok",
            Level::Warning => "WARN",
            Level::Critical => "CRIT",
            Level::Unknown => "?",
        };
        println!("  {:<12} {:<4} {}", f.label, mark, f.text);
    }
    if let Ok(entries) = &s.slowlog {
        for e in entries {
            println!(
                "  slow         {} {:>9} µs  {}  {}",
                crate::base::time::time_of_day(e.at),
                e.micros,
                e.client,
                e.command
            );
        }
    }
}
