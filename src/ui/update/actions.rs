//! Actions from the console: `s`, `r`, `b` on a workload (or a container's
//! workload) ask for a plan, the plan is shown for y/n, and progress comes back.
//! Nothing here touches the world: it asks the app loop by Command.

use super::line::{prompt_key, Prompted};
use super::Command;
use crate::action::{ActionEvent, Request, Verb};
use crate::console::Model;
use crate::model::{Severity, Workload, WorkloadKind};
use crate::ui::keymap::{intent_for, Intent, Scope};
use crate::ui::lists;
use crate::ui::state::action_flow::{parse_replicas, ActionFlow};
use crate::ui::state::{UiState, View};
use crossterm::event::{KeyEvent, KeyModifiers};

pub const READ_ONLY: &str = "read-only: actions are disabled";

/// Whether the prompt or the dialog has the keyboard.
pub fn takes_keys(ui: &UiState) -> bool {
    ui.action
        .as_ref()
        .is_some_and(|f| f.prompt().is_some() || f.is_modal())
}

/// The workload the selected row is, or belongs to.
fn selected(model: &Model, ui: &UiState) -> Option<Workload> {
    match ui.view {
        View::Workloads => lists::selected_workload(model, ui).cloned(),
        View::Containers => {
            let i = lists::selected_container(model, ui)?;
            model
                .inventories
                .iter()
                .flat_map(|(_, inv)| &inv.workloads)
                .find(|w| w.addr == i.workload)
                .cloned()
        }
        _ => None,
    }
}

pub fn start(model: &Model, ui: &mut UiState, action: Intent) -> Vec<Command> {
    if model.read_only {
        ui.message = Some((READ_ONLY.into(), Severity::Warning));
        return Vec::new();
    }
    if let Some(flow) = &ui.action {
        let busy = match flow {
            ActionFlow::Planning(r) => format!("still planning {} {}", r.verb.name(), r.workload),
            ActionFlow::Running { plan, .. } => format!("{} is still running", plan.summary),
            _ => String::new(),
        };
        if !busy.is_empty() {
            ui.message = Some((busy, Severity::Info));
            return Vec::new();
        }
    }
    if ui.view == View::Database {
        return super::database::act(model, ui, action);
    }
    let Some(w) = selected(model, ui) else {
        ui.message = Some(("no workload selected".into(), Severity::Info));
        return Vec::new();
    };
    let verb = match action {
        Intent::Scale if w.kind == WorkloadKind::Container => {
            ui.message = Some((
                format!("{} is a plain container: it cannot be scaled", w.addr),
                Severity::Info,
            ));
            return Vec::new();
        }
        Intent::Scale => {
            ui.action = Some(ActionFlow::AskReplicas {
                current: lists::wanted(model, &w),
                workload: w.addr,
                text: String::new(),
                error: None,
            });
            return Vec::new();
        }
        Intent::Restart => Verb::Restart,
        Intent::Rollback => Verb::Rollback { to: None },
        _ => return Vec::new(),
    };
    plan(
        ui,
        Request {
            workload: w.addr,
            verb,
        },
    )
}

/// `h` on a workload: its revisions over the list, asked of its orchestrator.
pub(super) fn history(model: &Model, ui: &mut UiState) -> Vec<Command> {
    let Some(w) = selected(model, ui) else {
        ui.message = Some(("no workload selected".into(), Severity::Info));
        return Vec::new();
    };
    ui.history = Some(crate::ui::state::HistoryPane {
        workload: w.addr.clone(),
        revisions: None,
    });
    vec![Command::History(w.addr)]
}

/// `e` on a workload: the events view filtered to its address, warnings first.
pub(super) fn events_of(model: &Model, ui: &mut UiState) -> Vec<Command> {
    let Some(w) = selected(model, ui) else {
        ui.message = Some(("no workload selected".into(), Severity::Info));
        return Vec::new();
    };
    ui.tables.events.filter = w.addr.to_string();
    ui.tables.events.selected = None;
    super::enter_view(model, ui, View::Events)
}

pub(super) fn plan(ui: &mut UiState, request: Request) -> Vec<Command> {
    ui.message = Some((
        format!("planning {} {}…", request.verb.name(), request.workload),
        Severity::Info,
    ));
    ui.action = Some(ActionFlow::Planning(request.clone()));
    vec![Command::PlanAction(request)]
}

pub fn key(model: &Model, ui: &mut UiState, key: KeyEvent) -> Vec<Command> {
    match ui.action.take() {
        Some(ActionFlow::AskReplicas {
            workload,
            current,
            mut text,
            error,
        }) => match prompt_key(&mut text, error, key, parse_replicas) {
            Prompted::Cancel => Vec::new(),
            Prompted::Submit(_) if model.read_only => {
                ui.message = Some((READ_ONLY.into(), Severity::Warning));
                Vec::new()
            }
            Prompted::Submit(replicas) => plan(
                ui,
                Request {
                    workload,
                    verb: Verb::Scale { replicas },
                },
            ),
            Prompted::Stay(error) => {
                ui.action = Some(ActionFlow::AskReplicas {
                    workload,
                    current,
                    text,
                    error,
                });
                Vec::new()
            }
        },
        Some(flow @ (ActionFlow::AskSilence { .. } | ActionFlow::AskAck { .. })) => {
            super::alerts::prompt_key(model, ui, flow, key)
        }
        Some(flow) => dialog_key(model, ui, flow, key),
        None => Vec::new(),
    }
}

fn dialog_key(model: &Model, ui: &mut UiState, flow: ActionFlow, key: KeyEvent) -> Vec<Command> {
    let action = intent_for(&[Scope::Confirm, Scope::Global], key);
    match (flow, action) {
        // Only Ctrl-C: a `q` meant for the dialog must not end the console.
        (_, Some(Intent::Quit)) if key.modifiers.contains(KeyModifiers::CONTROL) => {
            ui.quit = true;
            vec![Command::Quit]
        }
        (ActionFlow::Confirm(_), Some(Intent::Apply)) if model.read_only => {
            ui.message = Some((READ_ONLY.into(), Severity::Warning));
            Vec::new()
        }
        (ActionFlow::Confirm(plan), Some(Intent::Apply)) => {
            ui.message = Some((format!("applying: {}", plan.summary), Severity::Info));
            // A load run's figures are its progress: the dialog steps aside.
            let hidden = matches!(plan.request.verb, Verb::Load { .. });
            ui.action = Some(ActionFlow::Running {
                plan: plan.clone(),
                progress: Vec::new(),
                hidden,
            });
            vec![Command::Execute(plan)]
        }
        (ActionFlow::Confirm(plan), Some(Intent::Cancel)) => {
            ui.message = Some((format!("cancelled: {}", plan.summary), Severity::Info));
            Vec::new()
        }
        (ActionFlow::Running { plan, progress, .. }, Some(Intent::Cancel)) => {
            // The action carries on; its progress and result reach the message line.
            ui.action = Some(ActionFlow::Running {
                plan,
                progress,
                hidden: true,
            });
            Vec::new()
        }
        // Any key closes the result; the message line keeps it.
        (ActionFlow::Finished { .. }, _) => Vec::new(),
        (flow, _) => {
            ui.action = Some(flow);
            Vec::new()
        }
    }
}

/// Plans, progress and results coming back from the app loop.
pub fn on_event(model: &Model, ui: &mut UiState, event: ActionEvent) {
    match (ui.action.take(), event) {
        (Some(ActionFlow::Planning(_)), ActionEvent::Planned(Ok(plan))) => {
            // A root offered in place of a waiter: the dialog's footer says why.
            let offer = ui
                .db
                .offer
                .take()
                .filter(|(addr, _)| *addr == plan.request.workload);
            if model.read_only {
                ui.message = Some((READ_ONLY.into(), Severity::Warning));
            } else {
                ui.message = offer.map(|(_, note)| (note, Severity::Warning));
                ui.action = Some(ActionFlow::Confirm(plan));
            }
        }
        (Some(ActionFlow::Planning(r)), ActionEvent::Planned(Err(e))) => {
            ui.message = Some((
                format!("cannot {} {}: {e}", r.verb.name(), r.workload),
                Severity::Critical,
            ));
        }
        (
            Some(ActionFlow::Running {
                plan,
                mut progress,
                hidden,
            }),
            ActionEvent::Progress(line),
        ) => {
            ui.message = Some((line.clone(), Severity::Info));
            progress.push(line);
            ui.action = Some(ActionFlow::Running {
                plan,
                progress,
                hidden,
            });
        }
        (
            Some(ActionFlow::Running {
                plan,
                progress,
                hidden,
            }),
            ActionEvent::Done(done),
        ) => {
            let (ok, result) = match done {
                Ok(o) if o.ok && !o.rolled_back => (true, o.message),
                Ok(o) if o.rolled_back => (false, format!("rolled back: {}", o.message)),
                Ok(o) => (false, format!("failed: {}", o.message)),
                Err(e) => (false, format!("failed: {e}")),
            };
            let sev = if ok {
                Severity::Info
            } else {
                Severity::Critical
            };
            ui.message = Some((format!("{}: {result}", plan.summary), sev));
            if hidden {
                return;
            }
            ui.action = Some(ActionFlow::Finished {
                plan,
                progress,
                ok,
                result,
            });
        }
        // A plan for a prompt the user already cancelled, or a stray event:
        // nothing is waiting for it.
        (flow, _) => ui.action = flow,
    }
}

#[cfg(test)]
#[path = "actions_tests.rs"]
mod tests;
