//! The load view's logic: `:load URL ...` (or a capacity run, `:load URL
//! --stages ...`) plans a run through the same dialog as workload actions
//! (y/n), the figures arrive as `Event::Load` (and a capacity run's stages
//! as `Event::Capacity`), `x` stops the run. Pure: the app loop runs it.

use super::Command;
use crate::action::Verb;
use crate::console::load_run::LoadRun;
use crate::console::{CapacityAsk, Event, Model};
use crate::load::args::{LineRun, LoadFlags};
use crate::load::capacity::flags::CapacityFlags;
use crate::model::Severity;
use crate::ui::keymap::Intent;
use crate::ui::state::action_flow::ActionFlow;
use crate::ui::state::{UiState, View};
use std::path::PathBuf;

/// `:load` with the rest of the line: plans a new run, or with nothing
/// after it, shows the last one.
pub fn command(model: &mut Model, ui: &mut UiState, line: &str) -> Vec<Command> {
    if line.is_empty() {
        if model.load.is_some() {
            ui.view = View::Load;
        } else {
            ui.message = Some((
                ":load URL [-c N] [-d 30s | -n N] [--rate R] [--profile constant|ramp|spike] [--stages 50:2m,100:2m --threshold 'p95<1s'] ..."
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
    let planned = crate::load::args::parse_line(line).and_then(|run| match run {
        LineRun::Single(spec) => Ok((
            LoadRun::new(spec.clone(), model),
            Command::PlanLoad(Box::new(spec)),
        )),
        LineRun::Capacity { load, capacity } => capacity_run(model, &load, &capacity),
    });
    let (run, command) = match planned {
        Ok(p) => p,
        Err(e) => {
            ui.message = Some((format!(":load: {e}"), Severity::Warning));
            return Vec::new();
        }
    };
    let request = match &run.capacity {
        Some(c) => c.spec.request(),
        None => run.spec.request(),
    };
    model.load = Some(run);
    ui.view = View::Load;
    ui.message = Some((format!("planning {}", request.verb), Severity::Info));
    ui.action = Some(ActionFlow::Planning(request));
    vec![command]
}

/// A capacity run from the line's flags, made as the command makes it;
/// `--from-current` reads the service's requests/s from the console's own
/// readings, as the metrics view shows them.
fn capacity_run(
    model: &Model,
    load: &LoadFlags,
    capacity: &CapacityFlags,
) -> Result<(LoadRun, Command), String> {
    let current = match &capacity.from_current {
        None => None,
        Some(service) => Some(
            crate::console::services::requests_per_second(model, service)
                .map_err(|e| format!("--from-current {service}: {e}"))?,
        ),
    };
    let spec = capacity.spec(load, current)?;
    let run = LoadRun::capacity(
        spec.clone(),
        capacity.workload.clone(),
        capacity.report.clone(),
        model,
    );
    let ask = CapacityAsk {
        spec,
        workload: capacity.workload.clone(),
        report: capacity.report.clone(),
    };
    Ok((run, Command::PlanCapacity(Box::new(ask))))
}

/// The capacity run's report written, or not: said after the verdict the
/// footer already holds.
pub fn on_report(model: &mut Model, ui: &mut UiState, written: Result<PathBuf, String>) {
    let said = ui.message.take();
    let (before, sev) = said.unwrap_or_else(|| (String::new(), Severity::Info));
    let sep = if before.is_empty() { "" } else { " · " };
    ui.message = Some(match &written {
        Ok(path) => (
            format!("{before}{sep}report written to {}", path.display()),
            sev,
        ),
        Err(e) => (format!("{before}{sep}{e}"), Severity::Critical),
    });
    model.apply(Event::CapacityReport(written));
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

#[cfg(test)]
#[path = "load_capacity_tests.rs"]
mod capacity_tests;
