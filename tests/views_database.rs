//! Snapshots of the Database view and of a backend's cancel plan, and where
//! its severity colours land.

#[path = "support/screen.rs"]
mod screen;

use opsdeck::action::{Plan, PlanStep, Request, StepOp, Verb};
use opsdeck::console::Model;
use opsdeck::model::{Health, WorkloadAddr, WorkloadKind};
use opsdeck::ui::state::action_flow::ActionFlow;
use opsdeck::ui::state::View;
use screen::*;
use std::time::Duration;

fn with_database() -> Model {
    let mut m = console();
    screen::fixtures::with_sample_database(&mut m, NOW);
    m
}

#[test]
fn database_80x24() {
    insta::assert_snapshot!(text(&frame(
        &with_database(),
        &in_view(View::Database),
        80,
        24
    )));
}

#[test]
fn database_160x48() {
    insta::assert_snapshot!(text(&frame(
        &with_database(),
        &in_view(View::Database),
        160,
        48
    )));
}

#[test]
fn database_degraded_and_unconfigured() {
    let mut m = with_database();
    let t = m.targets.iter_mut().find(|t| t.name == "main-db").unwrap();
    t.health = Health::Degraded {
        reason: "shop@db.internal:5432/shop: error connecting to server: Connection refused".into(),
        since: NOW,
        retry_in: Duration::from_secs(4),
    };
    let screen = text(&frame(&m, &in_view(View::Database), 120, 30));
    assert!(
        screen.contains("main-db degraded: shop@db.internal:5432/shop: error connecting"),
        "{screen}"
    );
    // The last reading stays on screen while the target is away.
    assert!(screen.contains("4242"), "{screen}");
    let screen = text(&frame(&console(), &in_view(View::Database), 80, 24));
    assert!(
        screen.contains("no [[postgres]] target is configured")
            && screen.contains("no PostgreSQL target has reported yet"),
        "{screen}"
    );
}

#[test]
fn lock_chain_heads_are_red_and_waiters_yellow() {
    let m = with_database();
    let ui = in_view(View::Database);
    let buf = frame(&m, &ui, 160, 48);
    let (x, y) = find(&buf, "idle in transaction ⇢ blocks 1");
    assert_eq!(
        buf[(x, y)].style().fg,
        ui.theme.severity(opsdeck::model::Severity::Critical).fg
    );
    let (x, y) = find(&buf, "21m");
    assert_eq!(
        buf[(x, y)].style().fg,
        ui.theme.severity(opsdeck::model::Severity::Critical).fg
    );
}

#[test]
fn cancel_plan_dialog_shows_whose_query_80x24() {
    let mut ui = in_view(View::Database);
    let backend: WorkloadAddr = "main-db/backend/4100".parse().unwrap();
    ui.action = Some(ActionFlow::Confirm(Plan {
        request: Request {
            workload: backend.clone(),
            verb: Verb::Cancel,
        },
        kind: WorkloadKind::Backend,
        summary: "cancel the query of backend 4100 on main-db (user report, application \
                  \"nightly-report\", active, query started 2026-09-21 13:52:20 UTC); \
                  the session stays connected"
            .into(),
        steps: vec![
            PlanStep {
                op: StepOp::Cancel,
                subject: backend.to_string(),
                detail: "pg_cancel_backend(4100): SELECT customer_id, sum(total) FROM orders"
                    .into(),
            },
            PlanStep {
                op: StepOp::Verify,
                subject: backend.to_string(),
                detail: "the backend is no longer running that query".into(),
            },
        ],
        destructive: true,
    }));
    insta::assert_snapshot!(text(&frame(&with_database(), &ui, 80, 24)));
}
