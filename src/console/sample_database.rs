//! A PostgreSQL target under pressure for the Database view's snapshots and
//! tests, as deterministic as the rest of the sample Model.

use super::Model;

use crate::model::{Health, TargetKind};
use crate::source::Update;

const GIB: u64 = 1024 * 1024 * 1024;
const MIB: u64 = 1024 * 1024;

/// A PostgreSQL target `main-db` under pressure: a lock chain (4242 holds a
/// row idle in a transaction, 4243 waits), a runaway report query, and a
/// monitoring role that cannot signal superusers.
pub fn with_sample_database(model: &mut Model, now: i64) {
    use crate::model::database::{BlockEdge, DbSession, DbSnapshot, Statement, Statements};
    let session =
        |pid: i32, user: &str, app: &str, state: &str, secs: f64, query: &str| DbSession {
            pid,
            user: user.into(),
            application: app.into(),
            state: state.into(),
            wait_event: String::new(),
            running_secs: secs,
            query: query.into(),
            blocked_by: Vec::new(),
        };
    let mut waiter = session(
        4243,
        "shop",
        "shop-api",
        "active",
        95.0,
        "UPDATE accounts SET balance = balance - $1 WHERE id = $2",
    );
    waiter.wait_event = "Lock:transactionid".into();
    waiter.blocked_by = vec![4242];
    let snap = DbSnapshot {
        server_version: "15.8".into(),
        max_connections: 100,
        connections: 87,
        states: vec![
            ("idle".into(), 80),
            ("active".into(), 5),
            ("idle in transaction".into(), 2),
        ],
        sessions: vec![
            session(
                4100,
                "report",
                "nightly-report",
                "active",
                1260.0,
                "SELECT customer_id, sum(total) FROM orders JOIN order_lines USING (order_id) GROUP BY 1",
            ),
            session(
                4242,
                "shop",
                "shop-worker",
                "idle in transaction",
                300.0,
                "UPDATE accounts SET balance = balance + $1 WHERE id = $2",
            ),
            waiter,
            session(4301, "shop", "shop-api", "active", 0.4, "SELECT * FROM carts WHERE id = $1"),
        ],
        blocking: vec![BlockEdge {
            blocked: 4243,
            blockers: vec![4242],
        }],
        tps: Some(412.5),
        cache_hit_ratio: Some(0.993),
        databases: vec![("shop".into(), 52 * GIB as i64), ("postgres".into(), 8 * MIB as i64)],
        replicas: Vec::new(),
        replay_lag_seconds: None,
        statements: Statements::Top {
            rows: vec![Statement {
                calls: 1_204,
                total_ms: 3_912_004.0,
                mean_ms: 3_249.2,
                query: "SELECT customer_id, sum(total) FROM orders JOIN order_lines USING (order_id) GROUP BY 1".into(),
            }],
        },
        limits: vec![
            "role watcher is not a superuser: it cannot cancel or terminate superusers' sessions"
                .into(),
        ],
    };
    model.add_target("main-db", TargetKind::Postgres);
    model.apply_update(Update::Series {
        target: "main-db".into(),
        at: now,
        series: snap.series("main-db"),
        health: Health::Ok,
    });
    model.apply_update(Update::Database {
        target: "main-db".into(),
        at: now,
        snapshot: Box::new(snap),
    });
}
