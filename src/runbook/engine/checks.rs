//! `check` steps (one read, pass or fail) and `wait` steps (the same read,
//! polled until it passes or the step's timeout), plus timeouts for every
//! automated phase.

use super::{Effect, Engine, Input, Phase};
use crate::base::duration;
use crate::runbook::spec::{Check, StepBody};
use crate::runbook::status::{RunMode, StepState};
use crate::runbook::timeline::Entry;
use serde_json::Value;

impl Engine {
    pub(super) fn run_check(&mut self, step: usize, check: Check) -> Phase {
        self.record_step(
            step,
            Entry::CheckRequested {
                check: check.clone(),
            },
        );
        let ticket = self.request_check(step, &check);
        self.arm_timeout(step);
        Phase::Checking { step, ticket }
    }

    fn request_check(&mut self, step: usize, check: &Check) -> u64 {
        let ticket = self.ticket();
        let id = self.rb.steps[step].id.clone();
        self.emit(Effect::RunCheck {
            step: id,
            ticket,
            check: check.clone(),
        });
        ticket
    }

    pub(super) fn start_wait(&mut self, step: usize, check: Check) -> Phase {
        self.record_step(
            step,
            Entry::CheckRequested {
                check: check.clone(),
            },
        );
        let ticket = self.request_check(step, &check);
        // A plan run reads once and does not wait, so it has no deadline.
        if self.mode == RunMode::Run {
            self.arm_timeout(step);
        }
        Phase::Waiting {
            step,
            ticket: Some(ticket),
            check,
        }
    }

    pub(super) fn on_checking(&mut self, step: usize, ticket: u64, event: Input) -> Phase {
        match event {
            Input::CheckDone {
                ticket: t,
                passed,
                inconclusive,
                value,
                output,
                ..
            } if t == ticket => {
                if inconclusive {
                    self.unread(step, output)
                } else if passed {
                    self.finish_step(step, StepState::Passed, value, output)
                } else {
                    self.fail(step, output, value)
                }
            }
            _ => Phase::Checking { step, ticket },
        }
    }

    pub(super) fn on_waiting(
        &mut self,
        step: usize,
        ticket: Option<u64>,
        check: Check,
        event: Input,
    ) -> Phase {
        match event {
            Input::CheckDone {
                ticket: t,
                passed,
                inconclusive,
                value,
                output,
                ..
            } if Some(t) == ticket => {
                if passed {
                    return self.finish_step(step, StepState::Passed, value, output);
                }
                let interval = self.wait_interval(step);
                if self.mode == RunMode::Plan {
                    if inconclusive {
                        return self.unread(step, output);
                    }
                    let limit = self.rb.steps[step]
                        .timeout
                        .map(duration::format)
                        .unwrap_or_default();
                    let text = format!(
                        "plan run: not waiting (a run would poll every {} for up to {limit}); now: {output}",
                        duration::format(interval)
                    );
                    return self.plan_past_wait(step, value, text);
                }
                self.records[step].unread = inconclusive;
                self.records[step].value = value.clone();
                self.records[step].output = output.clone();
                self.record_step(step, Entry::Polled { value, output });
                self.timers.poll = Some(self.start_timer(step, interval));
                Phase::Waiting {
                    step,
                    ticket: None,
                    check,
                }
            }
            Input::TimerFired { timer } if ticket.is_none() && self.timers.poll == Some(timer) => {
                self.timers.poll = None;
                let ticket = self.request_check(step, &check);
                Phase::Waiting {
                    step,
                    ticket: Some(ticket),
                    check,
                }
            }
            _ => Phase::Waiting {
                step,
                ticket,
                check,
            },
        }
    }

    /// A plan run does not wait: it reports the reading and takes the path
    /// a run would take if the condition never came true (a goto on
    /// failure), so the actions behind it are planned and shown too.
    fn plan_past_wait(&mut self, step: usize, value: Value, text: String) -> Phase {
        self.settle(step, StepState::Skipped, value, text);
        match self.rb.steps[step].on_failure.clone() {
            crate::runbook::spec::OnFailure::Goto(target) => {
                let text = format!("plan run: a run that waits in vain goes on to {target}");
                self.record_step(step, crate::runbook::timeline::Entry::Decision { text });
                self.goto(step, &target)
            }
            _ => self.advance(step),
        }
    }

    fn wait_interval(&self, step: usize) -> std::time::Duration {
        match &self.rb.steps[step].body {
            StepBody::Wait { interval, .. } => *interval,
            _ => crate::runbook::spec::DEFAULT_WAIT_INTERVAL,
        }
    }

    /// The step's `timeout` ran out in an automated phase.
    pub(super) fn timed_out(&mut self, phase: Phase) -> Phase {
        let Some(step) = phase.step() else {
            return phase;
        };
        let after = self.rb.steps[step]
            .timeout
            .map(duration::format)
            .unwrap_or_default();
        let reason = match &phase {
            Phase::Checking { .. } => format!("no result after {after}"),
            Phase::Waiting { .. } => {
                let last = &self.records[step].output;
                if last.is_empty() {
                    format!("did not pass within {after}")
                } else {
                    format!("did not pass within {after}; last: {last}")
                }
            }
            Phase::Planning { .. } => format!("no plan after {after}"),
            Phase::Applying { .. } => {
                format!(
                    "no outcome after {after}; the action may still complete and will be recorded"
                )
            }
            _ => return phase,
        };
        let value = self.records[step].value.clone();
        self.timers.timeout = None;
        // A wait whose last reading read nothing never learnt the answer.
        if matches!(phase, Phase::Waiting { .. }) && self.records[step].unread {
            return self.unread(step, reason);
        }
        self.fail(
            step,
            reason,
            if matches!(phase, Phase::Waiting { .. }) {
                value
            } else {
                Value::Null
            },
        )
    }
}
