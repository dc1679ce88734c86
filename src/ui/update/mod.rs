//! `update(model, ui, event) -> commands`: the console's logic, pure. It never
//! awaits and never does I/O; what needs the outside world comes back as a
//! Command. Keys are routed here by mode and view; each view's keys live in
//! their own module.

mod actions;
mod alerts;
mod database;
mod line;
mod load;
mod logs;
mod metrics;
mod objects;
mod panes;
mod runbook;
mod scope;
mod shell;
mod tables;
#[cfg(test)]
mod testkit;

use super::keymap::{intent_for, Intent};
use super::state::action_flow::ActionFlow;
use super::state::{Mode, UiState, View};
use crate::console::runbook::RunEvent;
pub use crate::console::Command;
use crate::console::{Event, Model};
use crate::model::Severity;
use crate::source::Update;
use crossterm::event::{KeyEvent, KeyEventKind};

/// What the console's loop hands `update`: a key, the terminal's size, the
/// clock, or an Event for the console's state.
#[derive(Debug, Clone)]
pub enum UiEvent {
    Key(KeyEvent),
    Console(Event),
    /// The terminal's new width and height.
    Resize(u16, u16),
    /// The clock moved on (unix seconds); lets the header's time advance.
    Tick(i64),
    /// A shell session is over and the console has the terminal back: how
    /// it ended, or why it did not run.
    ShellEnded(Result<String, String>),
}

impl From<Event> for UiEvent {
    fn from(e: Event) -> Self {
        UiEvent::Console(e)
    }
}

impl From<Update> for UiEvent {
    fn from(u: Update) -> Self {
        UiEvent::Console(Event::Source(u))
    }
}

pub fn update(model: &mut Model, ui: &mut UiState, event: UiEvent) -> Vec<Command> {
    match event {
        UiEvent::Console(e) => on_event(model, ui, e),
        UiEvent::Tick(now) => {
            model.tick(now);
            metrics::ask_if_due(model, ui)
        }
        UiEvent::ShellEnded(outcome) => {
            shell::ended(ui, outcome);
            Vec::new()
        }
        UiEvent::Resize(width, _) => {
            ui.screen_width = width;
            metrics::ask_if_due(model, ui)
        }
        UiEvent::Key(key) if key.kind == KeyEventKind::Release => Vec::new(),
        UiEvent::Key(key) => match ui.mode.clone() {
            Mode::Command(text) => line::command_key(model, ui, text, key),
            Mode::Filter(text) => {
                line::filter_key(ui, text, key);
                Vec::new()
            }
            Mode::Help | Mode::Normal if actions::takes_keys(ui) => actions::key(model, ui, key),
            Mode::Normal if runbook::takes_keys(model, ui) => runbook::typing(model, ui, key),
            Mode::Help | Mode::Targets | Mode::Normal => normal_key(model, ui, key),
        },
    }
}

/// The console's state takes the event; what only the views hold (log
/// lines, an action's progress, revisions, a theme, messages) is kept here.
fn on_event(model: &mut Model, ui: &mut UiState, event: Event) -> Vec<Command> {
    match event {
        Event::Logs { stream, lines } => {
            logs::on_lines(ui, stream, lines);
            Vec::new()
        }
        Event::Runbook(RunEvent::Read { id, read }) => vec![Command::AnswerRead {
            id,
            facts: crate::console::reads::live_facts(model, &read),
        }],
        Event::Runbook(e) => runbook::on_event(model, ui, e),
        Event::Action(e) => {
            actions::on_event(model, ui, e);
            Vec::new()
        }
        Event::History {
            workload,
            revisions,
        } => {
            if let Some(pane) = ui.history.as_mut().filter(|p| p.workload == workload) {
                pane.revisions = Some(revisions);
            }
            Vec::new()
        }
        Event::Theme(result) => {
            match result {
                Ok(theme) => {
                    ui.message = Some((format!("theme {}", theme.name), Severity::Info));
                    // A theme switched to is fitted to the same terminal.
                    ui.theme = theme.for_terminal(ui.theme.caps);
                }
                Err(e) => ui.message = Some((e, Severity::Warning)),
            }
            Vec::new()
        }
        Event::CapacityReport(written) => {
            load::on_report(model, ui, written);
            Vec::new()
        }
        Event::Acknowledged { rule, result } => {
            ui.message = Some(match &result {
                Ok(ack) => (format!("{rule}: {}", ack.describe()), Severity::Info),
                Err(e) => (
                    format!("acknowledgement not recorded: {e}"),
                    Severity::Critical,
                ),
            });
            model.apply(Event::Acknowledged { rule, result });
            Vec::new()
        }
        other => {
            model.apply(other);
            Vec::new()
        }
    }
}

fn normal_key(model: &mut Model, ui: &mut UiState, key: KeyEvent) -> Vec<Command> {
    let Some(action) = intent_for(ui.view.scopes(), key) else {
        return Vec::new();
    };
    let in_help = matches!(ui.mode, Mode::Help | Mode::Targets);
    match action {
        Intent::Quit => {
            ui.quit = true;
            vec![Command::Quit]
        }
        Intent::Help => {
            ui.mode = if ui.mode == Mode::Help {
                Mode::Normal
            } else {
                Mode::Help
            };
            Vec::new()
        }
        Intent::Targets => {
            ui.mode = if ui.mode == Mode::Targets {
                Mode::Normal
            } else {
                Mode::Targets
            };
            Vec::new()
        }
        Intent::Back if in_help => {
            ui.mode = Mode::Normal;
            Vec::new()
        }
        _ if in_help => Vec::new(),
        Intent::Command => {
            ui.mode = Mode::Command(String::new());
            Vec::new()
        }
        Intent::View(n) => {
            let view = View::NUMBERED[usize::from(n).clamp(1, View::NUMBERED.len()) - 1];
            if view == View::Containers {
                ui.tables.containers_of = None;
            }
            enter_view(model, ui, view)
        }
        Intent::Back => back(ui),
        _ => match ui.view {
            View::Overview => panes::key(ui, action),
            View::Logs => logs::key(ui, action),
            View::Metrics => metrics::key(model, ui, action),
            View::Runbook => runbook::key(model, ui, action),
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
    if ui.view == View::Database && database::back(ui) {
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
    if to == View::Database {
        database::entered(model, ui);
    }
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
            update(&mut m, &mut ui, UiEvent::Key(ctrl_c)),
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
