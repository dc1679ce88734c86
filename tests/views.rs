//! Snapshots of every view through ratatui's TestBackend, and checks that
//! severity colours land on the right cells.

use opsdeck::config::theme::Theme;
use opsdeck::console::Model;
use opsdeck::model::Health;
use opsdeck::ui::state::{Mode, Pane, UiState};
use screen::fixtures::sample_model;
use std::time::Duration;

#[path = "support/screen.rs"]
mod screen;
use screen::*;

#[test]
fn overview_80x24() {
    insta::assert_snapshot!(text(&frame(&sample_model(NOW, 4, 600), &ui(), 80, 24)));
}

#[test]
fn overview_160x48() {
    insta::assert_snapshot!(text(&frame(&sample_model(NOW, 16, 3600), &ui(), 160, 48)));
}

#[test]
fn help_80x24() {
    let mut ui = ui();
    ui.mode = Mode::Help;
    insta::assert_snapshot!(text(&frame(&sample_model(NOW, 4, 600), &ui, 80, 24)));
}

#[test]
fn help_160x48() {
    let mut ui = ui();
    ui.mode = Mode::Help;
    insta::assert_snapshot!(text(&frame(&sample_model(NOW, 4, 600), &ui, 160, 48)));
}

#[test]
fn filtered_disks_and_read_only_degraded_header() {
    let mut model = sample_model(NOW, 2, 120);
    model.read_only = true;
    model.targets[0].health = Health::Degraded {
        reason: "cannot read /proc".into(),
        since: NOW,
        retry_in: Duration::from_secs(8),
    };
    let mut ui = ui();
    ui.focus = Pane::Disks;
    ui.set_filter(Pane::Disks, "boot".into());
    ui.mode = Mode::Filter("boot".into());
    insta::assert_snapshot!(text(&frame(&model, &ui, 80, 24)));
}

#[test]
fn before_the_first_reading_panes_say_so() {
    let mut model = Model::new(Duration::from_secs(2), false);
    model.add_target("local", opsdeck::model::TargetKind::Host);
    let t = text(&frame(&model, &ui(), 80, 24));
    assert!(t.contains("waiting for the first reading"), "{t}");
    assert!(t.contains("local connecting"), "{t}");
}

#[test]
fn severity_colours_land_on_the_right_cells() {
    for theme_name in Theme::builtin_names() {
        let theme = Theme::load(theme_name).unwrap();
        let mut ui = UiState::new(theme.clone());
        ui.focus = Pane::Load;
        let buf = frame(&sample_model(NOW, 4, 600), &ui, 160, 48);
        // /boot is 95% full: critical. /var/lib/postgresql is 86%: warning. / is 62%: ok.
        let crit = find(&buf, "95.0%");
        assert_eq!(
            buf[crit].fg,
            theme.critical.fg.unwrap(),
            "{theme_name} /boot"
        );
        let warn = find(&buf, "86.0%");
        assert_eq!(
            buf[warn].fg,
            theme.warning.fg.unwrap(),
            "{theme_name} postgres disk"
        );
        let ok = find(&buf, "62.0%");
        assert_eq!(
            buf[ok].fg,
            theme.text.fg.unwrap_or(ratatui::style::Color::Reset),
            "{theme_name} root disk"
        );
        // The header target dot shows health in the ok colour.
        assert_eq!(
            buf[find(&buf, "●")].fg,
            theme.ok.fg.unwrap(),
            "{theme_name} header"
        );
        // The focused pane's border uses the focus colour.
        let (x, y) = find(&buf, " Load ");
        assert_eq!(
            buf[(x - 1, y)].fg,
            theme.border_focused.fg.unwrap(),
            "{theme_name} focus"
        );
    }
}

#[test]
fn every_size_down_to_tiny_renders_without_panic() {
    let model = sample_model(NOW, 64, 300);
    for (w, h) in [
        (1, 1),
        (10, 5),
        (40, 12),
        (80, 24),
        (81, 25),
        (120, 30),
        (300, 90),
    ] {
        let mut ui = ui();
        frame(&model, &ui, w, h);
        ui.mode = Mode::Help;
        frame(&model, &ui, w, h);
    }
}

// ---- workloads, containers, events, logs and the action dialog ----

use opsdeck::action::{Plan, PlanStep, Request, StepOp, Verb};
use opsdeck::model::{WorkloadAddr, WorkloadKind};
use opsdeck::ui::state::action_flow::ActionFlow;
use opsdeck::ui::state::log_view::LogView;
use opsdeck::ui::state::View;
use screen::fixtures::sample_log_lines;

#[test]
fn workloads_80x24() {
    insta::assert_snapshot!(text(&frame(&console(), &in_view(View::Workloads), 80, 24)));
}

#[test]
fn workloads_160x48() {
    insta::assert_snapshot!(text(&frame(&console(), &in_view(View::Workloads), 160, 48)));
}

#[test]
fn containers_80x24() {
    insta::assert_snapshot!(text(&frame(&console(), &in_view(View::Containers), 80, 24)));
}

#[test]
fn containers_160x48() {
    insta::assert_snapshot!(text(&frame(
        &console(),
        &in_view(View::Containers),
        160,
        48
    )));
}

#[test]
fn containers_of_one_workload_80x24() {
    let mut ui = in_view(View::Containers);
    ui.tables.containers_of = Some("local/shop/api".parse().unwrap());
    insta::assert_snapshot!(text(&frame(&console(), &ui, 80, 24)));
}

#[test]
fn events_80x24() {
    insta::assert_snapshot!(text(&frame(&console(), &in_view(View::Events), 80, 24)));
}

#[test]
fn events_160x48() {
    insta::assert_snapshot!(text(&frame(&console(), &in_view(View::Events), 160, 48)));
}

/// The logs of local/shop/api's three replicas, searched for "timeout".
fn logs_ui(timestamps: bool) -> UiState {
    let mut ui = in_view(View::Logs);
    let model = console();
    let instances = model.inventories[0]
        .1
        .instances
        .iter()
        .filter(|i| i.workload.to_string() == "local/shop/api")
        .map(|i| (i.id.clone(), i.name.clone()))
        .collect();
    let mut logs = LogView::new(1, "local".into(), "local/shop/api".into(), instances);
    logs.append(sample_log_lines(NOW));
    logs.timestamps = timestamps;
    logs.search = "timeout".into();
    ui.logs = Some(logs);
    ui
}

#[test]
fn logs_with_search_80x24() {
    insta::assert_snapshot!(text(&frame(&console(), &logs_ui(false), 80, 24)));
}

#[test]
fn logs_with_timestamps_160x48() {
    insta::assert_snapshot!(text(&frame(&console(), &logs_ui(true), 160, 48)));
}

/// `d` on a container: its description in the logs view, from its top,
/// searched for the masked password.
#[test]
fn a_description_in_the_logs_view_80x24() {
    let inspect = serde_json::json!({
        "Id": "4f73e5f369e815c536a52802a63cf177", "Name": "/shop_api_1",
        "State": {"Status": "exited", "ExitCode": 137, "OOMKilled": true},
        "RestartCount": 2,
        "Config": {"Image": "shop/api:2", "Env": ["DB_PASSWORD=***", "PORT=8080"]},
    });
    let d = opsdeck::model::describe::docker::describe("local", &inspect, &[]);
    let mut ui = in_view(View::Logs);
    let mut logs = LogView::document(1, "local".into(), "Describe local/_/shop_api_1".into());
    logs.append(
        d.lines()
            .into_iter()
            .map(|text| opsdeck::model::LogLine {
                at_nanos: 0,
                instance: String::new(),
                stderr: false,
                text,
            })
            .collect(),
    );
    logs.search = "password".into();
    ui.logs = Some(logs);
    let screen = text(&frame(&console(), &ui, 80, 24));
    assert!(screen.contains("Describe local/_/shop_api_1"), "{screen}");
    assert!(
        screen.contains("State: exited"),
        "the top shows first: {screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn logs_of_the_previous_instance_say_so_80x24() {
    let mut ui = logs_ui(false);
    ui.logs.as_mut().unwrap().previous = true;
    let screen = text(&frame(&console(), &ui, 80, 24));
    assert!(
        screen.contains("(previous instance · p: current)"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

fn sample_plan() -> Plan {
    let api: WorkloadAddr = "local/shop/api".parse().unwrap();
    let step = |op, subject: &str, detail: &str| PlanStep {
        op,
        subject: subject.into(),
        detail: detail.into(),
    };
    Plan {
        request: Request {
            workload: api,
            verb: Verb::Rollback { to: None },
        },
        kind: WorkloadKind::ComposeService,
        summary: "rollback local/shop/api shop-api:1.4.2 → shop-api:1.4.1".into(),
        steps: vec![
            step(
                StepOp::Create,
                "shop-api-1",
                "image shop-api:1.4.2 → shop-api:1.4.1, replica 1 of 3",
            ),
            step(StepOp::WaitHealthy, "shop-api-1", "up to 60s"),
            step(StepOp::Remove, "shop-api-1 (old)", "the replaced container"),
            step(
                StepOp::Create,
                "shop-api-2",
                "image shop-api:1.4.2 → shop-api:1.4.1, replica 2 of 3",
            ),
            step(StepOp::WaitHealthy, "shop-api-2", "up to 60s"),
            step(StepOp::Remove, "shop-api-2 (old)", "the replaced container"),
        ],
        destructive: true,
    }
}

#[test]
fn plan_dialog_80x24() {
    let mut ui = in_view(View::Workloads);
    ui.action = Some(ActionFlow::Confirm(sample_plan()));
    insta::assert_snapshot!(text(&frame(&console(), &ui, 80, 24)));
}

#[test]
fn plan_dialog_running_160x48() {
    let mut ui = in_view(View::Workloads);
    ui.action = Some(ActionFlow::Running {
        plan: sample_plan(),
        progress: vec![
            "created shop-api-1 from shop-api:1.4.1".into(),
            "waiting for shop-api-1 to be healthy".into(),
        ],
        hidden: false,
    });
    insta::assert_snapshot!(text(&frame(&console(), &ui, 160, 48)));
}

#[test]
fn scale_prompt_in_the_footer() {
    let mut ui = in_view(View::Workloads);
    ui.action = Some(ActionFlow::AskReplicas {
        workload: "local/shop/api".parse().unwrap(),
        current: 2,
        text: "x".into(),
        error: Some("\"x\" is not a whole number from 0 to 100".into()),
    });
    let t = text(&frame(&console(), &ui, 120, 24));
    let footer = t.lines().last().unwrap();
    assert!(footer.contains("scale local/shop/api to x"), "{footer}");
    assert!(footer.contains("not a whole number"), "{footer}");
}

#[test]
fn workload_and_event_severities_use_theme_roles() {
    for theme_name in Theme::builtin_names() {
        let theme = Theme::load(theme_name).unwrap();
        let mut ui = UiState::new(theme.clone());
        ui.view = View::Workloads;
        let buf = frame(&console(), &ui, 160, 48);
        // local/_/batch-import crashed: nothing ready is critical, even on the
        // selected (first) row.
        let crit = find(&buf, "0/1");
        assert_eq!(buf[crit].fg, theme.critical.fg.unwrap(), "{theme_name} 0/1");
        assert_eq!(
            buf[crit].modifier, theme.critical.add_modifier,
            "{theme_name} 0/1 modifiers"
        );
        // local/edge/proxy runs 1 of 2, local/shop/api has 1 of 3 ready: warnings.
        for ready in ["1/2", "1/3"] {
            let warn = find(&buf, ready);
            assert_eq!(
                buf[warn].fg,
                theme.warning.fg.unwrap(),
                "{theme_name} {ready}"
            );
        }
        // local/shop/worker is fine.
        let ok = find(&buf, "1/1");
        assert_eq!(
            buf[ok].fg,
            theme.text.fg.unwrap_or(ratatui::style::Color::Reset),
            "{theme_name} 1/1"
        );
        // The selected row carries the selection style outside its alarming cells.
        let sel = find(&buf, "local/_/batch-import");
        assert_eq!(
            buf[sel].bg,
            theme.selection.bg.unwrap(),
            "{theme_name} selection"
        );

        ui.view = View::Events;
        let buf = frame(&console(), &ui, 160, 48);
        let oom = find(&buf, "oom ");
        assert_eq!(buf[oom].fg, theme.critical.fg.unwrap(), "{theme_name} oom");
        let start = find(&buf, "start ");
        assert_eq!(
            buf[start].fg,
            theme.text.fg.unwrap_or(ratatui::style::Color::Reset),
            "{theme_name} start"
        );
    }
}

/// Long enough a history for the 5-minute rules to fire.
fn alerting() -> Model {
    sample_model(NOW, 4, 900)
}

#[test]
fn alerts_80x24() {
    insta::assert_snapshot!(text(&frame(&alerting(), &in_view(View::Alerts), 80, 24)));
}

#[test]
fn alerts_160x48() {
    insta::assert_snapshot!(text(&frame(&alerting(), &in_view(View::Alerts), 160, 48)));
}

#[test]
fn alerts_are_worst_first_and_coloured_by_state_and_severity() {
    for theme_name in Theme::builtin_names() {
        let theme = Theme::load(theme_name).unwrap();
        let mut ui = UiState::new(theme.clone());
        ui.view = View::Alerts;
        let buf = frame(&alerting(), &ui, 160, 48);
        let t = text(&buf);
        // Critical firing alerts come before warnings, and resolved ones last.
        let at = |needle: &str| find(&buf, needle).1;
        assert!(at("SiteDown") < at("HighLatency"), "{t}");
        assert!(at("HighLatency") < at("DemoSlow"), "{t}");
        // A firing critical alert in the critical colour, pending as a warning.
        let site = find(&buf, "SiteDown");
        assert_eq!(
            buf[site].fg,
            theme.critical.fg.unwrap(),
            "{theme_name} SiteDown"
        );
        let pending = find(&buf, "DemoSlow");
        assert_eq!(
            buf[pending].fg,
            theme.warning.fg.unwrap(),
            "{theme_name} DemoSlow"
        );
        // A silenced alert is muted whatever its severity, and listed last.
        let silenced = find(&buf, "BackupLate");
        assert_eq!(
            buf[silenced].fg,
            theme.muted.fg.unwrap(),
            "{theme_name} BackupLate"
        );
        let line = t.lines().nth(silenced.1 as usize).unwrap();
        assert!(line.contains("silenced") && line.contains("am"), "{line}");
        let severity = (find(&buf, "SEVERITY").0, silenced.1);
        assert_eq!(
            buf[severity].fg,
            theme.muted.fg.unwrap(),
            "{theme_name} muted severity"
        );
        assert!(at("DemoSlow") < silenced.1, "{t}");
        // The failed PromQL rule is an error that says why, not silence.
        assert!(t.contains("connection refused"), "{t}");
        // Prometheus's alert maps its runbook_url onto the local runbook.
        let demo_row = at("DemoErrors");
        let line = t.lines().nth(demo_row as usize).unwrap();
        assert!(
            line.contains("main") && line.contains("site-down"),
            "{line}"
        );
    }
}

#[test]
fn log_search_matches_are_highlighted() {
    let theme = Theme::default();
    let buf = frame(&console(), &logs_ui(false), 120, 40);
    // The title names the search too; the first hit in a line is after "pool: connection ".
    let (x, y) = find(&buf, "connection timeout");
    let hit = (x + "connection ".len() as u16, y);
    assert_eq!(buf[hit].symbol(), "t");
    assert_eq!(buf[hit].bg, theme.selection.bg.unwrap());
    assert_ne!(buf[(x, y)].bg, theme.selection.bg.unwrap());
    let plain = find(&buf, "200 ");
    assert_ne!(buf[plain].bg, theme.selection.bg.unwrap());
}

#[test]
fn every_view_renders_at_every_size_without_panic() {
    let model = console();
    for view in [
        View::Workloads,
        View::Containers,
        View::Events,
        View::Alerts,
        View::Logs,
    ] {
        for (w, h) in [(1, 1), (10, 5), (40, 12), (80, 24), (300, 90)] {
            let mut ui = if view == View::Logs {
                logs_ui(true)
            } else {
                in_view(view)
            };
            frame(&model, &ui, w, h);
            ui.action = Some(ActionFlow::Confirm(sample_plan()));
            frame(&model, &ui, w, h);
            ui.mode = Mode::Help;
            frame(&model, &ui, w, h);
        }
    }
}

#[test]
fn help_lists_the_keys_of_the_view() {
    let mut ui = in_view(View::Workloads);
    ui.mode = Mode::Help;
    let t = text(&frame(&console(), &ui, 80, 24));
    assert!(t.contains("Keys: Workloads"), "{t}");
    assert!(t.contains("scale the workload"), "{t}");
    assert!(t.contains("command line"), "{t}");
    assert!(!t.contains("move to the pane"), "{t}");
    ui.view = View::Overview;
    let t = text(&frame(&console(), &ui, 80, 24));
    assert!(!t.contains("scale the workload"), "{t}");
}

#[test]
fn action_results_are_coloured_by_outcome() {
    for theme_name in Theme::builtin_names() {
        let theme = Theme::load(theme_name).unwrap();
        let mut ui = UiState::new(theme.clone());
        ui.view = View::Workloads;
        for (ok, mark, role) in [(false, "✗", theme.critical), (true, "done:", theme.ok)] {
            ui.action = Some(ActionFlow::Finished {
                plan: sample_plan(),
                progress: vec!["created shop-api-1 from shop-api:1.4.1".into()],
                ok,
                result: "shop-api-1 stayed unhealthy".into(),
            });
            let buf = frame(&console(), &ui, 80, 24);
            let at = find(&buf, mark);
            assert_eq!(buf[at].fg, role.fg.unwrap(), "{theme_name} {mark}");
        }
    }
}
