//! A PostgreSQL server as one reading shows it: connections against the
//! limit and who holds them, the sessions doing something, lock chains,
//! throughput, cache, sizes, replicas, the costliest statements and the
//! health checklist. Built by the pure converter in
//! `source::postgres::convert`; the Database view and `opsdeck db sessions`
//! read it, and `series` names what rules and runbooks watch.

pub mod chains;
pub mod checklist;
pub mod holders;
mod session;

pub use chains::{BlockEdge, Chains, Role};
pub use checklist::{CheckItem, Checklist, SlowStatements, TableStats};
pub use holders::{Holder, TopHolder};
pub use session::{shorten_query, DbSession};

use serde::Serialize;

/// Statement text longer than this is cut (with `…`) before it reaches the model.
pub const QUERY_CHARS: usize = 160;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DbSnapshot {
    pub server_version: String,
    pub max_connections: u32,
    /// Client connections by state (`active`, `idle`, `idle in transaction`, ...), most first.
    pub states: Vec<(String, u32)>,
    /// Every client connection, this reader's own included.
    pub connections: u32,
    /// Sessions not idle (and not opsdeck's own), plus any idle one that
    /// blocks another; each lock chain together, root first, then the rest
    /// longest running first.
    pub sessions: Vec<DbSession>,
    /// Who blocks whom: each blocked backend with the backends it waits for.
    pub blocking: Vec<BlockEdge>,
    /// Client connections grouped by user, application, client address and state.
    pub holders: Vec<Holder>,
    /// Commits and rollbacks per second since the previous reading.
    pub tps: Option<f64>,
    /// The mean time of the statements run since the previous reading, from
    /// pg_stat_statements (0 when none ran); None without it or on the first reading.
    pub mean_statement_ms: Option<f64>,
    pub cache_hit_ratio: Option<f64>,
    /// Database name and size in bytes, largest first.
    pub databases: Vec<(String, i64)>,
    pub replicas: Vec<Replica>,
    /// Seconds behind the primary when this server is itself a replica.
    pub replay_lag_seconds: Option<f64>,
    pub statements: Statements,
    /// The figures of the health checklist (see `checklist::judge`).
    pub checklist: Checklist,
    /// What this role cannot see or do, in words for the pane.
    pub limits: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replica {
    pub name: String,
    pub state: String,
    pub lag_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Statements {
    /// pg_stat_statements answered: the top statements by total time.
    Top { rows: Vec<Statement> },
    /// Not installed, not loaded or not readable: why, in words.
    Unavailable { reason: String },
}

impl Default for Statements {
    fn default() -> Self {
        Statements::Unavailable {
            reason: "not read yet".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    pub calls: i64,
    pub total_ms: f64,
    pub mean_ms: f64,
    pub query: String,
}

impl DbSnapshot {
    /// Share of `max_connections` in use.
    pub fn saturation(&self) -> f64 {
        if self.max_connections == 0 {
            0.0
        } else {
            f64::from(self.connections) / f64::from(self.max_connections)
        }
    }

    /// The longest-running active query, in seconds (0 when none runs).
    pub fn longest_query_secs(&self) -> f64 {
        self.sessions
            .iter()
            .filter(|s| s.state == "active")
            .map(|s| s.running_secs)
            .fold(0.0, f64::max)
    }

    /// The oldest session idle in a transaction, in seconds (0 when none):
    /// it holds its locks and a connection all that time.
    pub fn longest_idle_in_transaction_secs(&self) -> f64 {
        self.sessions
            .iter()
            .filter(|s| s.state.starts_with("idle in transaction"))
            .map(|s| s.running_secs)
            .fold(0.0, f64::max)
    }

    pub fn count_in(&self, state: &str) -> u32 {
        self.states
            .iter()
            .find(|(s, _)| s == state)
            .map_or(0, |(_, n)| *n)
    }

    /// The worst lag of any replica of this server, or of this server behind its primary.
    pub fn replication_lag(&self) -> Option<f64> {
        self.replicas
            .iter()
            .filter_map(|r| r.lag_seconds)
            .chain(self.replay_lag_seconds)
            .reduce(f64::max)
    }

    /// The series rules and runbook checks read, as `postgres:NAME:*`.
    pub fn series(&self, target: &str) -> Vec<(String, f64)> {
        let key = format!("postgres:{target}");
        let mut out = vec![
            (format!("{key}:connections_ratio"), self.saturation()),
            (format!("{key}:connections"), f64::from(self.connections)),
            (
                format!("{key}:longest_query_seconds"),
                self.longest_query_secs(),
            ),
            (
                format!("{key}:blocked_sessions"),
                self.blocking.len() as f64,
            ),
            (
                format!("{key}:idle_in_transaction"),
                f64::from(self.count_in("idle in transaction")),
            ),
            (
                format!("{key}:longest_idle_in_transaction_seconds"),
                self.longest_idle_in_transaction_secs(),
            ),
            // A reading arrived: the server answered. The console records 0
            // when the target goes degraded.
            (format!("{key}:up"), 1.0),
            (
                format!("{key}:lock_chain_waiters"),
                self.chains()
                    .roots
                    .first()
                    .map_or(0.0, |r| r.waiters.len() as f64),
            ),
        ];
        let slow = self.checklist.slow.as_ref().map(|s| f64::from(s.count));
        let optional = [
            ("slow_statements", slow),
            ("replication_lag_seconds", self.replication_lag()),
            ("tps", self.tps),
            (
                "mean_statement_seconds",
                self.mean_statement_ms.map(|ms| ms / 1000.0),
            ),
            ("cache_hit_ratio", self.cache_hit_ratio),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                out.push((format!("{key}:{name}"), v));
            }
        }
        out
    }

    /// The lock chains of this reading: roots, their waiters, who waits for whom.
    pub fn chains(&self) -> Chains {
        Chains::of(&self.blocking)
    }

    /// The client holding the most connections, and those it leaves idle in a transaction.
    pub fn top_holder(&self) -> Option<TopHolder> {
        holders::top(&self.holders)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(pid: i32, state: &str, secs: f64) -> DbSession {
        DbSession {
            pid,
            user: "app".into(),
            application: "api".into(),
            state: state.into(),
            running_secs: secs,
            query: "select 1".into(),
            ..Default::default()
        }
    }

    #[test]
    fn series_carry_saturation_longest_active_query_and_blocking() {
        let snap = DbSnapshot {
            max_connections: 100,
            connections: 25,
            states: vec![("active".into(), 3), ("idle in transaction".into(), 2)],
            sessions: vec![
                session(1, "idle in transaction", 900.0),
                session(2, "active", 42.5),
            ],
            blocking: vec![BlockEdge {
                blocked: 2,
                blockers: vec![1],
            }],
            tps: Some(12.0),
            ..Default::default()
        };
        let s = snap.series("main-db");
        let get = |n: &str| s.iter().find(|(k, _)| k == n).map(|(_, v)| *v);
        assert_eq!(get("postgres:main-db:connections_ratio"), Some(0.25));
        // Idle in transaction is not a running query.
        assert_eq!(get("postgres:main-db:longest_query_seconds"), Some(42.5));
        assert_eq!(get("postgres:main-db:blocked_sessions"), Some(1.0));
        assert_eq!(get("postgres:main-db:idle_in_transaction"), Some(2.0));
        assert_eq!(get("postgres:main-db:tps"), Some(12.0));
        assert_eq!(get("postgres:main-db:replication_lag_seconds"), None);
        assert_eq!(get("postgres:main-db:lock_chain_waiters"), Some(1.0));
        assert_eq!(get("postgres:main-db:slow_statements"), None, "not read");
    }

    #[test]
    fn lag_is_the_worst_known() {
        let snap = DbSnapshot {
            replicas: vec![
                Replica {
                    name: "r1".into(),
                    state: "streaming".into(),
                    lag_seconds: Some(0.5),
                },
                Replica {
                    name: "r2".into(),
                    state: "catchup".into(),
                    lag_seconds: None,
                },
            ],
            replay_lag_seconds: Some(3.0),
            ..Default::default()
        };
        assert_eq!(snap.replication_lag(), Some(3.0));
        assert_eq!(DbSnapshot::default().saturation(), 0.0);
    }
}
