//! Rows as PostgreSQL returned them → a `DbSnapshot`. Pure: the collector
//! fills these plain structs from its queries, so everything that decides
//! what the pane and the series say is tested without a server.

use super::locks::{self, LockRow};
use crate::base::redact::sql;
use crate::model::database::holders::{self, Conn};
use crate::model::database::{
    shorten_query, BlockEdge, Chains, Checklist, DbSession, DbSnapshot, Replica, SlowStatements,
    Statement, Statements, TableStats, QUERY_CHARS,
};

/// What PostgreSQL shows in place of another role's query to a role without
/// pg_read_all_stats.
const HIDDEN: &str = "<insufficient privilege>";

/// What a client connection's `backend_type` says.
pub const CLIENT_BACKEND: &str = "client backend";

/// One row of pg_stat_activity: every client backend, and any other backend
/// (autovacuum, walsender, parallel worker) that is doing something.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityRow {
    pub pid: i32,
    pub user: String,
    pub application: String,
    pub database: String,
    /// The client's address, `local` over a Unix socket, empty when hidden.
    pub client: String,
    /// Empty reads as a client backend (what the row was before the column).
    pub backend_type: String,
    /// When its transaction began (unix seconds), and how long ago.
    pub xact_start: Option<f64>,
    pub xact_secs: Option<f64>,
    /// Empty when the role may not see it.
    pub state: String,
    pub wait_event_type: Option<String>,
    pub wait_event: Option<String>,
    /// Seconds since query_start and since state_change.
    pub query_secs: Option<f64>,
    pub state_secs: Option<f64>,
    pub query: String,
    pub blocked_by: Vec<i32>,
    /// opsdeck's own connection: counted, never listed.
    pub is_self: bool,
}

/// What the reading role may do; decides what the pane says it cannot see.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RoleRights {
    pub superuser: bool,
    pub read_all_stats: bool,
    pub signal_backend: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatementRow {
    pub calls: i64,
    pub total_ms: f64,
    pub mean_ms: f64,
    pub query: String,
    /// Calls and time of every statement pg_stat_statements tracks (the
    /// same on each row), for the mean over the window between readings.
    pub all_calls: f64,
    pub all_total_ms: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawReading {
    pub server_version: String,
    pub max_connections: i32,
    pub role: String,
    pub rights: RoleRights,
    pub activity: Vec<ActivityRow>,
    /// Sum of xact_commit + xact_rollback over pg_stat_database.
    pub xacts: Option<f64>,
    pub blks_hit: Option<f64>,
    pub blks_read: Option<f64>,
    pub databases: Vec<(String, i64)>,
    /// pg_stat_replication: name, state, replay lag in seconds.
    pub replicas: Vec<(String, String, Option<f64>)>,
    pub replay_lag_seconds: Option<f64>,
    /// The top statements, or why there are none.
    pub statements: Result<Vec<StatementRow>, String>,
    /// Statements slower than 100 ms on average; None when pg_stat_statements cannot say.
    pub slow: Option<SlowStatements>,
    /// The locks of the listed sessions (see [`listed`]).
    pub locks: Vec<LockRow>,
    /// What a new session gets for statement_timeout and
    /// idle_in_transaction_session_timeout, in milliseconds.
    pub statement_timeout_ms: Option<f64>,
    pub idle_in_transaction_timeout_ms: Option<f64>,
    /// The database opsdeck is connected to, whose tables `tables` lists.
    pub database: String,
    pub tables: Vec<TableStats>,
}

impl ActivityRow {
    pub fn is_client(&self) -> bool {
        self.backend_type.is_empty() || self.backend_type == CLIENT_BACKEND
    }
}

/// The backends the pane lists: doing something, or blocking someone even
/// while idle (an advisory lock outlives its transaction); never opsdeck's own.
pub fn listed(activity: &[ActivityRow]) -> Vec<i32> {
    let blockers: Vec<i32> = activity
        .iter()
        .flat_map(|a| a.blocked_by.iter().copied())
        .collect();
    activity
        .iter()
        .filter(|a| !a.is_self && (a.state != "idle" || blockers.contains(&a.pid)))
        .map(|a| a.pid)
        .collect()
}

/// The transaction counter at the previous reading, for the rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counter {
    pub at_secs: f64,
    pub xacts: f64,
    /// pg_stat_statements' calls and total time over every statement.
    pub statements: Option<(f64, f64)>,
}

/// Builds the snapshot; `prev` is the counter of the reading before, and the
/// counter of this one comes back for the next.
pub fn convert(
    raw: RawReading,
    now_secs: f64,
    prev: Option<Counter>,
) -> (DbSnapshot, Option<Counter>) {
    let totals = raw.statements.as_ref().ok().map(|rows| {
        rows.first()
            .map_or((0.0, 0.0), |r| (r.all_calls, r.all_total_ms))
    });
    let counter = raw.xacts.map(|xacts| Counter {
        at_secs: now_secs,
        xacts,
        statements: totals,
    });
    // The mean time of the statements that ran since the last reading; none
    // ran is 0 ms. A total that went down was reset: no figure this time.
    let mean_statement_ms = match (prev.and_then(|p| p.statements), totals) {
        (Some((c0, t0)), Some((c1, t1))) if c1 >= c0 && t1 >= t0 => {
            Some(if c1 > c0 { (t1 - t0) / (c1 - c0) } else { 0.0 })
        }
        _ => None,
    };
    let tps = match (prev, counter) {
        // A counter that went down was reset (stats reset, restart): no rate this time.
        (Some(p), Some(c)) if c.at_secs > p.at_secs && c.xacts >= p.xacts => {
            Some((c.xacts - p.xacts) / (c.at_secs - p.at_secs))
        }
        _ => None,
    };
    let cache_hit_ratio = match (raw.blks_hit, raw.blks_read) {
        (Some(hit), Some(read)) if hit + read > 0.0 => Some(hit / (hit + read)),
        _ => None,
    };

    let clients: Vec<&ActivityRow> = raw.activity.iter().filter(|a| a.is_client()).collect();
    let mut states: Vec<(String, u32)> = Vec::new();
    let mut hidden = 0usize;
    for a in &clients {
        let state = if a.state.is_empty() {
            "unknown"
        } else {
            a.state.as_str()
        };
        match states.iter_mut().find(|(s, _)| s == state) {
            Some((_, n)) => *n += 1,
            None => states.push((state.to_string(), 1)),
        }
        if a.query == HIDDEN {
            hidden += 1;
        }
    }
    states.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

    let shown = listed(&raw.activity);
    let mut sessions: Vec<DbSession> = raw
        .activity
        .iter()
        .filter(|a| shown.contains(&a.pid))
        .map(|a| session(a, &raw.locks))
        .collect();
    sessions.sort_by(|a, b| {
        b.running_secs
            .total_cmp(&a.running_secs)
            .then(a.pid.cmp(&b.pid))
    });
    let mut blocking: Vec<BlockEdge> = raw
        .activity
        .iter()
        .filter(|a| !a.blocked_by.is_empty())
        .map(|a| BlockEdge {
            blocked: a.pid,
            blockers: a.blocked_by.clone(),
        })
        .collect();
    blocking.sort_by_key(|e| e.blocked);
    let sessions = Chains::of(&blocking).order(sessions);
    let holders = holders::group(clients.iter().map(|a| Conn {
        user: &a.user,
        application: &a.application,
        client: &a.client,
        state: &a.state,
        pid: a.pid,
        is_self: a.is_self,
    }));

    let statements = match raw.statements {
        Ok(rows) => Statements::Top {
            rows: rows
                .into_iter()
                .map(|r| Statement {
                    query: shorten_query(&r.query, QUERY_CHARS),
                    ..Statement::from(r)
                })
                .collect(),
        },
        Err(reason) => Statements::Unavailable { reason },
    };

    let checklist = Checklist {
        statement_timeout_ms: raw.statement_timeout_ms,
        idle_in_transaction_timeout_ms: raw.idle_in_transaction_timeout_ms,
        slow: raw.slow.map(|s| SlowStatements {
            worst_query: shorten_query(&s.worst_query, QUERY_CHARS),
            ..s
        }),
        database: raw.database,
        tables: raw.tables,
    };
    let snapshot = DbSnapshot {
        server_version: raw.server_version,
        max_connections: u32::try_from(raw.max_connections).unwrap_or(0),
        connections: clients.len() as u32,
        states,
        sessions,
        blocking,
        holders,
        tps,
        mean_statement_ms,
        cache_hit_ratio,
        databases: raw.databases,
        replicas: raw
            .replicas
            .into_iter()
            .map(|(name, state, lag_seconds)| Replica {
                name,
                state,
                lag_seconds,
            })
            .collect(),
        replay_lag_seconds: raw.replay_lag_seconds,
        statements,
        checklist,
        limits: limits(&raw.role, raw.rights, hidden),
    };
    (snapshot, counter)
}

impl From<StatementRow> for Statement {
    fn from(r: StatementRow) -> Self {
        Statement {
            calls: r.calls,
            total_ms: r.total_ms,
            mean_ms: r.mean_ms,
            query: r.query,
        }
    }
}

fn session(a: &ActivityRow, locks: &[LockRow]) -> DbSession {
    // A query runs from query_start; a session idle in a transaction has been
    // holding it since its state changed.
    let running_secs = if a.state == "active" {
        a.query_secs
    } else {
        a.state_secs.or(a.query_secs)
    };
    let wait_event = match (&a.wait_event_type, &a.wait_event) {
        (Some(t), Some(e)) => format!("{t}:{e}"),
        (None, Some(e)) => e.clone(),
        _ => String::new(),
    };
    let (lock_wait, locks_held) = locks::of(a.pid, locks);
    DbSession {
        pid: a.pid,
        user: a.user.clone(),
        application: a.application.clone(),
        database: a.database.clone(),
        client: a.client.clone(),
        backend_type: if a.backend_type.is_empty() {
            CLIENT_BACKEND.into()
        } else {
            a.backend_type.clone()
        },
        state: if a.state.is_empty() {
            "unknown".into()
        } else {
            a.state.clone()
        },
        wait_event,
        running_secs: running_secs.unwrap_or(0.0).max(0.0),
        xact_secs: a.xact_secs.map(|s| s.max(0.0)),
        xact_start: a.xact_start.map(|s| s as i64),
        // Whole, for the detail pane; one line is cut from it where it is shown.
        query: sql::mask(&a.query),
        blocked_by: a.blocked_by.clone(),
        lock_wait,
        locks_held,
    }
}

/// What a role short of superuser cannot see or do, said plainly.
fn limits(role: &str, r: RoleRights, hidden: usize) -> Vec<String> {
    let mut out = Vec::new();
    if r.superuser {
        return out;
    }
    if !r.read_all_stats {
        out.push(format!(
            "role {role} lacks pg_read_all_stats (pg_monitor): other roles' queries, states and statements are hidden"
        ));
    }
    if hidden > 0 {
        out.push(format!("{hidden} session(s) hidden from role {role}"));
    }
    if r.signal_backend {
        out.push(format!(
            "role {role} is not a superuser: it cannot cancel or terminate superusers' sessions"
        ));
    } else {
        out.push(format!(
            "role {role} lacks pg_signal_backend: it can cancel or terminate only its own sessions"
        ));
    }
    out
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;
