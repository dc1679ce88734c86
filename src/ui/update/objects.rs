//! Keys on one object of the workloads and containers views: `d` describes
//! it and `y` shows it raw (both in the logs view, which scrolls and
//! searches them), Ctrl-K kills a container, S stops or starts it and
//! Ctrl-D deletes a pod, through the action dialog (plan, confirmation,
//! audit, read-only).

use super::{actions, Command};
use crate::action::{Request, Verb};
use crate::console::Model;
use crate::model::{Instance, Severity, WorkloadAddr, WorkloadKind, NO_GROUP};
use crate::ui::keymap::Intent;
use crate::ui::lists;
use crate::ui::state::log_view::LogView;
use crate::ui::state::{UiState, View};

/// What the selected row is, as `opsdeck describe` addresses it.
fn address(model: &Model, ui: &UiState) -> Option<(String, String)> {
    match ui.view {
        View::Workloads => {
            let w = lists::selected_workload(model, ui)?;
            Some((w.addr.target.clone(), w.addr.to_string()))
        }
        View::Containers => {
            let i = lists::selected_container(model, ui)?;
            let t = &i.workload.target;
            Some(match &i.pod {
                Some(p) => (t.clone(), format!("{t}/{}/pod/{}", p.namespace, i.name)),
                None => (t.clone(), format!("{t}/{NO_GROUP}/{}", i.name)),
            })
        }
        _ => None,
    }
}

/// `d` and `y`.
pub fn read(model: &Model, ui: &mut UiState, raw: bool) -> Vec<Command> {
    let Some((target, address)) = address(model, ui) else {
        ui.message = Some(("nothing selected to describe".into(), Severity::Info));
        return Vec::new();
    };
    let stream = ui.next_stream;
    ui.next_stream += 1;
    let title = if raw {
        format!("Raw {address} (secrets masked)")
    } else {
        format!("Describe {address}")
    };
    ui.logs = Some(LogView::document(stream, target, title));
    ui.logs_from = ui.view;
    ui.view = View::Logs;
    vec![Command::Describe {
        stream,
        address,
        raw,
    }]
}

fn selected_instance<'m>(model: &'m Model, ui: &UiState) -> Option<&'m Instance> {
    match ui.view {
        View::Containers => lists::selected_container(model, ui),
        // A plain container is its own workload: its one instance.
        View::Workloads => {
            let w = lists::selected_workload(model, ui)?;
            (w.kind == WorkloadKind::Container)
                .then(|| {
                    model
                        .inventories
                        .iter()
                        .flat_map(|(_, inv)| &inv.instances)
                        .find(|i| i.workload == w.addr)
                })
                .flatten()
        }
        _ => None,
    }
}

/// Ctrl-K and Ctrl-D: the request for the selected row, or why there is none.
fn request(model: &Model, ui: &UiState, intent: Intent) -> Result<Request, String> {
    let i = selected_instance(model, ui);
    match (intent, i) {
        (Intent::KillContainer, Some(i)) if i.pod.is_none() => Ok(Request {
            workload: WorkloadAddr::new(&i.workload.target, NO_GROUP, &i.name),
            verb: Verb::Kill {
                signal: "SIGKILL".into(),
            },
        }),
        (Intent::StopStart, Some(i)) if i.pod.is_none() => Ok(Request {
            workload: WorkloadAddr::new(&i.workload.target, NO_GROUP, &i.name),
            verb: if i.is_running() { Verb::Stop } else { Verb::Start },
        }),
        (Intent::KillContainer | Intent::StopStart, _) => Err(
            "Ctrl-K and S act on a Docker container: select one in the containers view (3); a pod is deleted with Ctrl-D".into(),
        ),
        (Intent::DeletePod, Some(i)) => match &i.pod {
            Some(p) => Ok(Request {
                workload: WorkloadAddr::new(&i.workload.target, &p.namespace, &i.name),
                verb: Verb::DeletePod { force: false },
            }),
            None => Err("Ctrl-D deletes a Kubernetes pod; a container is killed with Ctrl-K".into()),
        },
        _ => Err("select a pod (Enter on a workload lists them) to delete it".into()),
    }
}

pub fn act(model: &Model, ui: &mut UiState, intent: Intent) -> Vec<Command> {
    if model.read_only {
        ui.message = Some((actions::READ_ONLY.into(), Severity::Warning));
        return Vec::new();
    }
    if ui.action.is_some() {
        ui.message = Some(("an action is already under way".into(), Severity::Info));
        return Vec::new();
    }
    match request(model, ui, intent) {
        Ok(r) => actions::plan(ui, r),
        Err(why) => {
            ui.message = Some((why, Severity::Info));
            Vec::new()
        }
    }
}

#[cfg(test)]
#[path = "objects_tests.rs"]
mod tests;
