//! `on_failure = rollback`: propose the inverse of every action this run
//! applied, newest first, each with its own plan and confirmation. Actions
//! with no inverse (a restart, a terminated query) are kept and recorded.

use super::{Effect, Engine, Input, Phase, StepPlan};
use crate::runbook::spec::Action;
use crate::runbook::status::{RunMode, RunOutcome};
use crate::runbook::timeline::{Applied, Entry};

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Rollback {
    step: String,
    reason: String,
    /// Still to undo; the newest is last.
    queue: Vec<Applied>,
    undone: u32,
    kept: u32,
    current: Option<Undo>,
}

#[derive(Debug, Clone, PartialEq)]
struct Undo {
    of: Applied,
    inverse: Action,
    stage: Stage,
}

#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Planning { ticket: u64 },
    Confirming { plan: StepPlan },
    Applying { ticket: u64 },
}

impl Rollback {
    pub(super) fn applying_ticket(&self) -> Option<u64> {
        match self.current.as_ref().map(|u| &u.stage) {
            Some(Stage::Applying { ticket }) => Some(*ticket),
            _ => None,
        }
    }
}

impl Engine {
    pub(super) fn begin_rollback(&mut self, step: usize, reason: String) -> Phase {
        let queue = self.applied.clone();
        let text = format!("on_failure = rollback: {} action(s) to undo", queue.len());
        self.record_step(step, Entry::Decision { text });
        let run = Box::new(Rollback {
            step: self.rb.steps[step].id.clone(),
            reason,
            queue,
            undone: 0,
            kept: 0,
            current: None,
        });
        self.next_undo(run)
    }

    fn next_undo(&mut self, mut run: Box<Rollback>) -> Phase {
        run.current = None;
        while let Some(of) = run.queue.pop() {
            match of.action.inverse(&of.prior) {
                Some(inverse) => {
                    let ticket = self.ticket();
                    self.emit(Effect::PlanAction {
                        step: of.step.clone(),
                        ticket,
                        action: inverse.clone(),
                    });
                    run.current = Some(Undo {
                        of,
                        inverse,
                        stage: Stage::Planning { ticket },
                    });
                    return Phase::RollingBack(run);
                }
                None => {
                    let text = format!(
                        "cannot undo `{}`: nothing to put back",
                        of.action.describe()
                    );
                    self.record(Some(&of.step), Entry::Decision { text });
                    run.kept += 1;
                }
            }
        }
        let outcome = RunOutcome::RolledBack {
            step: run.step,
            reason: run.reason,
            undone: run.undone,
            kept: run.kept,
        };
        self.finish(outcome)
    }

    fn keep(&mut self, mut run: Box<Rollback>, why: String) -> Phase {
        if let Some(u) = &run.current {
            self.record(Some(&u.of.step), Entry::Decision { text: why });
        }
        run.kept += 1;
        self.next_undo(run)
    }

    pub(super) fn on_rolling_back(&mut self, mut run: Box<Rollback>, event: Input) -> Phase {
        let Some(undo) = run.current.clone() else {
            return self.next_undo(run);
        };
        match (event, undo.stage) {
            (Input::Abort, _) => self.finish(RunOutcome::Aborted {
                step: Some(run.step),
            }),
            (Input::Skip, _) => self.keep(run, "undo skipped by you".into()),
            (
                Input::ActionPlanned {
                    ticket: t, plan, ..
                },
                Stage::Planning { ticket },
            ) if t == ticket => match plan {
                Err(e) => self.keep(run, format!("cannot plan undo: {e}")),
                Ok(_) if self.mode == RunMode::Plan => {
                    self.keep(run, "plan run: undo not applied".into())
                }
                Ok(plan) => {
                    let entry = Entry::ActionPlanned {
                        action: undo.inverse.clone(),
                        plan: plan.text.clone(),
                        prior: plan.prior.clone(),
                        undo: true,
                    };
                    self.record(Some(&undo.of.step), entry);
                    self.emit(Effect::AskConfirm {
                        step: undo.of.step.clone(),
                        action: undo.inverse.clone(),
                        plan: plan.clone(),
                        undo: true,
                    });
                    run.current = Some(Undo {
                        stage: Stage::Confirming { plan },
                        ..undo
                    });
                    Phase::RollingBack(run)
                }
            },
            (Input::Confirmed { step }, Stage::Confirming { plan }) if step == undo.of.step => {
                let text = format!("confirmed undo: {}", undo.inverse.describe());
                self.record(Some(&step), Entry::Decision { text });
                let applied = Applied {
                    step,
                    action: undo.inverse.clone(),
                    prior: plan.prior,
                };
                let ticket = self.apply(applied, true);
                run.current = Some(Undo {
                    stage: Stage::Applying { ticket },
                    ..undo
                });
                Phase::RollingBack(run)
            }
            (Input::Declined { step }, Stage::Confirming { .. }) if step == undo.of.step => {
                self.keep(run, format!("declined undo: {}", undo.inverse.describe()))
            }
            (
                Input::ActionDone {
                    ticket: t,
                    ok,
                    output,
                    ..
                },
                Stage::Applying { ticket },
            ) if t == ticket => {
                self.outcome_of(ticket, ok, output);
                if ok {
                    run.undone += 1;
                } else {
                    run.kept += 1;
                }
                self.next_undo(run)
            }
            _ => Phase::RollingBack(run),
        }
    }
}
