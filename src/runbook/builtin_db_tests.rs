//! The database runbook, driven as in the parent module.

use super::*;

fn holders() -> Facts {
    rows(
        &[
            "user",
            "application",
            "client",
            "state",
            "connections",
            "share",
        ],
        vec![vec![
            json!("app"),
            json!("pool"),
            json!("10.0.0.5"),
            json!("idle in transaction"),
            json!(24),
            json!(80.0),
        ]],
    )
}

fn top_holder(pids: serde_json::Value) -> Facts {
    rows(
        &[
            "pids",
            "idle_in_tx",
            "user",
            "application",
            "client",
            "connections",
        ],
        vec![vec![
            pids,
            json!(24),
            json!("app"),
            json!("pool"),
            json!("10.0.0.5"),
            json!(24),
        ]],
    )
}

/// A database with one application holding most connections (`top` its
/// idle-in-transaction pids), `connections` of max_connections in use, and
/// nothing else wrong.
fn busy_holder(step: &str, connections: f64, top: &str) -> Facts {
    match step {
        "up" => Facts::Number(Some(1.0)),
        "connections" => Facts::Number(Some(connections)),
        "holders" => holders(),
        "top_holder" => top_holder(json!(top)),
        "idle_in_tx" | "long_queries" | "root_blockers" => rows(&["sessions"], vec![]),
        "blocked" => Facts::Number(Some(0.0)),
        "has_statements" => rows(&["installed"], vec![vec![json!(1)]]),
        "slow_pattern" => rows(&["mean_ms"], vec![vec![json!(3.0)]]),
        other => panic!("unexpected check {other}"),
    }
}

#[test]
fn database_names_who_holds_the_connections_and_frees_its_idle_transactions() {
    let t = drive(
        "database",
        RunMode::Run,
        &[("db", "main-db")],
        &[],
        |step| busy_holder(step, 0.97, "5000,5001,5002"),
    );
    assert_eq!(t.outcome, RunOutcome::completed());
    assert_eq!(
        t.applied,
        [Action::DbTerminate {
            target: "main-db".into(),
            pids: vec![5000, 5001, 5002]
        }]
    );
    let at = |id: &str| t.started.iter().position(|s| s == id).unwrap();
    assert!(at("holders") < at("release_idle") && at("release_idle") < at("idle_in_tx"));
    // With connections below the line, the same holder is left alone.
    let t = drive(
        "database",
        RunMode::Run,
        &[("db", "main-db")],
        &[],
        |step| busy_holder(step, 0.3, "5000"),
    );
    assert!(t.applied.is_empty(), "{:?}", t.applied);
}

#[test]
fn database_cancels_then_terminates_the_head_of_a_lock_chain() {
    let blocker = || {
        rows(
            &["pid", "usename", "state"],
            vec![vec![
                json!(4242),
                json!("app"),
                json!("idle in transaction"),
            ]],
        )
    };
    let t = drive(
        "database",
        RunMode::Run,
        &[("db", "main-db")],
        &[("pid", "4242")],
        |step| match step {
            "up" => Facts::Number(Some(1.0)),
            "connections" => Facts::Number(Some(0.93)),
            "holders" => holders(),
            // The top holder leaves nothing idle in a transaction.
            "top_holder" => top_holder(json!(null)),
            "idle_in_tx" => rows(&["sessions"], vec![vec![json!(1)]]),
            "long_queries" | "root_blockers" => blocker(),
            "blocked" => Facts::Number(Some(1.0)),
            "cancelled" => rows(&["count"], vec![vec![json!(1)]]),
            "recheck" => Facts::Number(Some(0.0)),
            "has_statements" => rows(&["installed"], vec![vec![json!(1)]]),
            "slow_pattern" => rows(
                &["mean_ms", "calls", "query"],
                vec![vec![
                    json!(2400.5),
                    json!(12),
                    json!("select * from orders where ..."),
                ]],
            ),
            other => panic!("unexpected check {other}"),
        },
    );
    assert_eq!(t.outcome, RunOutcome::completed());
    assert_eq!(
        t.applied,
        [
            Action::DbCancel {
                target: "main-db".into(),
                pids: vec![4242]
            },
            Action::DbTerminate {
                target: "main-db".into(),
                pids: vec![4242]
            }
        ]
    );
    assert!(t
        .prompts
        .iter()
        .any(|p| p.contains("Root of the worst lock chain: 4242")));
    assert!(t
        .prompts
        .iter()
        .any(|p| p.contains("CREATE INDEX CONCURRENTLY")));
}

#[test]
fn database_without_pg_stat_statements_skips_the_slow_statements_and_completes() {
    let t = drive(
        "database",
        RunMode::Run,
        &[("db", "main-db")],
        &[],
        |step| match step {
            "up" => Facts::Number(Some(1.0)),
            "connections" => Facts::Number(Some(0.3)),
            "holders" => holders(),
            "top_holder" => top_holder(json!(null)),
            "idle_in_tx" | "long_queries" | "root_blockers" => rows(&["sessions"], vec![]),
            "blocked" => Facts::Number(Some(0.0)),
            "has_statements" => rows(&["installed"], vec![vec![json!(0)]]),
            other => panic!("unexpected check {other}"),
        },
    );
    // Not installed is a finding: nothing was left unread, so the run completes.
    assert_eq!(t.outcome, RunOutcome::completed());
    assert!(!t.started.iter().any(|s| s == "slow_pattern") || t.applied.is_empty());
    assert!(
        t.prompts
            .iter()
            .any(|p| p.contains("not read: pg_stat_statements is not installed")),
        "{:?}",
        t.prompts
    );
}
