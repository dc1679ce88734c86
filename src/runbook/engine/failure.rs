//! What happens when a step fails: retries first, then its `on_failure`
//! (abort halts the run for a person to retry, skip or abort; continue;
//! goto; rollback).

use super::{Effect, Engine, Input, Phase};
use crate::base::duration;
use crate::runbook::spec::OnFailure;
use crate::runbook::status::{RunOutcome, StepState};
use crate::runbook::timeline::Entry;
use serde_json::Value;

impl Engine {
    pub(super) fn fail(&mut self, step: usize, reason: String, value: Value) -> Phase {
        self.clear_timers();
        let (retry, delay, on_failure) = {
            let s = &self.rb.steps[step];
            (s.retry, s.retry_delay, s.on_failure.clone())
        };
        let attempts = self.records[step].attempts;
        self.records[step].output = reason.clone();
        self.records[step].value = value.clone();
        if attempts <= retry {
            let mut text = format!(
                "attempt {attempts} of {} failed: {reason}; retrying",
                retry + 1
            );
            if let Some(d) = delay {
                text.push_str(&format!(" in {}", duration::format(d)));
            }
            self.record_step(step, Entry::Decision { text });
            return match delay {
                Some(d) => {
                    self.timers.retry = Some(self.start_timer(step, d));
                    Phase::RetryDelay { step }
                }
                None => self.start_attempt(step),
            };
        }
        self.settle(step, StepState::Failed, value, reason.clone());
        match on_failure {
            OnFailure::Abort => {
                let text = "halted: retry, skip or abort".to_string();
                self.record_step(step, Entry::Decision { text });
                let id = self.rb.steps[step].id.clone();
                self.emit(Effect::Halted {
                    step: id,
                    reason: reason.clone(),
                });
                Phase::Halted { step, reason }
            }
            OnFailure::Continue => {
                self.record_step(
                    step,
                    Entry::Decision {
                        text: "on_failure = continue".into(),
                    },
                );
                self.advance(step)
            }
            OnFailure::Goto(target) => {
                self.record_step(
                    step,
                    Entry::Decision {
                        text: format!("on_failure → {target}"),
                    },
                );
                self.goto(step, &target)
            }
            OnFailure::Rollback => self.begin_rollback(step, reason),
        }
    }

    pub(super) fn on_retry_delay(&mut self, step: usize, event: Input) -> Phase {
        match event {
            Input::TimerFired { timer } if self.timers.retry == Some(timer) => {
                self.start_attempt(step)
            }
            _ => Phase::RetryDelay { step },
        }
    }

    pub(super) fn on_halted(&mut self, step: usize, reason: String, event: Input) -> Phase {
        match event {
            Input::Retry => {
                self.record_step(
                    step,
                    Entry::Decision {
                        text: "retry requested".into(),
                    },
                );
                self.records[step].attempts = 0;
                self.start_attempt(step)
            }
            Input::Skip => {
                let why = format!("skipped after failure: {reason}");
                self.record_step(step, Entry::Decision { text: why.clone() });
                let value = self.records[step].value.clone();
                self.finish_step(step, StepState::Skipped, value, why)
            }
            Input::Abort => {
                let id = self.rb.steps[step].id.clone();
                self.finish(RunOutcome::Failed { step: id, reason })
            }
            _ => Phase::Halted { step, reason },
        }
    }
}
