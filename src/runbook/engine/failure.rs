//! What happens when a step fails: retries first, then its `on_failure`
//! (abort halts the run for a person to retry, skip or abort; continue;
//! goto; rollback).

use super::{Effect, Engine, Input, Phase};
use crate::base::duration;
use crate::runbook::spec::{OnFailure, StepBody};
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
                // A failed check is a finding the path goes on to act on; a
                // remedy that failed or a verification that did not verify,
                // gone past, keeps the run from ending clean.
                if matches!(
                    self.rb.steps[step].body,
                    StepBody::Action(_) | StepBody::Wait { .. }
                ) {
                    self.note_problem(step, format!("failed: {reason}"));
                }
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

    /// A check or wait that read nothing: retried like a failure, then
    /// inconclusive. Only `on_failure = continue` goes on by itself; a goto,
    /// a rollback or an abort was written for a failed check, not an unread
    /// one, so the run halts for a person to retry, skip or abort.
    pub(super) fn unread(&mut self, step: usize, reason: String) -> Phase {
        self.clear_timers();
        let (retry, delay, on_failure) = {
            let s = &self.rb.steps[step];
            (s.retry, s.retry_delay, s.on_failure.clone())
        };
        let attempts = self.records[step].attempts;
        self.records[step].output = reason.clone();
        self.records[step].value = Value::Null;
        if attempts <= retry {
            let mut text = format!(
                "attempt {attempts} of {} could not read: {reason}; retrying",
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
        self.settle(step, StepState::Inconclusive, Value::Null, reason.clone());
        self.note_problem(step, format!("could not read: {reason}"));
        match on_failure {
            OnFailure::Continue => {
                let text = "inconclusive; on_failure = continue".to_string();
                self.record_step(step, Entry::Decision { text });
                self.advance(step)
            }
            _ => {
                let reason = format!("could not read: {reason}");
                let text =
                    "halted: nothing was read, so no path is taken by itself; retry, skip or abort"
                        .to_string();
                self.record_step(step, Entry::Decision { text });
                let id = self.rb.steps[step].id.clone();
                self.emit(Effect::Halted {
                    step: id,
                    reason: reason.clone(),
                });
                Phase::Halted { step, reason }
            }
        }
    }

    /// A failure no retry can mend (an action refused or impossible to
    /// plan): the step ends at once and the run takes its `on_failure` path.
    pub(super) fn fail_now(&mut self, step: usize, reason: String) -> Phase {
        let attempts = self.rb.steps[step].retry + 1;
        self.records[step].attempts = self.records[step].attempts.max(attempts);
        self.fail(step, reason, Value::Null)
    }

    /// What keeps the run from ending clean, kept by step.
    pub(super) fn note_problem(&mut self, step: usize, what: String) {
        let id = self.rb.steps[step].id.clone();
        self.problems.insert(id.clone(), format!("`{id}` {what}"));
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
                self.note_problem(step, format!("was skipped after it failed: {reason}"));
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
