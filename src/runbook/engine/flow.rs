//! Moving between steps: entering one (templates are resolved here, as the
//! step starts), finishing it, and choosing where to go next.

use super::{Effect, Engine, Phase, MAX_VISITS};
use crate::runbook::expr;
use crate::runbook::spec::{StepBody, END};
use crate::runbook::status::{RunMode, RunOutcome, StepState};
use crate::runbook::timeline::Entry;
use serde_json::Value;

impl Engine {
    /// A fresh visit to a step (from the step above, a goto or a branch).
    pub(super) fn enter(&mut self, step: usize) -> Phase {
        let rec = &mut self.records[step];
        rec.visits += 1;
        rec.attempts = 0;
        rec.unread = false;
        // A plan run shows a loop's body once: coming round again would only
        // show the same plans with the same readings.
        if self.mode == RunMode::Plan && rec.visits > 1 {
            let id = self.rb.steps[step].id.clone();
            let text = format!(
                "plan run: the path comes back to `{id}`; a run would repeat from here until it settles, so the plan ends"
            );
            self.record(None, Entry::Decision { text });
            return self.finish_success();
        }
        if rec.visits > MAX_VISITS {
            let id = self.rb.steps[step].id.clone();
            let reason =
                format!("entered {MAX_VISITS} times; stopping a loop that does not settle");
            return self.finish(RunOutcome::Failed { step: id, reason });
        }
        self.start_attempt(step)
    }

    pub(super) fn start_attempt(&mut self, step: usize) -> Phase {
        self.clear_timers();
        let rec = &mut self.records[step];
        rec.attempts += 1;
        rec.state = StepState::Running;
        let attempt = rec.attempts;
        self.record_step(step, Entry::StepStarted { attempt });
        let id = self.rb.steps[step].id.clone();
        let scope = self.scope();
        if let Some(when) = self.rb.steps[step].when.clone() {
            match expr::eval_bool(&when, &scope) {
                Ok(true) => {}
                Ok(false) => {
                    let why = format!("not applicable: `{when}` does not hold");
                    return self.skip(step, &why);
                }
                Err(e) => return self.fail_now(step, format!("condition `{when}`: {e}")),
            }
        }
        let mut render =
            |t: &str| expr::render(t, &scope).map_err(|e| format!("template `{t}`: {e}"));
        match self.rb.steps[step].body.clone() {
            StepBody::Note { text, .. } => match render(&text) {
                Ok(text) => {
                    self.records[step].state = StepState::WaitingForYou;
                    self.emit(Effect::AskAck { step: id, text });
                    Phase::Acking { step }
                }
                Err(e) => self.fail(step, e, Value::Null),
            },
            // A check whose templates do not resolve has nothing to read.
            StepBody::Check(check) => match check.render(&mut render) {
                Ok(check) => self.run_check(step, check),
                Err(e) => self.unread(step, e),
            },
            StepBody::Wait { check, .. } => match check.render(&mut render) {
                Ok(check) => self.start_wait(step, check),
                Err(e) => self.unread(step, e),
            },
            StepBody::Action(spec) => match spec.resolve(&mut render) {
                Ok(action) => self.plan_action(step, action),
                Err(e) => self.fail_now(step, e),
            },
            StepBody::Input { param, prompt } => {
                let prompt = if prompt.is_empty() {
                    self.rb.steps[step].title.clone()
                } else {
                    prompt
                };
                match render(&prompt) {
                    Ok(prompt) => self.ask_input(step, &param, prompt, None),
                    Err(e) => self.fail(step, e, Value::Null),
                }
            }
            StepBody::Branch { cases, default } => {
                for (n, case) in cases.iter().enumerate() {
                    match expr::eval_bool(&case.when, &scope) {
                        Ok(true) => {
                            let text =
                                format!("case {}: `{}` holds → {}", n + 1, case.when, case.goto);
                            return self.take_branch(step, &case.goto, text);
                        }
                        Ok(false) => {}
                        Err(e) => {
                            return self.fail(
                                step,
                                format!("condition `{}`: {e}", case.when),
                                Value::Null,
                            )
                        }
                    }
                }
                match default {
                    Some(target) => {
                        self.take_branch(step, &target, format!("no case holds → {target}"))
                    }
                    None => {
                        self.record_step(
                            step,
                            Entry::Decision {
                                text: "no case holds → next step".into(),
                            },
                        );
                        self.finish_step(
                            step,
                            StepState::Passed,
                            Value::Null,
                            "no case holds".into(),
                        )
                    }
                }
            }
        }
    }

    fn take_branch(&mut self, step: usize, target: &str, text: String) -> Phase {
        self.record_step(step, Entry::Decision { text: text.clone() });
        self.settle(
            step,
            StepState::Passed,
            Value::String(target.to_string()),
            text,
        );
        self.goto(step, target)
    }

    /// Stores a step's result and records it, without moving on.
    pub(super) fn settle(&mut self, step: usize, state: StepState, value: Value, output: String) {
        self.clear_timers();
        let rec = &mut self.records[step];
        rec.state = state;
        rec.value = value.clone();
        rec.output = output.clone();
        self.record_step(
            step,
            Entry::StepFinished {
                status: state,
                value,
                output,
            },
        );
    }

    /// Stores a step's result and goes on to the step after it.
    pub(super) fn finish_step(
        &mut self,
        step: usize,
        state: StepState,
        value: Value,
        output: String,
    ) -> Phase {
        self.settle(step, state, value, output);
        self.advance(step)
    }

    /// The step's `next`, else the one below it, else the end of the run.
    pub(super) fn advance(&mut self, step: usize) -> Phase {
        match self.rb.steps[step].next.clone() {
            Some(target) => self.goto(step, &target),
            None if step + 1 < self.rb.steps.len() => self.enter(step + 1),
            None => self.finish_success(),
        }
    }

    pub(super) fn goto(&mut self, from: usize, target: &str) -> Phase {
        if target == END {
            return self.finish_success();
        }
        match self.rb.step_index(target) {
            Some(i) => self.enter(i),
            None => {
                let step = self.rb.steps[from].id.clone();
                self.finish(RunOutcome::Failed {
                    step,
                    reason: format!("goto to unknown step `{target}`"),
                })
            }
        }
    }

    fn finish_success(&mut self) -> Phase {
        let problems: Vec<String> = std::mem::take(&mut self.problems).into_values().collect();
        match (self.mode, self.unresolved.take()) {
            (RunMode::Plan, _) => self.finish(RunOutcome::Planned { problems }),
            (RunMode::Run, Some(step)) => self.finish(RunOutcome::Unresolved { step, problems }),
            (RunMode::Run, None) => self.finish(RunOutcome::Completed { problems }),
        }
    }

    pub(super) fn finish(&mut self, outcome: RunOutcome) -> Phase {
        self.clear_timers();
        self.record(
            None,
            Entry::RunFinished {
                outcome: outcome.clone(),
            },
        );
        self.emit(Effect::Finished {
            outcome: outcome.clone(),
        });
        Phase::Done(outcome)
    }

    pub(super) fn skip(&mut self, step: usize, why: &str) -> Phase {
        self.record_step(
            step,
            Entry::Decision {
                text: why.to_string(),
            },
        );
        self.finish_step(step, StepState::Skipped, Value::Null, why.to_string())
    }

    pub(super) fn arm_timeout(&mut self, step: usize) {
        if let Some(after) = self.rb.steps[step].timeout {
            self.timers.timeout = Some(self.start_timer(step, after));
        }
    }

    pub(super) fn start_timer(&mut self, step: usize, after: std::time::Duration) -> u64 {
        let timer = self.ticket();
        let id = self.rb.steps[step].id.clone();
        self.emit(Effect::StartTimer {
            step: id,
            timer,
            after,
        });
        timer
    }

    /// Forgetting a timer's id is how it is cancelled: its firing then matches nothing.
    pub(super) fn clear_timers(&mut self) {
        self.timers = Default::default();
    }
}
