//! Snapshots of the views that came with services, runbooks, silences and
//! load runs: the metrics view, a runbook mid-run, the alerts view's
//! acknowledgements, silences and Prometheus rules, and a load run.

#[path = "support/screen.rs"]
mod screen;

use opsdeck::config::theme::Theme;
use opsdeck::console::Model;
use opsdeck::ui::state::action_flow::ActionFlow;
use opsdeck::ui::state::{UiState, View};
use screen::fixtures::sample_model;
use screen::*;
use std::time::Duration;

/// Long enough a history for the 5-minute rules to fire.
fn alerting() -> Model {
    sample_model(NOW, 4, 900)
}

fn metrics_model() -> Model {
    let mut m = console();
    screen::fixtures::add_sample_metrics(&mut m, NOW);
    m
}

#[test]
fn metrics_80x24() {
    insta::assert_snapshot!(text(&frame(
        &metrics_model(),
        &in_view(View::Metrics),
        80,
        24
    )));
}

#[test]
fn metrics_160x48() {
    insta::assert_snapshot!(text(&frame(
        &metrics_model(),
        &in_view(View::Metrics),
        160,
        48
    )));
}

#[test]
fn metrics_with_nothing_configured_says_what_to_add() {
    let buf = frame(&console(), &in_view(View::Metrics), 80, 24);
    assert!(text(&buf).contains("no services: add a [[probe]], [[scrape]] or [[service]]"));
}

#[test]
fn metrics_colours_slow_failing_and_expiring() {
    let buf = frame(&metrics_model(), &in_view(View::Metrics), 160, 48);
    let theme = Theme::default();
    let fg = |needle: &str| buf[find(&buf, needle)].fg;
    assert_eq!(fg("8.30%"), theme.critical.fg.unwrap(), "8.3% errors");
    assert_eq!(
        fg("5d"),
        theme.critical.fg.unwrap(),
        "cert 5 days from expiry"
    );
    assert_eq!(fg("1.60 s"), theme.warning.fg.unwrap(), "p95 above 1 s");
}

/// site-down mid-run: the probe failed, the replicas check passed, and the
/// rollback's plan waits for a yes.
/// Returns the view and the model holding the run.
fn runbook_ui(mut model: Model) -> (Model, UiState) {
    use opsdeck::console::runbook::{Question, RunEvent};
    use opsdeck::runbook::timeline::{Entry, TimelineEntry};
    let (catalog, _) = opsdeck::runbook::catalog::Catalog::builtin();
    let rb = catalog.get("site-down").unwrap().runbook.clone();
    let mut pane = opsdeck::console::runbook::RunbookSession::new(
        "site-down-20261123T141300Z-1a2b".into(),
        rb,
        "/data/runs/site-down-20261123T141300Z-1a2b.jsonl".into(),
    );
    let at = "2026-11-23T14:13:00Z".to_string();
    let entry = |step: Option<&str>, event: Entry| {
        RunEvent::Entry(Box::new(TimelineEntry {
            at: at.clone(),
            step: step.map(str::to_string),
            event,
        }))
    };
    let mut params = std::collections::BTreeMap::new();
    params.insert("workload".to_string(), serde_json::json!("local/shop/api"));
    for e in [
        entry(
            None,
            Entry::RunStarted {
                runbook: "site-down".into(),
                mode: opsdeck::runbook::status::RunMode::Run,
                params,
                labels: Default::default(),
                alert: None,
                withheld: Vec::new(),
            },
        ),
        entry(Some("probe"), Entry::StepStarted { attempt: 1 }),
        entry(
            Some("probe"),
            Entry::StepFinished {
                status: opsdeck::runbook::status::StepState::Failed,
                value: serde_json::Value::Null,
                output: "HTTP 503 (expected 200)".into(),
            },
        ),
        entry(Some("replicas"), Entry::StepStarted { attempt: 1 }),
        entry(
            Some("replicas"),
            Entry::StepFinished {
                status: opsdeck::runbook::status::StepState::Passed,
                value: serde_json::Value::Null,
                output: "3/3 ready".into(),
            },
        ),
        RunEvent::Ask(Question::Confirm {
            step: "replicas".into(),
            what: "rollback local/shop/api".into(),
            plan: "rollback local/shop/api to opsdeck-demo:v1\n  stop shop-api-1 (image opsdeck-demo:v2 → opsdeck-demo:v1)\n  create shop-api-1".into(),
            undo: false,
        }),
    ] {
        pane.on_event(e);
    }
    model.runbook = Some(pane);
    (model, in_view(View::Runbook))
}

#[test]
fn runbook_mid_run_120x36() {
    let (model, ui) = runbook_ui(console());
    insta::assert_snapshot!(text(&frame(&model, &ui, 120, 36)));
}

#[test]
fn runbook_mid_run_80x24() {
    let (model, ui) = runbook_ui(console());
    insta::assert_snapshot!(text(&frame(&model, &ui, 80, 24)));
}

fn alerts_list(list: opsdeck::ui::state::AlertsList) -> UiState {
    let mut ui = in_view(View::Alerts);
    ui.tables.alerts_list = list;
    ui
}

/// The sample's firing SiteDown alert acknowledged with a note (in memory:
/// the sample model's ack log has no file).
fn acknowledged() -> Model {
    let mut model = alerting();
    let row = model
        .alerts
        .rows()
        .into_iter()
        .find(|r| r.alert.rule == "SiteDown")
        .expect("SiteDown fires in the sample");
    model
        .alerts
        .acknowledge(&row, "ana@ops-1", NOW, "restarting the proxy");
    model
}

#[test]
fn alerts_with_an_ack_160x48() {
    insta::assert_snapshot!(text(&frame(
        &acknowledged(),
        &in_view(View::Alerts),
        160,
        48
    )));
}

#[test]
fn an_acknowledged_alert_is_marked_muted_and_below_the_unacknowledged() {
    for theme_name in Theme::builtin_names() {
        let theme = Theme::load(theme_name).unwrap();
        let mut ui = UiState::new(theme.clone());
        ui.view = View::Alerts;
        let buf = frame(&acknowledged(), &ui, 160, 48);
        let t = text(&buf);
        let site = find(&buf, "SiteDown");
        let line = t.lines().nth(site.1 as usize).unwrap();
        assert!(line.contains("firing") && line.contains(" ack "), "{line}");
        assert_eq!(buf[site].fg, theme.muted.fg.unwrap(), "{theme_name}");
        // Still listed, but after what no one has looked at, before the silenced.
        assert!(find(&buf, "DemoSlow").1 < site.1, "{t}");
        assert!(site.1 < find(&buf, "BackupLate").1, "{t}");
    }
}

#[test]
fn silences_80x24() {
    let ui = alerts_list(opsdeck::ui::state::AlertsList::Silences);
    insta::assert_snapshot!(text(&frame(&alerting(), &ui, 80, 24)));
}

#[test]
fn silences_160x48() {
    let ui = alerts_list(opsdeck::ui::state::AlertsList::Silences);
    let buf = frame(&alerting(), &ui, 160, 48);
    let t = text(&buf);
    // The active silence mutes the sample's BackupLate alert.
    let line = t.lines().nth(find(&buf, "8e6d45bd").1 as usize).unwrap();
    assert!(line.contains("active") && line.contains(" 1 "), "{line}");
    insta::assert_snapshot!(t);
}

#[test]
fn prometheus_rules_160x48() {
    let ui = alerts_list(opsdeck::ui::state::AlertsList::Rules);
    let buf = frame(&alerting(), &ui, 160, 48);
    let t = text(&buf);
    let at = |needle: &str| find(&buf, needle).1;
    assert!(at("DemoErrors") < at("DemoSlow"), "firing first: {t}");
    let line = t.lines().nth(at("DemoErrors") as usize).unwrap();
    assert!(line.contains("site-down"), "runbook_url mapped: {line}");
    assert!(t.contains("same labelset"), "last error shown: {t}");
    insta::assert_snapshot!(t);
}

#[test]
fn silence_prompt_in_the_footer() {
    let mut ui = in_view(View::Alerts);
    ui.action = Some(ActionFlow::AskSilence {
        alertmanager: "am".into(),
        matchers: vec![opsdeck::alertmanager::Matcher::equal(
            "alertname",
            "DemoSlow",
        )],
        text: "2h ".into(),
        error: Some("add a comment after the duration: say why".into()),
    });
    let t = text(&frame(&alerting(), &ui, 120, 30));
    let footer = t.lines().last().unwrap();
    assert!(footer.contains("silence on am for 2h"), "{footer}");
    assert!(footer.contains("say why"), "{footer}");
}

/// A load run at `local/shop/api`'s published port: figures beside the
/// workload's CPU and memory, the dialog stepped aside while it runs.
fn load_ui(model: &mut Model) -> UiState {
    use opsdeck::console::load_run::LoadRun;
    use opsdeck::load::{ErrorKind, Sample, Stats};
    let opsdeck::load::args::LineRun::Single(spec) = opsdeck::load::args::parse_line(
        "http://127.0.0.1:8081/work -c 20 -d 30s --rate 200 --profile spike --spike-x 5",
    )
    .unwrap() else {
        panic!("a single-URL run");
    };
    let mut stats = Stats::new();
    for i in 0..3000u64 {
        let slow = (i / 200) % 3 == 1;
        stats.record(&Sample {
            done_at: Duration::from_millis(i * 4),
            latency: Duration::from_micros(800 + (i % 50) * 40 + if slow { 30_000 } else { 0 }),
            service: Duration::from_micros(800),
            result: match i % 100 {
                0 => Err(ErrorKind::Timeout),
                1 | 2 => Ok(503),
                _ => Ok(200),
            },
        });
    }
    let mut ui = ui();
    ui.view = opsdeck::ui::state::View::Load;
    let plan = spec.plan();
    let mut run = LoadRun::new(spec, model);
    run.figures = Some(stats.snapshot(Duration::from_secs(12), 10));
    model.load = Some(run);
    ui.action = Some(ActionFlow::Running {
        plan,
        progress: Vec::new(),
        hidden: true,
    });
    ui
}

#[test]
fn load_view_80x24() {
    let mut model = sample_model(NOW, 4, 600);
    let ui = load_ui(&mut model);
    insta::assert_snapshot!(text(&frame(&model, &ui, 80, 24)));
}

#[test]
fn load_view_160x48() {
    let mut model = sample_model(NOW, 16, 3600);
    let ui = load_ui(&mut model);
    insta::assert_snapshot!(text(&frame(&model, &ui, 160, 48)));
}

#[test]
fn these_views_render_at_every_size_without_panic() {
    let mut with_load = metrics_model();
    let load = load_ui(&mut with_load);
    let views = [
        (metrics_model(), in_view(View::Metrics)),
        runbook_ui(metrics_model()),
        (with_load, load),
    ];
    for (model, mut ui) in views {
        for (w, h) in [(1, 1), (10, 5), (40, 12), (80, 24), (300, 90)] {
            frame(&model, &ui, w, h);
            ui.mode = opsdeck::ui::state::Mode::Help;
            frame(&model, &ui, w, h);
            ui.mode = opsdeck::ui::state::Mode::Normal;
        }
    }
}

/// A ten-replica rollback plan is longer than the pane: the keys that answer
/// stay on its edge and the plan scrolls.
#[test]
fn a_long_plan_keeps_its_keys_and_scrolls() {
    use opsdeck::console::runbook::{Question, RunEvent};
    let (mut model, mut ui) = runbook_ui(console());
    let mut plan = String::from("rollback local/shop/api to opsdeck-demo:v1");
    for n in 1..=10 {
        plan.push_str(&format!(
            "\n  stop shop-api-{n} (image opsdeck-demo:v2 → opsdeck-demo:v1)\n  create shop-api-{n}\n  wait healthy shop-api-{n}"
        ));
    }
    model
        .runbook
        .as_mut()
        .unwrap()
        .on_event(RunEvent::Ask(Question::Confirm {
            step: "rollback".into(),
            what: "rollback local/shop/api".into(),
            plan,
            undo: false,
        }));
    for (w, h) in [(160, 48), (80, 24)] {
        let screen = text(&frame(&model, &ui, w, h));
        assert!(screen.contains("y apply · n decline"), "{w}x{h}:\n{screen}");
        assert!(screen.contains("j k scroll"), "{w}x{h}:\n{screen}");
        assert!(!screen.contains("wait healthy shop-api-10"), "{screen}");
    }
    ui.question_scroll = 99;
    let screen = text(&frame(&model, &ui, 160, 48));
    assert!(screen.contains("wait healthy shop-api-10"), "{screen}");
    assert!(screen.contains("y apply · n decline"), "{screen}");
}
