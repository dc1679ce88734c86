//! `:load URL --stages ...` in the console: planned through the dialog,
//! each stage as it comes, the verdict at the end, `x`, `--read-only`.

use super::super::testkit::{keys, setup};
use super::super::{update, UiEvent};
use super::*;
use crate::action::{ActionEvent, Outcome as ActionOutcome};
use crate::console::Event;
use crate::load::capacity::run::Progress;
use crate::load::capacity::spec::CapacitySpec;
use crate::load::capacity::threshold::Extra;
use crate::load::capacity::verdict::{verdict, StageRow};
use crate::load::stats::{Sample, Stats};
use crate::load::LoadFigures;
use std::time::Duration;

const LINE: &str =
    ":load http://127.0.0.1:8081/work --stages 2:3s,4:3s --threshold 'p95<500ms' --report /x/capacity.md\n";

fn figures(latency_ms: u64) -> LoadFigures {
    let mut s = Stats::new();
    for i in 0..40 {
        s.record(&Sample {
            done_at: Duration::from_millis(i * 50),
            latency: Duration::from_millis(latency_ms),
            service: Duration::from_millis(latency_ms),
            result: Ok(200),
        });
    }
    s.snapshot(Duration::from_secs(2), 4)
}

fn judged(spec: &CapacitySpec, i: usize, latency_ms: u64) -> StageRow {
    StageRow::judge(
        spec.stages[i],
        figures(latency_ms),
        Extra::default(),
        &spec.thresholds,
    )
}

fn progress(m: &mut Model, ui: &mut UiState, p: Progress) {
    update(m, ui, UiEvent::from(Event::Capacity(Box::new(p))));
}

/// Types LINE and confirms its plan: the run is under way.
fn started(m: &mut Model, ui: &mut UiState) -> CapacitySpec {
    let cmds = keys(m, ui, LINE);
    let [Command::PlanCapacity(ask)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(
        ask.report.as_deref(),
        Some(std::path::Path::new("/x/capacity.md"))
    );
    let spec = ask.spec.clone();
    let plan = spec.plan();
    update(
        m,
        ui,
        UiEvent::from(Event::Action(ActionEvent::Planned(Ok(plan)))),
    );
    assert!(matches!(ui.action, Some(ActionFlow::Confirm(_))));
    let cmds = keys(m, ui, "y");
    assert!(matches!(cmds.as_slice(), [Command::Execute(_)]), "{cmds:?}");
    // The dialog steps aside: the stages are the run's progress.
    assert!(!ui.action.as_ref().unwrap().is_modal());
    spec
}

#[test]
fn a_capacity_run_is_planned_runs_stage_by_stage_and_ends_with_the_verdict() {
    let (mut m, mut ui) = setup();
    let spec = started(&mut m, &mut ui);
    assert_eq!(ui.view, View::Load);
    let run = m.load.as_ref().unwrap();
    // The workload behind the URL's port, as for one URL: its panes sit beside.
    assert_eq!(
        run.workload.as_ref().map(|w| w.to_string()),
        Some("local/shop/api".into())
    );
    let cap = run.capacity.as_ref().unwrap();
    assert_eq!(cap.spec.stages.len(), 2);
    assert_eq!(cap.spec.thresholds[0].text, "p95<500ms");

    progress(
        &mut m,
        &mut ui,
        Progress {
            current: Some(0),
            ..Progress::default()
        },
    );
    update(
        &mut m,
        &mut ui,
        UiEvent::from(Event::Load(Box::new(figures(20)))),
    );
    assert!(m.load.as_ref().unwrap().figures.is_some());
    // The first stage judged, the second begun: its figures start afresh.
    let first = judged(&spec, 0, 20);
    progress(
        &mut m,
        &mut ui,
        Progress {
            rows: vec![first.clone()],
            current: Some(1),
            ..Progress::default()
        },
    );
    let run = m.load.as_ref().unwrap();
    assert!(
        run.figures.is_none(),
        "the first stage's figures are not the second's"
    );
    assert_eq!(
        run.capacity.as_ref().unwrap().progress.rows,
        vec![first.clone()]
    );

    update(
        &mut m,
        &mut ui,
        UiEvent::from(Event::Load(Box::new(figures(900)))),
    );
    let rows = vec![first, judged(&spec, 1, 900)];
    let v = verdict(&rows, spec.target);
    let line = v.line.clone();
    progress(
        &mut m,
        &mut ui,
        Progress {
            rows,
            current: None,
            verdict: Some(v),
            stopped: false,
        },
    );
    assert!(
        m.load.as_ref().unwrap().figures.is_some(),
        "the run is over: the last stage's figures stay on screen"
    );
    update(
        &mut m,
        &mut ui,
        UiEvent::from(Event::Action(ActionEvent::Done(Ok(ActionOutcome {
            ok: false,
            message: line.clone(),
            rolled_back: false,
        })))),
    );
    assert!(
        line.starts_with("holds 2 users at p95 20 ms; fails at 4 users: p95 0.9 s (p95<500ms)"),
        "{line}"
    );
    let (said, sev) = ui.message.clone().unwrap();
    assert!(said.ends_with(&line), "{said}");
    assert_eq!(sev, Severity::Critical);
    assert!(ui.action.is_none(), "the run is over");
    update(
        &mut m,
        &mut ui,
        UiEvent::from(Event::CapacityReport(Ok("/x/capacity.md".into()))),
    );
    let (said, _) = ui.message.clone().unwrap();
    assert!(
        said.ends_with(&format!("{line} · report written to /x/capacity.md")),
        "{said}"
    );
    let cap = m.load.as_ref().unwrap().capacity.as_ref().unwrap();
    assert_eq!(cap.written, Some(Ok("/x/capacity.md".into())));
}

#[test]
fn x_stops_a_capacity_run_and_its_verdict_says_so() {
    let (mut m, mut ui) = setup();
    let spec = started(&mut m, &mut ui);
    progress(
        &mut m,
        &mut ui,
        Progress {
            current: Some(0),
            ..Progress::default()
        },
    );
    assert_eq!(keys(&mut m, &mut ui, "x"), vec![Command::StopLoad]);
    let rows = vec![
        StageRow {
            figures: Some(figures(20)),
            ..StageRow::not_run(spec.stages[0], "stopped during the stage")
        },
        StageRow::not_run(spec.stages[1], "stopped early"),
    ];
    let done = Progress {
        verdict: Some(verdict(&rows, spec.target)),
        rows,
        current: None,
        stopped: true,
    };
    let line = done.verdict_line().unwrap();
    progress(&mut m, &mut ui, done);
    update(
        &mut m,
        &mut ui,
        UiEvent::from(Event::Action(ActionEvent::Done(Ok(ActionOutcome {
            ok: false,
            message: line.clone(),
            rolled_back: false,
        })))),
    );
    assert!(
        line.starts_with("holds no stage; stopped at 2 users"),
        "{line}"
    );
    assert!(line.ends_with("(stopped early)"), "{line}");
    assert!(ui.message.as_ref().unwrap().0.ends_with(&line));
    // No run is under way any more: `x` says so.
    assert!(keys(&mut m, &mut ui, "x").is_empty());
}

#[test]
fn read_only_and_bad_capacity_flags_are_refused_before_a_plan() {
    let (mut m, mut ui) = setup();
    let cmds = keys(
        &mut m,
        &mut ui,
        ":load http://127.0.0.1:8081/ --stages 2:1s --target 7\n",
    );
    assert!(cmds.is_empty());
    let said = &ui.message.as_ref().unwrap().0;
    assert!(
        said.contains("--target 7 users is not one of the stages (2 users)"),
        "{said}"
    );
    let cmds = keys(
        &mut m,
        &mut ui,
        ":load http://127.0.0.1:8081/ --from-current nosuch\n",
    );
    assert!(cmds.is_empty());
    let said = &ui.message.as_ref().unwrap().0;
    assert!(
        said.contains("--from-current nosuch: no service of that name"),
        "{said}"
    );
    assert!(ui.action.is_none());
    assert!(m.load.is_none());

    m.read_only = true;
    let cmds = keys(&mut m, &mut ui, LINE);
    assert!(cmds.is_empty());
    assert!(ui.message.as_ref().unwrap().0.contains("read-only"));
    assert!(m.load.is_none());
    // A plan that arrives anyway is not offered for confirmation.
    m.read_only = false;
    let cmds = keys(&mut m, &mut ui, LINE);
    let [Command::PlanCapacity(ask)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    m.read_only = true;
    let plan = ask.spec.plan();
    update(
        &mut m,
        &mut ui,
        UiEvent::from(Event::Action(ActionEvent::Planned(Ok(plan)))),
    );
    assert!(ui.action.is_none());
    assert!(ui.message.as_ref().unwrap().0.contains("read-only"));
}
