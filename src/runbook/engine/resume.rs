//! Continuing a run from its timeline: params, step results and the actions
//! still in effect are restored, and the run restarts at the step it failed
//! or stopped on. A param the timeline keeps only redacted (a URL with
//! credentials) must be given again.

use super::Engine;
use crate::runbook::spec::Runbook;
use crate::runbook::status::{RunMode, StepState};
use crate::runbook::timeline::{RunState, TimelineEntry};
use serde_json::Value;
use std::collections::BTreeMap;

impl Engine {
    /// `given`: the withheld params' values again, as typed (`--param K=V`).
    pub fn resume(
        rb: Runbook,
        entries: &[TimelineEntry],
        mode: RunMode,
        given: &BTreeMap<String, String>,
    ) -> Result<Engine, String> {
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
        if let Some(name) = given.keys().find(|k| !snap.withheld.contains(*k)) {
            return Err(format!(
                "param `{name}` is kept in the run's timeline; only params withheld for their credentials are given again"
            ));
        }
        let missing: Vec<&String> = snap
            .withheld
            .iter()
            .filter(|n| !given.contains_key(*n))
            .collect();
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(|n| format!("`{n}`")).collect();
            let flags: Vec<String> = missing.iter().map(|n| format!("--param {n}=...")).collect();
            return Err(format!(
                "{} held credentials or a query, which the timeline does not keep: give {} again with {}",
                names.join(", "),
                if missing.len() == 1 { "it" } else { "them" },
                flags.join(" ")
            ));
        }
        let mut params = snap.params.clone();
        for name in &snap.withheld {
            let raw = &given[name];
            let spec = rb.params.get(name).cloned().unwrap_or_default();
            let value = spec
                .parse_input(raw)
                .map_err(|e| format!("param `{name}`: {e}"))?;
            params.insert(name.clone(), value);
        }
        // The runbook may have gained params since the run began.
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
