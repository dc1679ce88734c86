//! Snapshots of a capacity run in the load view (`:load URL --stages ...`):
//! finished, with a stage that held, one that failed its threshold beside
//! the workload at its CPU limit and a database that could not be read, and
//! one not run; the verdict and the bottleneck below, the workload's panes
//! beside.

#[path = "support/screen.rs"]
mod screen;

use opsdeck::config::theme::Theme;
use opsdeck::console::load_run::LoadRun;
use opsdeck::console::Model;
use opsdeck::load::args::{parse_line, LineRun};
use opsdeck::load::capacity::bottleneck::Bottleneck;
use opsdeck::load::capacity::infra::{fold, InfraSample, WorkloadUse};
use opsdeck::load::capacity::run::Progress;
use opsdeck::load::capacity::threshold::Extra;
use opsdeck::load::capacity::verdict::{verdict, StageRow};
use opsdeck::load::{LoadFigures, Sample, Stats};
use opsdeck::ui::state::{UiState, View};
use screen::fixtures::sample_model;
use screen::*;
use std::time::Duration;

fn figures(latency_ms: u64, secs: u64) -> LoadFigures {
    let mut stats = Stats::new();
    for i in 0..(secs * 50) {
        stats.record(&Sample {
            done_at: Duration::from_millis(i * 20),
            latency: Duration::from_millis(latency_ms + i % 7),
            service: Duration::from_millis(latency_ms),
            result: Ok(if i % 97 == 0 { 503 } else { 200 }),
        });
    }
    stats.snapshot(Duration::from_secs(secs), 4)
}

fn beside(cpu: f64) -> InfraSample {
    InfraSample {
        workload: Some(Ok(WorkloadUse {
            name: "local/shop/api".into(),
            cpu_percent: cpu,
            cpu_limit_percent: 50.0,
            mem_bytes: 64 << 20,
            mem_limit_bytes: 256 << 20,
            restarts: 0,
        })),
        databases: vec![("main-db".into(), Err("connection refused".into()))],
    }
}

/// A run of three stages over `local/shop/api`'s published port, finished.
fn finished(model: &mut Model) -> UiState {
    let line = "http://127.0.0.1:8081/work --stages 50:20s,100:20s,200:20s --threshold 'p95<500ms' --threshold 'errors<5%' --target 100 --report capacity.md";
    let Ok(LineRun::Capacity { load, capacity }) = parse_line(line) else {
        panic!("a capacity run");
    };
    let spec = capacity.spec(&load, None).unwrap();
    let judge = |i: usize, ms: u64, cpu: f64| {
        let mut row = StageRow::judge(
            spec.stages[i],
            figures(ms, 20),
            Extra::default(),
            &spec.thresholds,
        );
        row.infra = Some(fold(&[beside(cpu / 2.0), beside(cpu)]));
        row
    };
    let mut failed = judge(1, 800, 48.5);
    failed.bottleneck = Some(Bottleneck {
        step: "scale_up".into(),
        title: "CPU-bound: scale out".into(),
        readings: opsdeck::load::capacity::table::infra_text(failed.infra.as_ref().unwrap()),
    });
    let rows = vec![
        judge(0, 120, 20.0),
        failed,
        StageRow::not_run(spec.stages[2], "an earlier stage failed"),
    ];
    let v = verdict(&rows, spec.target);
    let mut run = LoadRun::capacity(spec, None, capacity.report.clone(), model);
    run.on_progress(Progress {
        rows,
        current: None,
        verdict: Some(v),
        stopped: false,
    });
    run.capacity.as_mut().unwrap().written = Some(Ok("capacity.md".into()));
    model.load = Some(run);
    let mut ui = ui();
    ui.view = View::Load;
    ui
}

#[test]
fn capacity_run_finished_160x48() {
    let mut model = sample_model(NOW, 16, 600);
    let ui = finished(&mut model);
    let buf = frame(&model, &ui, 160, 48);
    let shown = text(&buf);
    assert!(shown.contains("holds 50 users at p95 "), "{shown}");
    assert!(shown.contains("fails at 100 users: p95 "), "{shown}");
    assert!(shown.contains("CPU-bound: scale out"), "{shown}");
    assert!(
        shown.contains("main-db unread: connection refused"),
        "{shown}"
    );
    assert!(
        shown.contains("not run: an earlier stage failed"),
        "{shown}"
    );
    assert!(shown.contains("report written to capacity.md"), "{shown}");
    // Beside the stages: the workload behind the port, as for one URL.
    assert!(shown.contains("CPU local/shop/api"), "{shown}");
    let theme = Theme::default();
    assert_eq!(buf[find(&buf, "passed")].fg, theme.ok.fg.unwrap());
    assert_eq!(
        buf[find(&buf, "FAILED: p95")].fg,
        theme.critical.fg.unwrap()
    );
    insta::assert_snapshot!(shown);
}

#[test]
fn capacity_run_finished_80x24() {
    let mut model = sample_model(NOW, 4, 600);
    let ui = finished(&mut model);
    insta::assert_snapshot!(text(&frame(&model, &ui, 80, 24)));
}

#[test]
fn a_capacity_run_renders_at_every_size_without_panic() {
    let mut model = sample_model(NOW, 4, 600);
    let mut ui = finished(&mut model);
    for (w, h) in [(1, 1), (10, 5), (40, 12), (80, 24), (300, 90)] {
        frame(&model, &ui, w, h);
        ui.mode = opsdeck::ui::state::Mode::Help;
        frame(&model, &ui, w, h);
        ui.mode = opsdeck::ui::state::Mode::Normal;
    }
}

/// Mid-run: the first stage judged, the second running with its figures so
/// far and its progress, the third waiting; no verdict yet.
#[test]
fn a_running_stage_shows_its_figures_so_far() {
    let mut model = sample_model(NOW, 4, 600);
    let mut ui = finished(&mut model);
    let run = model.load.as_mut().unwrap();
    let mut progress = run.capacity.as_ref().unwrap().progress.clone();
    progress.rows.truncate(1);
    progress.verdict = None;
    progress.current = Some(1);
    run.on_progress(progress);
    run.capacity.as_mut().unwrap().written = None;
    run.figures = Some(figures(300, 8));
    ui.action = Some(opsdeck::ui::state::action_flow::ActionFlow::Running {
        plan: run.capacity.as_ref().unwrap().spec.plan(),
        progress: Vec::new(),
        hidden: true,
    });
    let shown = text(&frame(&model, &ui, 160, 48));
    assert!(shown.contains("stage 2/3 · x stops"), "{shown}");
    assert!(shown.contains("1 of 3 judged"), "{shown}");
    assert!(
        shown
            .lines()
            .any(|l| l.contains("100 users for 20s") && l.contains("running")),
        "{shown}"
    );
    assert!(
        shown
            .lines()
            .any(|l| l.contains("200 users for 20s") && l.contains("waiting")),
        "{shown}"
    );
    assert!(shown.contains("8.0s  400 requests"), "{shown}");
    assert!(
        shown.contains("the verdict comes when the stages are through"),
        "{shown}"
    );
    assert!(
        shown.contains("the report is written to capacity.md"),
        "{shown}"
    );
    assert!(shown.contains("100 users for 20s ████████ "), "{shown}");
    assert!(shown.contains(" 8s of 20s"), "{shown}");
}
