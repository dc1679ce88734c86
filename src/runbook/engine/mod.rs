//! The runbook engine: a pure state machine. `handle(at, event)` moves the
//! run and returns effects for the runner to carry out (run a check, plan or
//! apply an action, ask a person, start a timer, record to the timeline).
//! It never performs I/O and never reads the clock: `at` is the RFC 3339
//! time of the event, used only to stamp timeline entries.
//!
//! The dispatch below is split by phase; each phase's handler lives with
//! its kind of step (`checks`, `actions`, `human`, `rollback`).

mod actions;
mod checks;
mod failure;
mod flow;
mod human;
mod resume;
mod rollback;
mod types;

pub use types::{Effect, Input, StepPlan};

use super::expr::Scope;
use super::spec::{Action, Check, Params, Runbook, Step};
use super::status::{RunMode, RunOutcome, StepState};
use super::timeline::{Applied, Entry, TimelineEntry};
use rollback::Rollback;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// How often one step may be entered in a run; stops gotos that never settle.
pub const MAX_VISITS: u32 = 20;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct StepRecord {
    pub state: StepState,
    pub attempts: u32,
    pub visits: u32,
    pub value: Value,
    pub output: String,
    /// The last reading of a wait step read nothing.
    pub unread: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Idle,
    Checking {
        step: usize,
        ticket: u64,
    },
    /// `ticket` is `None` while sleeping until the next poll.
    Waiting {
        step: usize,
        ticket: Option<u64>,
        check: Check,
    },
    Planning {
        step: usize,
        ticket: u64,
        action: Action,
    },
    Confirming {
        step: usize,
        action: Action,
        plan: StepPlan,
    },
    Applying {
        step: usize,
        ticket: u64,
    },
    Inputting {
        step: usize,
    },
    Acking {
        step: usize,
    },
    RetryDelay {
        step: usize,
    },
    Halted {
        step: usize,
        reason: String,
    },
    RollingBack(Box<Rollback>),
    Done(RunOutcome),
}

impl Phase {
    /// The step a per-step phase is about.
    fn step(&self) -> Option<usize> {
        match self {
            Phase::Checking { step, .. }
            | Phase::Waiting { step, .. }
            | Phase::Planning { step, .. }
            | Phase::Confirming { step, .. }
            | Phase::Applying { step, .. }
            | Phase::Inputting { step }
            | Phase::Acking { step }
            | Phase::RetryDelay { step }
            | Phase::Halted { step, .. } => Some(*step),
            Phase::Idle | Phase::RollingBack(_) | Phase::Done(_) => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Timers {
    timeout: Option<u64>,
    poll: Option<u64>,
    retry: Option<u64>,
}

/// An apply whose outcome has not arrived; kept past timeouts and skips so
/// a late result still reaches the timeline and the rollback list.
#[derive(Debug, Clone)]
struct InFlight {
    applied: Applied,
    undo: bool,
}

#[derive(Debug, Clone)]
pub struct Engine {
    rb: Runbook,
    mode: RunMode,
    params: Params,
    labels: BTreeMap<String, String>,
    records: Vec<StepRecord>,
    phase: Phase,
    applied: Vec<Applied>,
    in_flight: BTreeMap<u64, InFlight>,
    timers: Timers,
    next_id: u64,
    resume_from: Option<usize>,
    /// The alert the run was opened from, for its record.
    alert: Option<crate::runbook::timeline::FiredAlert>,
    /// What keeps the run from ending clean, by step (the latest word each).
    problems: BTreeMap<String, String>,
    /// The note marked `unresolved` the run last passed through.
    unresolved: Option<String>,
    /// The time of the event being handled and the effects produced so far.
    at: String,
    out: Vec<Effect>,
}

impl Engine {
    /// `params` come from [`Runbook::bind_params`].
    pub fn new(
        rb: Runbook,
        params: Params,
        labels: BTreeMap<String, String>,
        mode: RunMode,
    ) -> Engine {
        let records = vec![StepRecord::default(); rb.steps.len()];
        Engine {
            rb,
            mode,
            params,
            labels,
            records,
            phase: Phase::Idle,
            applied: Vec::new(),
            in_flight: BTreeMap::new(),
            timers: Timers::default(),
            next_id: 1,
            resume_from: None,
            alert: None,
            problems: BTreeMap::new(),
            unresolved: None,
            at: String::new(),
            out: Vec::new(),
        }
    }

    /// The alert the run answers, recorded with its start.
    pub fn with_alert(mut self, alert: Option<crate::runbook::timeline::FiredAlert>) -> Engine {
        self.alert = alert;
        self
    }

    pub fn handle(&mut self, at: &str, event: Input) -> Vec<Effect> {
        self.at = at.to_string();
        let phase = std::mem::replace(&mut self.phase, Phase::Idle);
        self.phase = self.dispatch(phase, event);
        std::mem::take(&mut self.out)
    }

    fn dispatch(&mut self, phase: Phase, event: Input) -> Phase {
        if let Input::ActionDone {
            ticket, ok, output, ..
        } = &event
        {
            if self.is_late(*ticket, &phase) {
                self.late_outcome(*ticket, *ok, output.clone());
                return phase;
            }
        }
        if let Input::SetParam { name, value } = event {
            if !matches!(phase, Phase::Done(_)) {
                self.set_param(&name, &value);
            }
            return phase;
        }
        match phase {
            Phase::Idle => self.on_idle(event),
            Phase::Done(outcome) => Phase::Done(outcome),
            Phase::Halted { step, reason } => self.on_halted(step, reason, event),
            Phase::RollingBack(rollback) => self.on_rolling_back(rollback, event),
            active => self.on_active(active, event),
        }
    }

    fn on_idle(&mut self, event: Input) -> Phase {
        match event {
            Input::Start => match self.resume_from {
                Some(i) => {
                    let entry = Entry::RunResumed {
                        from: self.rb.steps[i].id.clone(),
                        mode: self.mode,
                    };
                    self.record(None, entry);
                    self.enter(i)
                }
                None => {
                    let entry = Entry::RunStarted {
                        runbook: self.rb.id.clone(),
                        mode: self.mode,
                        params: self.params.clone(),
                        labels: self.labels.clone(),
                        alert: self.alert.clone(),
                        withheld: Vec::new(),
                    };
                    self.record(None, entry);
                    self.enter(0)
                }
            },
            Input::Abort => self.finish(RunOutcome::Aborted { step: None }),
            _ => Phase::Idle,
        }
    }

    /// Events every per-step phase answers the same way, then the phase's own.
    fn on_active(&mut self, phase: Phase, event: Input) -> Phase {
        let Some(step) = phase.step() else {
            return phase;
        };
        match event {
            Input::Abort => {
                let id = self.rb.steps[step].id.clone();
                self.finish(RunOutcome::Aborted { step: Some(id) })
            }
            Input::Skip => self.skip(step, "skipped by you"),
            Input::TimerFired { timer } if self.timers.timeout == Some(timer) => {
                self.timed_out(phase)
            }
            event => match phase {
                Phase::Checking { step, ticket } => self.on_checking(step, ticket, event),
                Phase::Waiting {
                    step,
                    ticket,
                    check,
                } => self.on_waiting(step, ticket, check, event),
                Phase::Planning {
                    step,
                    ticket,
                    action,
                } => self.on_planning(step, ticket, action, event),
                Phase::Confirming { step, action, plan } => {
                    self.on_confirming(step, action, plan, event)
                }
                Phase::Applying { step, ticket } => self.on_applying(step, ticket, event),
                Phase::Inputting { step } => self.on_inputting(step, event),
                Phase::Acking { step } => self.on_acking(step, event),
                Phase::RetryDelay { step } => self.on_retry_delay(step, event),
                other => other,
            },
        }
    }

    fn emit(&mut self, effect: Effect) {
        self.out.push(effect);
    }

    /// Every entry leaves the engine redacted: the file, the report and the
    /// console all see it that way.
    fn record(&mut self, step: Option<&str>, event: Entry) {
        let entry = TimelineEntry::new(&self.at, step, event).redacted();
        self.out.push(Effect::Record(entry));
    }

    fn record_step(&mut self, step: usize, event: Entry) {
        let id = self.rb.steps[step].id.clone();
        self.record(Some(&id), event);
    }

    fn ticket(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn scope(&self) -> Scope {
        let steps: serde_json::Map<String, Value> = self
            .rb
            .steps
            .iter()
            .zip(&self.records)
            .map(|(s, r)| {
                let view =
                    json!({ "status": r.state.as_str(), "value": r.value, "output": r.output });
                (s.id.clone(), view)
            })
            .collect();
        Scope::from_json(&json!({
            "params": self.params,
            "alert": { "labels": self.labels },
            "steps": steps,
        }))
    }

    pub fn runbook(&self) -> &Runbook {
        &self.rb
    }

    pub fn mode(&self) -> RunMode {
        self.mode
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    pub fn records(&self) -> &[StepRecord] {
        &self.records
    }

    /// Each step with how it stands, in file order, for step lists.
    pub fn steps(&self) -> impl Iterator<Item = (&Step, &StepRecord)> {
        self.rb.steps.iter().zip(&self.records)
    }

    /// The step the run is on, if any (none before start, while rolling back, or when done).
    pub fn current(&self) -> Option<usize> {
        self.phase.step()
    }

    pub fn outcome(&self) -> Option<&RunOutcome> {
        match &self.phase {
            Phase::Done(o) => Some(o),
            _ => None,
        }
    }

    /// Actions applied and not undone, oldest first.
    pub fn applied(&self) -> &[Applied] {
        &self.applied
    }
}

#[cfg(test)]
mod tests;
