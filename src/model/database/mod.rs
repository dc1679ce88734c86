//! A PostgreSQL server as one reading shows it: connections against the
//! limit, the sessions doing something, who blocks whom, throughput, cache,
//! sizes, replicas and the costliest statements. Built by the pure converter
//! in `source::postgres::convert`; the Database view and `opsdeck db sessions`
//! read it, and `series` names what rules and runbooks watch.

use serde::Serialize;

/// Query text longer than this is cut (with `…`) before it reaches the model.
pub const QUERY_CHARS: usize = 160;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DbSnapshot {
    pub server_version: String,
    pub max_connections: u32,
    /// Client connections by state (`active`, `idle`, `idle in transaction`, ...), most first.
    pub states: Vec<(String, u32)>,
    /// Every client connection, this reader's own included.
    pub connections: u32,
    /// Sessions not idle (and not opsdeck's own), longest running first.
    pub sessions: Vec<DbSession>,
    /// Who blocks whom: each blocked backend with the backends it waits for.
    pub blocking: Vec<BlockEdge>,
    /// Commits and rollbacks per second since the previous reading.
    pub tps: Option<f64>,
    pub cache_hit_ratio: Option<f64>,
    /// Database name and size in bytes, largest first.
    pub databases: Vec<(String, i64)>,
    pub replicas: Vec<Replica>,
    /// Seconds behind the primary when this server is itself a replica.
    pub replay_lag_seconds: Option<f64>,
    pub statements: Statements,
    /// What this role cannot see or do, in words for the pane.
    pub limits: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DbSession {
    pub pid: i32,
    pub user: String,
    pub application: String,
    pub state: String,
    /// `Lock:transactionid`, `Client:ClientRead`, ... or empty.
    pub wait_event: String,
    /// Seconds since the current query started (since the state changed when idle in transaction).
    pub running_secs: f64,
    /// Shortened to [`QUERY_CHARS`], whitespace collapsed.
    pub query: String,
    pub blocked_by: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockEdge {
    pub blocked: i32,
    pub blockers: Vec<i32>,
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

impl DbSession {
    /// `1m20s`, to the second.
    pub fn running_for(&self) -> String {
        crate::base::duration::format(std::time::Duration::from_secs(self.running_secs as u64))
    }
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
        ];
        let optional = [
            ("replication_lag_seconds", self.replication_lag()),
            ("tps", self.tps),
            ("cache_hit_ratio", self.cache_hit_ratio),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                out.push((format!("{key}:{name}"), v));
            }
        }
        out
    }

    /// The heads of the lock chains: backends that block others and wait for no one.
    pub fn root_blockers(&self) -> Vec<i32> {
        let blocked: Vec<i32> = self.blocking.iter().map(|e| e.blocked).collect();
        let mut roots: Vec<i32> = self
            .blocking
            .iter()
            .flat_map(|e| e.blockers.iter().copied())
            .filter(|p| !blocked.contains(p))
            .collect();
        roots.sort_unstable();
        roots.dedup();
        roots
    }
}

/// Query text for one line: whitespace collapsed, `PASSWORD '...'` literals
/// masked (`CREATE ROLE ... PASSWORD` shows up in activity and statements),
/// cut at `max` characters.
pub fn shorten_query(text: &str, max: usize) -> String {
    let one_line = mask_passwords(&text.split_whitespace().collect::<Vec<_>>().join(" "));
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn mask_passwords(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = lower[at..].find("password") {
        let after = at + found + "password".len();
        let rest = &text[after..];
        let literal = rest.trim_start();
        out.push_str(&text[at..after]);
        at = after;
        if let Some(body) = literal.strip_prefix('\'') {
            // A doubled quote is a quote inside the literal.
            let mut end = 0;
            let bytes = body.as_bytes();
            while end < bytes.len() {
                if bytes[end] == b'\'' {
                    if bytes.get(end + 1) == Some(&b'\'') {
                        end += 2;
                        continue;
                    }
                    break;
                }
                end += 1;
            }
            out.push_str(&rest[..rest.len() - literal.len()]);
            out.push_str("'***'");
            at = after + (rest.len() - literal.len()) + 1 + (end + 1).min(body.len());
        }
    }
    out.push_str(&text[at..]);
    out
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
            wait_event: String::new(),
            running_secs: secs,
            query: "select 1".into(),
            blocked_by: Vec::new(),
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
        assert_eq!(snap.root_blockers(), vec![1]);
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

    #[test]
    fn queries_are_one_line_and_cut() {
        assert_eq!(shorten_query("select\n  *\tfrom t", 40), "select * from t");
        assert_eq!(shorten_query("abcdefghij", 5), "abcd…");
        assert_eq!(
            shorten_query(
                "CREATE ROLE w LOGIN PASSWORD 'it''s s3cret' IN ROLE pg_monitor",
                80
            ),
            "CREATE ROLE w LOGIN PASSWORD '***' IN ROLE pg_monitor"
        );
        assert_eq!(
            shorten_query("alter role w password 'x", 80),
            "alter role w password '***'"
        );
        assert_eq!(
            shorten_query("select password from t", 80),
            "select password from t"
        );
    }
}
