//! Continuing a run from its timeline: params, step results and the actions
//! still in effect are restored, and the run restarts at the step it failed
//! or stopped on.

use super::Engine;
use crate::runbook::spec::Runbook;
use crate::runbook::status::{RunMode, StepState};
use crate::runbook::timeline::{RunState, TimelineEntry};
use serde_json::Value;

impl Engine {
    pub fn resume(rb: Runbook, entries: &[TimelineEntry], mode: RunMode) -> Result<Engine, String> {
        let snap = RunState::rebuild(entries)?;
        if snap.runbook != rb.id {
            return Err(format!(
                "the timeline is a run of `{}`, not `{}`",
                snap.runbook, rb.id
            ));
        }
        let from = snap.resume_point()?;
        let from_index = rb
            .step_index(&from)
            .ok_or_else(|| format!("step `{from}` is no longer in runbook `{}`", rb.id))?;
        // The runbook may have gained params since the run began.
        let mut params = snap.params.clone();
        for (name, spec) in &rb.params {
            params
                .entry(name.clone())
                .or_insert_with(|| spec.default.clone().unwrap_or(Value::Null));
        }
        let mut engine = Engine::new(rb, params, snap.labels.clone(), mode);
        for (id, result) in &snap.steps {
            if let Some(i) = engine.rb.step_index(id) {
                let rec = &mut engine.records[i];
                rec.state = match result.status {
                    // Interrupted mid-step: it will run again.
                    StepState::Running | StepState::WaitingForYou => StepState::Pending,
                    s => s,
                };
                rec.value = result.value.clone();
                rec.output = result.output.clone();
            }
        }
        engine.records[from_index].state = StepState::Pending;
        engine.applied = snap.applied;
        engine.resume_from = Some(from_index);
        Ok(engine)
    }
}
