//! The commands behind a reading, and their answers turned into the model's
//! plain types. PING and INFO must answer; LATENCY and SLOWLOG may be
//! refused (renamed or denied by an ACL), which is said, never taken for "none".

use crate::connect::redis::describe;
use crate::model::cache::{LatencyEvent, LatencyMonitor, SlowEntry};
use redis::aio::MultiplexedConnection;
use redis::Value;
use std::time::Instant;

/// Slow log entries read each time: the newest.
pub const SLOWLOG_ENTRIES: usize = 10;
/// A slow log command is shortened to this many characters.
const COMMAND_CHARS: usize = 120;

pub struct Raw {
    pub ping_secs: f64,
    pub info_secs: f64,
    pub info: String,
    pub latency: LatencyMonitor,
    pub slowlog: Result<Vec<SlowEntry>, String>,
}

pub async fn reading(conn: &mut MultiplexedConnection) -> Result<Raw, String> {
    let started = Instant::now();
    let pong: String = redis::cmd("PING")
        .query_async(conn)
        .await
        .map_err(|e| format!("PING: {}", describe(&e)))?;
    let ping_secs = started.elapsed().as_secs_f64();
    if pong != "PONG" {
        return Err(format!("PING answered {pong:?}, not PONG"));
    }
    let started = Instant::now();
    let info: String = redis::cmd("INFO")
        .query_async(conn)
        .await
        .map_err(|e| format!("INFO: {}", describe(&e)))?;
    let info_secs = started.elapsed().as_secs_f64();
    let latency = latency(conn).await;
    let slowlog = redis::cmd("SLOWLOG")
        .arg("GET")
        .arg(SLOWLOG_ENTRIES)
        .query_async::<Value>(conn)
        .await
        .map_err(|e| format!("SLOWLOG GET: {}", describe(&e)))
        .and_then(|v| slow_entries(&v));
    Ok(Raw {
        ping_secs,
        info_secs,
        info,
        latency,
        slowlog,
    })
}

async fn latency(conn: &mut MultiplexedConnection) -> LatencyMonitor {
    let threshold = redis::cmd("CONFIG")
        .arg("GET")
        .arg("latency-monitor-threshold")
        .query_async::<Value>(conn)
        .await
        .map_err(|e| format!("CONFIG GET latency-monitor-threshold: {}", describe(&e)))
        .and_then(|v| {
            config_value(&v).ok_or_else(|| "CONFIG GET latency-monitor-threshold: no value".into())
        });
    let threshold_ms = match threshold.map(|t| t.parse::<u64>()) {
        Ok(Ok(0)) => return LatencyMonitor::Off,
        Ok(Ok(ms)) => ms,
        Ok(Err(_)) => {
            return LatencyMonitor::Unreadable {
                reason: "latency-monitor-threshold is not a number".into(),
            }
        }
        Err(reason) => return LatencyMonitor::Unreadable { reason },
    };
    match redis::cmd("LATENCY")
        .arg("LATEST")
        .query_async::<Value>(conn)
        .await
    {
        Ok(v) => match latency_events(&v) {
            Ok(events) => LatencyMonitor::On {
                threshold_ms,
                events,
            },
            Err(reason) => LatencyMonitor::Unreadable { reason },
        },
        Err(e) => LatencyMonitor::Unreadable {
            reason: format!("LATENCY LATEST: {}", describe(&e)),
        },
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        other => text(other)?.parse().ok(),
    }
}

fn items(v: &Value) -> Option<&[Value]> {
    match v {
        Value::Array(a) | Value::Set(a) => Some(a),
        _ => None,
    }
}

/// `CONFIG GET name`: `[name, value]` (RESP2) or `{name: value}` (RESP3).
fn config_value(v: &Value) -> Option<String> {
    match v {
        Value::Map(pairs) => pairs.first().and_then(|(_, v)| text(v)),
        other => items(other)?.get(1).and_then(text),
    }
}

/// `LATENCY LATEST`: `[event, unix time, latest ms, max ms, ...]` each.
pub fn latency_events(v: &Value) -> Result<Vec<LatencyEvent>, String> {
    let bad = || "LATENCY LATEST: an answer opsdeck cannot read".to_string();
    items(v)
        .ok_or_else(bad)?
        .iter()
        .map(|e| {
            let e = items(e).ok_or_else(bad)?;
            let field = |i: usize| e.get(i).and_then(int).ok_or_else(bad);
            Ok(LatencyEvent {
                event: e.first().and_then(text).ok_or_else(bad)?,
                at: field(1)?,
                latest_ms: field(2)?.max(0) as u64,
                max_ms: field(3)?.max(0) as u64,
            })
        })
        .collect()
}

/// `SLOWLOG GET`: `[id, unix time, micros, [args], client, name]` each, newest first.
pub fn slow_entries(v: &Value) -> Result<Vec<SlowEntry>, String> {
    let bad = || "SLOWLOG GET: an answer opsdeck cannot read".to_string();
    items(v)
        .ok_or_else(bad)?
        .iter()
        .map(|e| {
            let e = items(e).ok_or_else(bad)?;
            let field = |i: usize| e.get(i).and_then(int).ok_or_else(bad);
            let mut args: Vec<String> = e
                .get(3)
                .and_then(items)
                .ok_or_else(bad)?
                .iter()
                .filter_map(text)
                .collect();
            mask_secrets(&mut args);
            Ok(SlowEntry {
                id: field(0)?,
                at: field(1)?,
                micros: field(2)?,
                command: shorten(&crate::base::redact::redact(&args.join(" "))),
                client: e.get(4).and_then(text).unwrap_or_default(),
            })
        })
        .collect()
}

/// Passwords in a logged command: everything after `AUTH` (the command,
/// or the option of HELLO and MIGRATE), after `requirepass` or `masterauth`
/// (CONFIG SET), and ACL SETUSER's `>password` and `#hash` rules. Redis
/// hides some of these itself; not every version, nor every fork, does.
fn mask_secrets(args: &mut [String]) {
    let mut after = None;
    for (i, a) in args.iter().enumerate() {
        let lower = a.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "auth" | "auth2" | "requirepass" | "masterauth"
        ) {
            after = Some(i + 1);
            break;
        }
    }
    let setuser = args.len() > 1
        && args[0].eq_ignore_ascii_case("acl")
        && args[1].eq_ignore_ascii_case("setuser");
    for (i, a) in args.iter_mut().enumerate() {
        let rule = setuser && (a.starts_with('>') || a.starts_with('#') || a.starts_with('<'));
        if after.is_some_and(|from| i >= from) || rule {
            *a = "***".into();
        }
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= COMMAND_CHARS {
        return s.to_string();
    }
    let cut: String = s.chars().take(COMMAND_CHARS - 1).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn a_slow_log_entry_as_redis_7_sends_it() {
        // As redis-cli showed SLOWLOG GET after DEBUG SLEEP 0.05.
        let v = Value::Array(vec![Value::Array(vec![
            Value::Int(0),
            Value::Int(1_796_657_601),
            Value::Int(50_095),
            Value::Array(vec![bulk("debug"), bulk("sleep"), bulk("0.05")]),
            bulk("127.0.0.1:40556"),
            bulk(""),
        ])]);
        let e = slow_entries(&v).unwrap();
        assert_eq!(
            e,
            vec![SlowEntry {
                id: 0,
                at: 1_796_657_601,
                micros: 50_095,
                command: "debug sleep 0.05".into(),
                client: "127.0.0.1:40556".into(),
            }]
        );
        assert!(slow_entries(&bulk("nope")).is_err());
    }

    #[test]
    fn latency_latest_and_config_get_in_both_protocols() {
        let v = Value::Array(vec![Value::Array(vec![
            bulk("command"),
            Value::Int(1_796_657_601),
            Value::Int(30),
            Value::Int(50),
        ])]);
        let e = latency_events(&v).unwrap();
        assert_eq!(
            (e[0].event.as_str(), e[0].latest_ms, e[0].max_ms),
            ("command", 30, 50)
        );
        let resp2 = Value::Array(vec![bulk("latency-monitor-threshold"), bulk("10")]);
        let resp3 = Value::Map(vec![(bulk("latency-monitor-threshold"), bulk("10"))]);
        assert_eq!(config_value(&resp2).as_deref(), Some("10"));
        assert_eq!(config_value(&resp3).as_deref(), Some("10"));
    }

    #[test]
    fn passwords_in_logged_commands_are_masked() {
        let masked = |line: &str| {
            let mut args: Vec<String> = line.split(' ').map(String::from).collect();
            mask_secrets(&mut args);
            args.join(" ")
        };
        assert_eq!(masked("AUTH ops s3cret"), "AUTH *** ***");
        assert_eq!(masked("HELLO 3 AUTH ops s3cret"), "HELLO 3 AUTH *** ***");
        assert_eq!(
            masked("CONFIG SET requirepass s3cret"),
            "CONFIG SET requirepass ***"
        );
        assert_eq!(
            masked("ACL SETUSER ops on >s3cret ~*"),
            "ACL SETUSER ops on *** ~*"
        );
        assert_eq!(masked("GET session:42"), "GET session:42");
    }

    #[test]
    fn long_commands_are_shortened() {
        let long = "x".repeat(500);
        assert_eq!(shorten(&long).chars().count(), COMMAND_CHARS);
    }
}
