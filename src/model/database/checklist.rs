//! The standard PostgreSQL health checklist as a strip under the summary:
//! timeouts set, pg_stat_statements present, slow statements, tables read by
//! sequential scans, dead tuples and vacuum on the busiest table, cache hit
//! ratio, replication lag. The collector reads the figures; `judge` says
//! green, amber or red for each, with the figure that decided it.

use super::{DbSnapshot, Statements};
use crate::base::units::{percent, span, with_unit, Unit};
use crate::model::Severity;
use serde::Serialize;

/// A statement slower than this on average counts as slow.
pub const SLOW_MEAN_MS: f64 = 100.0;

/// The figures behind the checklist, as the collector read them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Checklist {
    /// What a new session gets (server, database or role default), in
    /// milliseconds, 0 = off; None when it could not be read.
    pub statement_timeout_ms: Option<f64>,
    pub idle_in_transaction_timeout_ms: Option<f64>,
    /// From pg_stat_statements; None when it cannot be read.
    pub slow: Option<SlowStatements>,
    /// The database the table figures come from (the one opsdeck connects to).
    pub database: String,
    /// The tables read most by sequential scans and written most.
    pub tables: Vec<TableStats>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SlowStatements {
    /// Statements with a mean time over [`SLOW_MEAN_MS`].
    pub count: u32,
    pub worst_mean_ms: f64,
    pub worst_query: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TableStats {
    /// `schema.table`.
    pub name: String,
    pub seq_scan: i64,
    pub seq_tup_read: i64,
    /// None: the table has no index.
    pub idx_scan: Option<i64>,
    pub live_tuples: i64,
    pub dead_tuples: i64,
    /// Rows inserted, updated and deleted since the statistics were reset.
    pub writes: i64,
    /// The latest vacuum, automatic or not, unix seconds.
    pub last_vacuum: Option<i64>,
}

/// One item of the strip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckItem {
    pub name: &'static str,
    /// Ok green, Warning amber, Critical red, Info not known.
    pub level: Severity,
    pub figure: String,
}

fn item(name: &'static str, level: Severity, figure: String) -> CheckItem {
    CheckItem {
        name,
        level,
        figure,
    }
}

/// Every item of the checklist for a reading taken at `at` (unix seconds).
pub fn judge(s: &DbSnapshot, at: i64) -> Vec<CheckItem> {
    let c = &s.checklist;
    vec![
        timeout(
            "statement_timeout",
            "statement_timeout",
            c.statement_timeout_ms,
        ),
        timeout(
            "idle_in_transaction_session_timeout",
            "idle_in_tx timeout",
            c.idle_in_transaction_timeout_ms,
        ),
        match &s.statements {
            Statements::Top { .. } => item(
                "pg_stat_statements",
                Severity::Ok,
                "pg_stat_statements ✓".into(),
            ),
            Statements::Unavailable { .. } => item(
                "pg_stat_statements",
                Severity::Warning,
                "pg_stat_statements missing".into(),
            ),
        },
        slow(c.slow.as_ref()),
        seq_scans(&c.tables),
        dead_tuples(&c.tables, at),
        match s.cache_hit_ratio {
            None => item("cache_hit_ratio", Severity::Info, "cache ?".into()),
            Some(r) => item(
                "cache_hit_ratio",
                match r {
                    r if r >= 0.99 => Severity::Ok,
                    r if r >= 0.95 => Severity::Warning,
                    _ => Severity::Critical,
                },
                format!("cache {}", percent(r * 100.0)),
            ),
        },
        lag(s),
    ]
}

fn timeout(name: &'static str, label: &str, ms: Option<f64>) -> CheckItem {
    match ms {
        None => item(name, Severity::Info, format!("{label} ?")),
        Some(ms) if ms <= 0.0 => item(name, Severity::Warning, format!("{label} off")),
        Some(ms) => item(
            name,
            Severity::Ok,
            format!("{label} {}", span((ms / 1000.0) as i64)),
        ),
    }
}

fn slow(slow: Option<&SlowStatements>) -> CheckItem {
    match slow {
        None => item(
            "slow_statements",
            Severity::Info,
            "slow statements ?".into(),
        ),
        Some(s) if s.count == 0 => item("slow_statements", Severity::Ok, "slow 0".into()),
        Some(s) => item(
            "slow_statements",
            if s.worst_mean_ms >= 1000.0 {
                Severity::Critical
            } else {
                Severity::Warning
            },
            format!(
                "slow {} (worst {})",
                s.count,
                with_unit(Unit::Millis, s.worst_mean_ms)
            ),
        ),
    }
}

/// Rows read by sequential scans, for a table worth an index: big enough,
/// scanned more often than its indexes are used, and read a lot.
fn seq_scans(tables: &[TableStats]) -> CheckItem {
    let heavy = tables
        .iter()
        .filter(|t| t.live_tuples >= 1_000 && t.seq_tup_read >= 100_000)
        .filter(|t| t.seq_scan > t.idx_scan.unwrap_or(0))
        .max_by_key(|t| t.seq_tup_read);
    let Some(t) = heavy else {
        return item("seq_scans", Severity::Ok, "seq scans ok".into());
    };
    let share = t.seq_scan as f64 / (t.seq_scan + t.idx_scan.unwrap_or(0)).max(1) as f64;
    let hint = if t.idx_scan.is_none() {
        "no index"
    } else {
        "index?"
    };
    item(
        "seq_scans",
        // Every scan reading a million rows is a table scan that hurts now.
        if t.seq_tup_read / t.seq_scan.max(1) >= 1_000_000 {
            Severity::Critical
        } else {
            Severity::Warning
        },
        format!(
            "seq scans {} {:.0}% ({} rows; {hint})",
            short_name(&t.name),
            share * 100.0,
            count(t.seq_tup_read)
        ),
    )
}

fn dead_tuples(tables: &[TableStats], at: i64) -> CheckItem {
    let Some(t) = tables
        .iter()
        .max_by_key(|t| t.writes)
        .filter(|t| t.writes > 0)
    else {
        return item(
            "dead_tuples",
            Severity::Info,
            "dead tuples: no writes".into(),
        );
    };
    let total = (t.live_tuples + t.dead_tuples).max(1) as f64;
    let ratio = t.dead_tuples as f64 / total;
    let vacuumed = match t.last_vacuum {
        Some(v) => format!("vacuum {} ago", span((at - v).max(0))),
        None => "never vacuumed".into(),
    };
    let level = match ratio {
        _ if t.dead_tuples < 1_000 => Severity::Ok,
        r if r >= 0.5 => Severity::Critical,
        r if r >= 0.2 => Severity::Warning,
        _ => Severity::Ok,
    };
    item(
        "dead_tuples",
        level,
        format!(
            "dead {:.0}% {} ({vacuumed})",
            ratio * 100.0,
            short_name(&t.name)
        ),
    )
}

fn lag(s: &DbSnapshot) -> CheckItem {
    match s.replication_lag() {
        Some(l) => item(
            "replication_lag",
            match l {
                l if l < 10.0 => Severity::Ok,
                l if l < 60.0 => Severity::Warning,
                _ => Severity::Critical,
            },
            format!("lag {l:.1}s"),
        ),
        None if s.replicas.is_empty() => {
            item("replication_lag", Severity::Info, "no replicas".into())
        }
        // pg_stat_replication leaves the lag empty once a replica is idle and caught up.
        None => item("replication_lag", Severity::Ok, "replicas caught up".into()),
    }
}

/// `orders` for `public.orders`: the schema only when it is not the default.
fn short_name(name: &str) -> &str {
    name.strip_prefix("public.").unwrap_or(name)
}

/// `950`, `12k`, `1.2M`.
fn count(n: i64) -> String {
    match n {
        n if n < 10_000 => n.to_string(),
        n if n < 1_000_000 => format!("{}k", n / 1000),
        n => format!("{:.1}M", n as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::database::Replica;

    fn level(items: &[CheckItem], name: &str) -> (Severity, String) {
        let i = items.iter().find(|i| i.name == name).unwrap();
        (i.level, i.figure.clone())
    }

    #[test]
    fn a_careless_server_is_amber_and_red_with_figures() {
        let s = DbSnapshot {
            cache_hit_ratio: Some(0.93),
            statements: Statements::Top { rows: vec![] },
            replicas: vec![Replica {
                name: "r1".into(),
                state: "streaming".into(),
                lag_seconds: Some(75.0),
            }],
            checklist: Checklist {
                statement_timeout_ms: Some(0.0),
                idle_in_transaction_timeout_ms: Some(60_000.0),
                slow: Some(SlowStatements {
                    count: 3,
                    worst_mean_ms: 2_100.0,
                    worst_query: "select".into(),
                }),
                database: "shop".into(),
                tables: vec![
                    TableStats {
                        name: "public.orders".into(),
                        seq_scan: 400,
                        seq_tup_read: 1_200_000,
                        idx_scan: Some(10),
                        live_tuples: 3_000,
                        dead_tuples: 100,
                        writes: 10,
                        last_vacuum: None,
                    },
                    TableStats {
                        name: "public.accounts".into(),
                        seq_scan: 1,
                        seq_tup_read: 10,
                        idx_scan: Some(9_000),
                        live_tuples: 10_000,
                        dead_tuples: 7_000,
                        writes: 90_000,
                        last_vacuum: Some(1_000),
                    },
                ],
            },
            ..Default::default()
        };
        let items = judge(&s, 1_000 + 3 * 3600);
        assert_eq!(
            level(&items, "statement_timeout"),
            (Severity::Warning, "statement_timeout off".into())
        );
        assert_eq!(
            level(&items, "idle_in_transaction_session_timeout"),
            (Severity::Ok, "idle_in_tx timeout 60s".into())
        );
        assert_eq!(level(&items, "pg_stat_statements").0, Severity::Ok);
        assert_eq!(
            level(&items, "slow_statements"),
            (Severity::Critical, "slow 3 (worst 2.10 s)".into())
        );
        assert_eq!(
            level(&items, "seq_scans"),
            (
                Severity::Warning,
                "seq scans orders 98% (1.2M rows; index?)".into()
            )
        );
        assert_eq!(
            level(&items, "dead_tuples"),
            (
                Severity::Warning,
                "dead 41% accounts (vacuum 3h00m ago)".into()
            )
        );
        assert_eq!(
            level(&items, "cache_hit_ratio"),
            (Severity::Critical, "cache 93.0%".into())
        );
        assert_eq!(
            level(&items, "replication_lag"),
            (Severity::Critical, "lag 75.0s".into())
        );
    }

    #[test]
    fn what_could_not_be_read_is_not_green() {
        let items = judge(&DbSnapshot::default(), 0);
        for name in [
            "statement_timeout",
            "slow_statements",
            "cache_hit_ratio",
            "replication_lag",
        ] {
            assert_eq!(level(&items, name).0, Severity::Info, "{name}");
        }
        assert_eq!(level(&items, "pg_stat_statements").0, Severity::Warning);
    }
}
