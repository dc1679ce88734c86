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
    // The last reading stays on screen, marked as what it is.
    assert!(
        screen.contains(
            "main-db as of 14:13:20 — stale: shop@db.internal:5432/shop: error connecting"
        ),
        "{screen}"
    );
    assert!(screen.contains("4242"), "{screen}");
    let screen = text(&frame(&console(), &in_view(View::Database), 80, 24));
    assert!(
        screen.contains("no [[postgres]] target is configured")
            && screen.contains("no PostgreSQL target has reported yet"),
        "{screen}"
    );
}

#[test]
fn a_stale_target_is_dimmed_under_its_as_of_line_80x24() {
    let mut m = with_database();
    let t = m.targets.iter_mut().find(|t| t.name == "main-db").unwrap();
    t.health = Health::Degraded {
        reason: "connection refused".into(),
        since: NOW + 5,
        retry_in: Duration::from_secs(4),
    };
    let mut ui = in_view(View::Database);
    ui.tables.database.selected = Some("main-db/4301".into());
    let buf = frame(&m, &ui, 80, 24);
    insta::assert_snapshot!(text(&buf));
    // Nothing in the old reading keeps its alarm colour: not the root, not the timers.
    for needle in ["⇢ root of 2", "5m", "idle in tx", "slow 2 (worst 3.25 s)"] {
        let (x, y) = find(&buf, needle);
        assert_eq!(buf[(x, y)].style().fg, ui.theme.muted.fg, "{needle}");
    }
    let (x, y) = find(&buf, "as of 14:13:20 — stale: connection refused");
    assert_eq!(buf[(x, y)].style().fg, ui.theme.warning.fg);

    // No news for longer than three refreshes is stale too, while the
    // collector has not yet given up.
    let mut m = with_database();
    m.now = NOW + 40;
    let screen = text(&frame(&m, &ui, 120, 30));
    assert!(
        screen.contains("as of 14:13:20 — stale: no reading for 40s"),
        "{screen}"
    );
}

#[test]
fn only_roots_are_red_and_waiters_name_their_root() {
    let m = with_database();
    let ui = in_view(View::Database);
    let buf = frame(&m, &ui, 160, 48);
    let red = ui.theme.severity(opsdeck::model::Severity::Critical).fg;
    let amber = ui.theme.severity(opsdeck::model::Severity::Warning).fg;
    let (x, y) = find(&buf, "⇢ root of 2");
    assert_eq!(buf[(x, y)].style().fg, red);
    let (x, y) = find(&buf, "waits for 4242 (root)");
    assert_eq!(buf[(x, y)].style().fg, amber);
    let (x, y) = find(&buf, "waits for 4243 (root 4242)");
    assert_eq!(buf[(x, y)].style().fg, amber);
    let (x, y) = find(&buf, "21m");
    assert_eq!(buf[(x, y)].style().fg, red);
    // The columns pg_activity users look for.
    let screen = text(&buf);
    for column in ["DB", "CLIENT", "BACKEND", "XACT", "LOCK"] {
        assert!(screen.contains(column), "{column}:\n{screen}");
    }
    assert!(screen.contains("ShareLock on trans"), "{screen}");
}

#[test]
fn at_80x24_the_summary_leads_with_what_is_wrong_and_the_query_takes_the_rest() {
    let buf = frame(&with_database(), &in_view(View::Database), 80, 24);
    let screen = text(&buf);
    let head = screen.lines().nth(2).unwrap();
    assert!(
        head.contains("blocked 2 (root 4242) · connections 27/30 90.0%"),
        "{head}"
    );
    assert!(screen.contains("⇢ root of 2"), "{screen}");
    assert!(screen.contains("waits for 4243 (root 4242)"), "{screen}");
    // The root's row: its query gets what PID, chain, state and time leave.
    let row = screen.lines().find(|l| l.contains("⇢ root of 2")).unwrap();
    let query = row.split("UPDATE").nth(1).expect("the query shows");
    assert!(query.chars().count() >= 20, "{row}");
}

#[test]
fn enter_shows_the_whole_query_wrapped_with_the_keys_80x24() {
    let m = with_database();
    let mut ui = in_view(View::Database);
    ui.db.detail = Some("main-db/4244".into());
    insta::assert_snapshot!(text(&frame(&m, &ui, 80, 24)));
    ui.db.detail_scroll = 1000;
    let screen = text(&frame(&m, &ui, 80, 24));
    assert!(
        screen.contains("RETURNING id, status"),
        "scrolled to the end:\n{screen}"
    );
    assert!(screen.contains("c cancel query  x terminate"), "{screen}");
}

#[test]
fn tab_lists_who_holds_the_connections_80x24() {
    let mut ui = in_view(View::Database);
    ui.db.list = opsdeck::ui::state::database::DbList::Holders;
    insta::assert_snapshot!(text(&frame(&with_database(), &ui, 80, 24)));
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

/// Two backups beside the target they protect: one fresh, one over its
/// max_age and cut short, one that cannot be read; each in its colour.
#[test]
fn backups_sit_under_the_target_they_protect_160x48() {
    use opsdeck::console::backups::BackupDef;
    use opsdeck::model::TargetKind;
    let mut m = with_database();
    let day = Duration::from_secs(26 * 3600);
    for name in ["nightly", "weekly", "offsite"] {
        m.backups.push(BackupDef {
            name: name.into(),
            postgres: "main-db".into(),
            max_age: day,
            ..BackupDef::default()
        });
        m.add_target(name, TargetKind::Backup);
        m.targets.last_mut().unwrap().health = Health::Ok;
    }
    let at = m.now;
    for (series, v) in [
        ("nightly:age_seconds", 3.0 * 3600.0),
        ("nightly:size_bytes", 52_428_800.0),
        ("nightly:size_ratio", 1.02),
        ("weekly:age_seconds", 30.0 * 3600.0),
        ("weekly:size_bytes", 1_048_576.0),
        ("weekly:size_ratio", 0.1),
    ] {
        m.store.record(&format!("backup:{series}"), at, v);
    }
    m.targets
        .iter_mut()
        .find(|t| t.name == "offsite")
        .unwrap()
        .health = Health::Degraded {
        reason: "cannot list /mnt/offsite: No such file or directory (os error 2)".into(),
        since: at,
        retry_in: Duration::from_secs(30),
    };
    let buf = frame(&m, &in_view(View::Database), 160, 48);
    insta::assert_snapshot!(text(&buf));
    let ui = in_view(View::Database);
    let colour = |needle: &str| buf[find(&buf, needle)].fg;
    assert_eq!(colour("newest 3h old"), ui.theme.ok.fg.unwrap());
    assert_eq!(
        colour("STALE: newest"),
        ui.theme
            .severity(opsdeck::model::Severity::Warning)
            .fg
            .unwrap()
    );
    assert_eq!(
        colour("unreadable: cannot list"),
        ui.theme
            .severity(opsdeck::model::Severity::Critical)
            .fg
            .unwrap()
    );
}
