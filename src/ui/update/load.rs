//! The load view's logic: `:load URL ...` plans a run through the same
//! dialog as workload actions (y/n), the figures arrive as `Update::Load`,
//! `x` stops the run. Pure: the app loop runs it.

use super::Command;
use crate::action::Verb;
use crate::console::load_run::LoadRun;
use crate::console::Model;
use crate::model::Severity;
use crate::ui::keymap::Intent;
use crate::ui::state::action_flow::ActionFlow;
use crate::ui::state::{UiState, View};

/// `:load` with the rest of the line: plans a new run, or with nothing
/// after it, shows the last one.
pub fn command(model: &mut Model, ui: &mut UiState, line: &str) -> Vec<Command> {
    if line.is_empty() {
        if model.load.is_some() {
            ui.view = View::Load;
        } else {
            ui.message = Some((
                ":load URL [-c N] [-d 30s | -n N] [--rate R] [--profile constant|ramp|spike] ..."
                    .into(),
                Severity::Info,
            ));
        }
        return Vec::new();
    }
    if model.read_only {
        ui.message = Some((super::actions::READ_ONLY.into(), Severity::Warning));
        return Vec::new();
    }
    if let Some(busy) = ui.action.as_ref().and_then(busy_with) {
        ui.message = Some((busy, Severity::Info));
        return Vec::new();
    }
    let spec = match crate::load::args::parse_line(line) {
        Ok(s) => s,
        Err(e) => {
            ui.message = Some((format!(":load: {e}"), Severity::Warning));
            return Vec::new();
        }
    };
    let request = spec.request();
    model.load = Some(LoadRun::new(spec.clone(), model));
    ui.view = View::Load;
    ui.message = Some((format!("planning {}", request.verb), Severity::Info));
    ui.action = Some(ActionFlow::Planning(request));
    vec![Command::PlanLoad(Box::new(spec))]
}

fn busy_with(flow: &ActionFlow) -> Option<String> {
    match flow {
        ActionFlow::Planning(r) => Some(format!("still planning {} {}", r.verb.name(), r.workload)),
        ActionFlow::Running { plan, .. } => Some(format!("{} is still running", plan.summary)),
        _ => None,
    }
}

/// Whether the running action is a load run (its dialog stays out of the
/// way so the figures show).
pub fn is_load(flow: &ActionFlow) -> bool {
    let plan = match flow {
        ActionFlow::Running { plan, .. } | ActionFlow::Finished { plan, .. } => plan,
        ActionFlow::Confirm(plan) => plan,
        _ => return false,
    };
    matches!(plan.request.verb, Verb::Load { .. })
}

pub fn key(ui: &mut UiState, action: Intent) -> Vec<Command> {
    match action {
        Intent::StopLoad if ui.action.as_ref().is_some_and(is_load) => {
            ui.message = Some(("stopping the load run".into(), Severity::Info));
            vec![Command::StopLoad]
        }
        Intent::StopLoad => {
            ui.message = Some(("no load run is under way".into(), Severity::Info));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{keys, setup};
    use super::super::{update, UiEvent};
    use super::*;
    use crate::action::ActionEvent;
    use crate::console::Event;

    #[test]
    fn load_plans_confirms_runs_and_shows_figures() {
        let (mut m, mut ui) = setup();
        let cmds = keys(&mut m, &mut ui, ":load http://127.0.0.1:8081/ -n 100\n");
        assert!(
            matches!(cmds.as_slice(), [Command::PlanLoad(_)]),
            "{cmds:?}"
        );
        assert_eq!(ui.view, View::Load);
        assert_eq!(
            m.load
                .as_ref()
                .unwrap()
                .workload
                .as_ref()
                .map(|w| w.to_string()),
            Some("local/shop/api".into())
        );
        let plan = m.load.as_ref().unwrap().spec.plan();
        update(
            &mut m,
            &mut ui,
            UiEvent::from(Event::Action(ActionEvent::Planned(Ok(plan.clone())))),
        );
        assert!(matches!(ui.action, Some(ActionFlow::Confirm(_))));
        let cmds = keys(&mut m, &mut ui, "y");
        assert!(matches!(cmds.as_slice(), [Command::Execute(_)]));
        // The dialog steps aside while the run goes on.
        assert!(!ui.action.as_ref().unwrap().is_modal());
        let snap = crate::load::Stats::new().snapshot(std::time::Duration::from_secs(1), 4);
        update(&mut m, &mut ui, UiEvent::from(Event::Load(Box::new(snap))));
        assert!(m.load.as_ref().unwrap().figures.is_some());
        assert_eq!(keys(&mut m, &mut ui, "x"), vec![Command::StopLoad]);
    }

    #[test]
    fn bad_lines_and_read_only_are_refused_with_a_message() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, ":load ftp://x/\n");
        assert!(ui.message.as_ref().unwrap().0.contains("http://"));
        assert!(ui.action.is_none());
        m.read_only = true;
        let cmds = keys(&mut m, &mut ui, ":load http://127.0.0.1:1/\n");
        assert!(cmds.is_empty());
        assert!(ui.message.as_ref().unwrap().0.contains("read-only"));
    }
}
