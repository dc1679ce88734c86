//! `update(model, ui, event) -> commands`: the console's logic, pure. It never
//! awaits and never does I/O; what needs the outside world comes back as a
//! Command. Keys are routed here by mode and view; each view's keys live in
//! their own module.

mod actions;
mod alerts;
mod line;
mod load;
mod logs;
mod metrics;
mod panes;
mod runbook;
mod scope;
mod tables;
#[cfg(test)]
mod testkit;

use super::action_flow::ActionFlow;
use super::keymap::{action_for, Action};
use super::state::{Mode, UiState, View};
use crate::action::{Plan, Request};
use crate::model::{Model, Severity};
use crate::source::Update;
use crossterm::event::{KeyEvent, KeyEventKind};

#[derive(Debug, Clone)]
pub enum Event {
    Key(KeyEvent),
    Source(Update),
    /// The terminal's new width and height.
    Resize(u16, u16),
    /// The clock moved on (unix seconds); lets the header's time advance.
    Tick(i64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Quit,
    /// Load a theme by name or path and switch to it.
    LoadTheme(String),
    /// Start streaming the logs of these containers (id, name) on `target`
    /// (a pod's id is `NAMESPACE/POD`); `previous` asks for the instances
    /// before the last restart. Lines come back as `Update::Logs { stream, .. }`.
    /// Stream numbers only grow.
    OpenLogs {
        stream: u64,
        target: String,
        instances: Vec<(String, String)>,
        previous: bool,
    },
    /// Stop the stream; later lines for it are ignored anyway.
    CloseLogs {
        stream: u64,
    },
    /// Work out what the request would change; answer with
    /// `Update::Action(ActionEvent::Planned(..))`.
    PlanAction(Request),
    /// Run a plan the user confirmed; answer with `ActionEvent::Progress` and
    /// finally `ActionEvent::Done`.
    Execute(Plan),
    /// Record a local acknowledgement of this alert with the note typed.
    Acknowledge {
        row: Box<crate::model::AlertRow>,
        note: String,
    },
    /// Ask every panel's Prometheus for `range_secs` up to `end`, one point
    /// every `step` seconds (`columns` points); answers come back as
    /// `Update::PanelRange`.
    QueryPanels {
        range_secs: i64,
        step: i64,
        end: i64,
        columns: u16,
    },
    /// Start runbook `id` with `params` given and an alert's `labels` bound;
    /// the run reports as `Update::Runbook`.
    StartRunbook {
        id: String,
        params: std::collections::BTreeMap<String, String>,
        labels: std::collections::BTreeMap<String, String>,
    },
    /// The person's answer to the question the run is waiting on.
    AnswerRunbook(crate::runbook_exec::console::Answer),
    /// Write the run's Markdown report next to its timeline.
    WriteReport,
    /// Plan a load run through the action path, like `PlanAction`; once
    /// confirmed (`Execute`), its figures come back as `Update::Load`.
    PlanLoad(Box<crate::load::LoadSpec>),
    /// Stop the load run under way; its figures so far stand.
    StopLoad,
    /// Ask the workload's orchestrator for its revisions; the answer comes
    /// back as `Update::History`.
    History(crate::model::WorkloadAddr),
    /// Start watching a kubeconfig context chosen with `:ctx` (already added to the model).
    WatchContext(Box<crate::connect::kube::KubeTarget>),
}

pub fn update(model: &mut Model, ui: &mut UiState, event: Event) -> Vec<Command> {
    match event {
        Event::Source(Update::Logs { stream, lines }) => {
            logs::on_lines(ui, stream, lines);
            Vec::new()
        }
        Event::Source(Update::Runbook(e)) => runbook::on_event(ui, e),
        Event::Source(Update::Load(figures)) => {
            load::on_figures(ui, *figures);
            Vec::new()
        }
        Event::Source(Update::Action(e)) => {
            actions::on_event(model, ui, e);
            Vec::new()
        }
        Event::Source(Update::History {
            workload,
            revisions,
        }) => {
            if let Some(pane) = ui.history.as_mut().filter(|p| p.workload == workload) {
                pane.revisions = Some(revisions);
            }
            Vec::new()
        }
        Event::Source(u) => {
            model.apply(u);
            Vec::new()
        }
        Event::Tick(now) => {
            model.tick(now);
            metrics::ask_if_due(model, ui)
        }
        Event::Resize(width, _) => {
            ui.screen_width = width;
            metrics::ask_if_due(model, ui)
        }
        Event::Key(key) if key.kind == KeyEventKind::Release => Vec::new(),
        Event::Key(key) => match ui.mode.clone() {
            Mode::Command(text) => line::command_key(model, ui, text, key),
            Mode::Filter(text) => {
                line::filter_key(ui, text, key);
                Vec::new()
            }
            Mode::Help | Mode::Normal if actions::takes_keys(ui) => actions::key(model, ui, key),
            Mode::Normal if runbook::takes_keys(ui) => runbook::typing(ui, key),
            Mode::Help | Mode::Normal => normal_key(model, ui, key),
        },
    }
}

fn normal_key(model: &Model, ui: &mut UiState, key: KeyEvent) -> Vec<Command> {
    let Some(action) = action_for(ui.view.scopes(), key) else {
        return Vec::new();
    };
    let in_help = ui.mode == Mode::Help;
    match action {
        Action::Quit => {
            ui.quit = true;
            vec![Command::Quit]
        }
        Action::Help => {
            ui.mode = if in_help { Mode::Normal } else { Mode::Help };
            Vec::new()
        }
        Action::Back if in_help => {
            ui.mode = Mode::Normal;
            Vec::new()
        }
        _ if in_help => Vec::new(),
        Action::Command => {
            ui.mode = Mode::Command(String::new());
            Vec::new()
        }
        Action::View(n) => {
            let view = View::NUMBERED[usize::from(n).clamp(1, View::NUMBERED.len()) - 1];
            if view == View::Containers {
                ui.tables.containers_of = None;
            }
            enter_view(model, ui, view)
        }
        Action::Back => back(ui),
        _ => match ui.view {
            View::Overview => panes::key(ui, action),
            View::Logs => logs::key(ui, action),
            View::Metrics => metrics::key(model, ui, action),
            View::Runbook => runbook::key(ui, action),
            View::Load => load::key(ui, action),
            View::Workloads | View::Containers | View::Events | View::Alerts | View::Database => {
                tables::key(model, ui, action)
            }
        },
    }
}

/// Esc: stops waiting for a plan, leaves the logs or a workload's
/// containers, else clears the message.
fn back(ui: &mut UiState) -> Vec<Command> {
    if let Some(ActionFlow::Planning(r)) = &ui.action {
        ui.message = Some((
            format!("stopped waiting for the {} plan", r.verb.name()),
            Severity::Info,
        ));
        ui.action = None;
        return Vec::new();
    }
    if ui.history.take().is_some() || ui.pod_containers.take().is_some() {
        return Vec::new();
    }
    match ui.view {
        View::Logs => switch_view(ui, ui.logs_from),
        View::Runbook => switch_view(ui, ui.runbook_from),
        View::Containers if ui.tables.containers_of.is_some() => {
            ui.tables.containers_of = None;
            switch_view(ui, View::Workloads)
        }
        _ => {
            ui.message = None;
            Vec::new()
        }
    }
}

/// Leaving the logs view closes its stream.
fn switch_view(ui: &mut UiState, to: View) -> Vec<Command> {
    let mut out = Vec::new();
    if to != View::Logs {
        if let Some(l) = ui.logs.take() {
            out.push(Command::CloseLogs { stream: l.stream });
        }
    }
    ui.view = to;
    out
}

/// Switching views, and whatever the new view needs fetched.
fn enter_view(model: &Model, ui: &mut UiState, to: View) -> Vec<Command> {
    let mut out = switch_view(ui, to);
    out.extend(metrics::ask_if_due(model, ui));
    out
}

#[cfg(test)]
mod tests {
    use super::testkit::{keys, setup};
    use super::*;
    use crate::ui::state::{Pane, ZOOM_STEPS};
    use crossterm::event::{KeyCode, KeyModifiers};

    #[test]
    fn q_and_ctrl_c_quit() {
        let (mut m, mut ui) = setup();
        assert_eq!(keys(&mut m, &mut ui, "q"), vec![Command::Quit]);
        let (mut m, mut ui) = setup();
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            update(&mut m, &mut ui, Event::Key(ctrl_c)),
            vec![Command::Quit]
        );
    }

    #[test]
    fn help_toggles_and_swallows_navigation() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "?\t2");
        assert_eq!(
            (ui.mode.clone(), ui.focus, ui.view),
            (Mode::Help, Pane::Cpu, View::Overview)
        );
        keys(&mut m, &mut ui, "?");
        assert_eq!(ui.mode, Mode::Normal);
    }

    #[test]
    fn number_keys_switch_views() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "2");
        assert_eq!(ui.view, View::Workloads);
        keys(&mut m, &mut ui, "4");
        assert_eq!(ui.view, View::Events);
        keys(&mut m, &mut ui, "5");
        assert_eq!(ui.view, View::Alerts);
        keys(&mut m, &mut ui, "1");
        assert_eq!(ui.view, View::Overview);
    }

    #[test]
    fn panes_move_by_tab_and_direction() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "l");
        assert_eq!(ui.focus, Pane::Memory);
        keys(&mut m, &mut ui, "lj");
        assert_eq!(ui.focus, Pane::Network);
        keys(&mut m, &mut ui, "j");
        assert_eq!(ui.focus, Pane::Disks);
        keys(&mut m, &mut ui, "jh");
        assert_eq!(ui.focus, Pane::Disks, "edges hold");
        keys(&mut m, &mut ui, "\t");
        assert_eq!(ui.focus, Pane::Cpu);
    }

    #[test]
    fn filter_applies_while_typing_and_esc_clears() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "jj/bo");
        assert_eq!(ui.focus, Pane::Disks);
        assert_eq!(ui.filter(Pane::Disks), "bo");
        keys(&mut m, &mut ui, "\n");
        assert_eq!(
            (ui.mode.clone(), ui.filter(Pane::Disks)),
            (Mode::Normal, "bo")
        );
        keys(&mut m, &mut ui, "/\x1b");
        assert_eq!(ui.filter(Pane::Disks), "");
    }

    #[test]
    fn filter_on_a_pane_without_list_says_so() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "l/");
        assert_eq!(ui.mode, Mode::Normal);
        assert!(ui
            .message
            .as_ref()
            .unwrap()
            .0
            .contains("Memory has no list"));
    }

    #[test]
    fn command_line_runs_theme_and_quit() {
        let (mut m, mut ui) = setup();
        assert_eq!(
            keys(&mut m, &mut ui, ":theme light\n"),
            vec![Command::LoadTheme("light".into())]
        );
        assert_eq!(keys(&mut m, &mut ui, ":q\n"), vec![Command::Quit]);
    }

    #[test]
    fn unknown_command_suggests() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, ":thme x\n");
        let (msg, sev) = ui.message.clone().unwrap();
        assert!(msg.contains("did you mean :theme"), "{msg}");
        assert_eq!(sev, Severity::Warning);
    }

    #[test]
    fn zoom_is_bounded() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "[[[[[[[[");
        assert_eq!(ui.zoom, ZOOM_STEPS.len() - 1);
        keys(&mut m, &mut ui, "]]]]]]]]]]");
        assert_eq!(ui.zoom, 0);
        assert_eq!(ui.chart_step(2), 2);
    }
}
