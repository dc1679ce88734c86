//! `action` steps: plan → confirm → apply. A plan run stops after the plan.

use super::{Effect, Engine, InFlight, Input, Phase, StepPlan};
use crate::runbook::spec::Action;
use crate::runbook::status::{RunMode, StepState};
use crate::runbook::timeline::{Applied, Entry};
use serde_json::Value;

impl Engine {
    pub(super) fn plan_action(&mut self, step: usize, action: Action) -> Phase {
        let ticket = self.ticket();
        let id = self.rb.steps[step].id.clone();
        self.emit(Effect::PlanAction {
            step: id,
            ticket,
            action: action.clone(),
        });
        self.arm_timeout(step);
        Phase::Planning {
            step,
            ticket,
            action,
        }
    }

    pub(super) fn on_planning(
        &mut self,
        step: usize,
        ticket: u64,
        action: Action,
        event: Input,
    ) -> Phase {
        match event {
            Input::ActionPlanned {
                ticket: t, plan, ..
            } if t == ticket => match plan {
                Err(e) => self.fail_now(step, format!("cannot plan {}: {e}", action.describe())),
                Ok(plan) => {
                    self.timers.timeout = None;
                    let entry = Entry::ActionPlanned {
                        action: action.clone(),
                        plan: plan.text.clone(),
                        prior: plan.prior.clone(),
                        undo: false,
                    };
                    self.record_step(step, entry);
                    if self.mode == RunMode::Plan {
                        let text = format!("plan only, not applied: {}", plan.text);
                        return self.finish_step(step, StepState::Skipped, Value::Null, text);
                    }
                    self.records[step].state = StepState::WaitingForYou;
                    let id = self.rb.steps[step].id.clone();
                    self.emit(Effect::AskConfirm {
                        step: id,
                        action: action.clone(),
                        plan: plan.clone(),
                        undo: false,
                    });
                    Phase::Confirming { step, action, plan }
                }
            },
            _ => Phase::Planning {
                step,
                ticket,
                action,
            },
        }
    }

    pub(super) fn on_confirming(
        &mut self,
        step: usize,
        action: Action,
        plan: StepPlan,
        event: Input,
    ) -> Phase {
        let id = self.rb.steps[step].id.clone();
        match event {
            Input::Confirmed { step: s } if s == id => {
                self.record_step(
                    step,
                    Entry::Decision {
                        text: format!("confirmed: {}", action.describe()),
                    },
                );
                self.records[step].state = StepState::Running;
                let applied = Applied {
                    step: id,
                    action,
                    prior: plan.prior,
                };
                let ticket = self.apply(applied, false);
                self.arm_timeout(step);
                Phase::Applying { step, ticket }
            }
            Input::Declined { step: s } if s == id => {
                self.record_step(
                    step,
                    Entry::Decision {
                        text: format!("declined: {}", action.describe()),
                    },
                );
                self.finish_step(
                    step,
                    StepState::Skipped,
                    Value::Null,
                    "declined; nothing changed".into(),
                )
            }
            _ => Phase::Confirming { step, action, plan },
        }
    }

    /// Sends the apply request and remembers it until its outcome arrives.
    pub(super) fn apply(&mut self, applied: Applied, undo: bool) -> u64 {
        let ticket = self.ticket();
        self.emit(Effect::ApplyAction {
            step: applied.step.clone(),
            ticket,
            action: applied.action.clone(),
        });
        self.in_flight.insert(ticket, InFlight { applied, undo });
        ticket
    }

    /// Records an apply outcome; returns the action if it changed something.
    pub(super) fn outcome_of(&mut self, ticket: u64, ok: bool, output: String) -> Option<InFlight> {
        let flight = self.in_flight.remove(&ticket)?;
        let a = &flight.applied;
        let entry = Entry::ActionApplied {
            action: a.action.clone(),
            prior: a.prior.clone(),
            ok,
            output,
            undo: flight.undo,
        };
        let step = a.step.clone();
        self.record(Some(&step), entry);
        // Kept in step with `Snapshot::rebuild`, so a resumed run agrees.
        if ok && !flight.undo {
            self.applied.push(flight.applied.clone());
        } else if ok {
            if let Some(i) = self.applied.iter().rposition(|a| a.step == step) {
                self.applied.remove(i);
            }
        }
        Some(flight)
    }

    pub(super) fn on_applying(&mut self, step: usize, ticket: u64, event: Input) -> Phase {
        match event {
            Input::ActionDone {
                ticket: t,
                ok,
                output,
                ..
            } if t == ticket => {
                self.outcome_of(ticket, ok, output.clone());
                if ok {
                    self.finish_step(step, StepState::Passed, Value::Null, output)
                } else if output.starts_with("refused") {
                    // A refusal (read-only, another action holds the
                    // workload) is not mended by trying again.
                    self.fail_now(step, output)
                } else {
                    self.fail(step, output, Value::Null)
                }
            }
            _ => Phase::Applying { step, ticket },
        }
    }

    /// An outcome for an apply the run is no longer waiting on.
    pub(super) fn is_late(&self, ticket: u64, phase: &Phase) -> bool {
        let current = match phase {
            Phase::Applying { ticket, .. } => Some(*ticket),
            Phase::RollingBack(r) => r.applying_ticket(),
            _ => None,
        };
        self.in_flight.contains_key(&ticket) && current != Some(ticket)
    }

    pub(super) fn late_outcome(&mut self, ticket: u64, ok: bool, output: String) {
        if let Some(flight) = self.outcome_of(ticket, ok, output) {
            let text = "late outcome: the run had already moved on from this step".to_string();
            self.record(Some(&flight.applied.step), Entry::Decision { text });
        }
    }
}
