//! Drives the pure engine with real I/O: each effect becomes a task (a
//! check, a plan, an apply, a timer, a question for the person) whose answer
//! comes back as an event on one channel. Every timeline entry is appended
//! to the run's file before it is shown, so the file is the record.

use super::runs::TimelineFile;
use super::Executor;
use crate::action::ActionEvent;
use crate::runbook::engine::{Effect, Engine, Input, StepPlan};
use crate::runbook::spec::Action;
use crate::runbook::status::RunOutcome;
use crate::runbook::timeline::TimelineEntry;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc;

/// What the engine asks a person; the runner calls these on a blocking
/// thread, one at a time (they may read the terminal).
pub trait Person: Send + Sync + 'static {
    fn confirm(&self, step: &str, action: &Action, plan: &StepPlan, undo: bool) -> bool;
    /// `None` when no answer can be had (no terminal): the run aborts.
    fn input(&self, ask: &Ask) -> Option<String>;
    /// False stops the run (the person chose to abort).
    fn ack(&self, step: &str, text: &str) -> bool;
    /// A step failed with `on_failure = abort`: Retry, Skip or Abort.
    fn halted(&self, step: &str, reason: &str) -> Input;
}

#[derive(Debug, Clone)]
pub struct Ask {
    pub step: String,
    pub param: String,
    pub prompt: String,
    pub choices: Vec<Value>,
    pub current: Value,
    pub error: Option<String>,
}

/// Where the run is shown as it happens.
pub trait Observer {
    fn entry(&mut self, entry: &TimelineEntry);
    /// A line of an action's progress (replica started, health passed).
    fn progress(&mut self, line: &str);
}

/// Runs `engine` (fresh or resumed) to its outcome.
pub async fn drive(
    mut engine: Engine,
    exec: Arc<Executor>,
    person: Arc<dyn Person>,
    file: &mut TimelineFile,
    show: &mut (dyn Observer + Send),
) -> Result<RunOutcome, String> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Input>();
    let (progress_tx, mut progress_rx) = mpsc::channel::<ActionEvent>(64);
    // The plan text each step's person confirmed, checked again at apply time.
    let mut approved: HashMap<String, String> = HashMap::new();
    let mut next = Some(Input::Start);
    loop {
        let event = match next.take() {
            Some(e) => e,
            None => tokio::select! {
                e = rx.recv() => e.ok_or("internal: every task of the run has gone")?,
                Some(p) = progress_rx.recv() => {
                    if let ActionEvent::Progress(line) = p {
                        show.progress(&line);
                    }
                    continue;
                }
            },
        };
        let mut finished = None;
        for effect in engine.handle(&now(), event) {
            match effect {
                Effect::Record(entry) => {
                    file.append(&entry)?;
                    show.entry(&entry);
                }
                Effect::Finished { outcome } => finished = Some(outcome),
                Effect::AskConfirm {
                    ref step, ref plan, ..
                } => {
                    approved.insert(step.clone(), plan.text.clone());
                    perform(effect, None, &exec, &person, &tx, &progress_tx)
                }
                Effect::ApplyAction { ref step, .. } => {
                    let plan = approved.remove(step);
                    perform(effect, plan, &exec, &person, &tx, &progress_tx)
                }
                other => perform(other, None, &exec, &person, &tx, &progress_tx),
            }
        }
        if let Some(outcome) = finished {
            return Ok(outcome);
        }
    }
}

/// Starts the task that answers one effect.
fn perform(
    effect: Effect,
    approved: Option<String>,
    exec: &Arc<Executor>,
    person: &Arc<dyn Person>,
    tx: &mpsc::UnboundedSender<Input>,
    progress: &mpsc::Sender<ActionEvent>,
) {
    let (exec, person, tx) = (exec.clone(), person.clone(), tx.clone());
    match effect {
        Effect::RunCheck {
            step,
            ticket,
            check,
        } => {
            tokio::spawn(async move {
                let verdict = exec.check(&check).await;
                let _ = tx.send(Input::check_done(&step, ticket, verdict));
            });
        }
        Effect::PlanAction {
            step,
            ticket,
            action,
        } => {
            tokio::spawn(async move {
                let plan = exec.plan(&action).await;
                let _ = tx.send(Input::ActionPlanned { step, ticket, plan });
            });
        }
        Effect::ApplyAction {
            step,
            ticket,
            action,
        } => {
            let progress = progress.clone();
            tokio::spawn(async move {
                let (ok, output) = exec.apply(&action, approved, &progress).await;
                let _ = tx.send(Input::ActionDone {
                    step,
                    ticket,
                    ok,
                    output,
                });
            });
        }
        Effect::StartTimer { timer, after, .. } => {
            tokio::spawn(async move {
                tokio::time::sleep(after).await;
                let _ = tx.send(Input::TimerFired { timer });
            });
        }
        Effect::AskConfirm {
            step,
            action,
            plan,
            undo,
        } => ask(tx, move || {
            if person.confirm(&step, &action, &plan, undo) {
                Input::Confirmed { step }
            } else {
                Input::Declined { step }
            }
        }),
        Effect::AskInput {
            step,
            param,
            prompt,
            choices,
            current,
            error,
        } => ask(tx, move || {
            let q = Ask {
                step: step.clone(),
                param,
                prompt,
                choices,
                current,
                error,
            };
            match person.input(&q) {
                Some(value) => Input::InputGiven { step, value },
                None => Input::Abort,
            }
        }),
        Effect::AskAck { step, text } => ask(tx, move || {
            if person.ack(&step, &text) {
                Input::Acked { step }
            } else {
                Input::Abort
            }
        }),
        Effect::Halted { step, reason } => ask(tx, move || person.halted(&step, &reason)),
        Effect::Record(_) | Effect::Finished { .. } => {}
    }
}

fn ask(tx: mpsc::UnboundedSender<Input>, question: impl FnOnce() -> Input + Send + 'static) {
    tokio::task::spawn_blocking(move || {
        let _ = tx.send(question());
    });
}

fn now() -> String {
    crate::base::time::now_rfc3339()
}

#[cfg(test)]
#[path = "runner_tests.rs"]
mod tests;
