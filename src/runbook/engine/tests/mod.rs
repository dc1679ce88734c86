//! Engine tests drive the state machine with events and read its effects,
//! the way a runner would, with no I/O.

mod actions;
mod checks;
mod failures;
mod honest;
mod human;
mod resume;
mod rollback;

use super::{Effect, Engine, Input, StepPlan, MAX_VISITS};
use crate::runbook::spec::{Action, Check, Prior, Runbook};
use crate::runbook::status::{RunMode, RunOutcome, StepState};
use crate::runbook::timeline::{Entry, TimelineEntry};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

const HEADER: &str =
    "id = \"t\"\ntitle = \"Test\"\n\n[params.workload]\ndefault = \"local/shop/api\"\n\n";

pub(super) fn runbook(steps: &str) -> Runbook {
    let text = format!("{HEADER}{steps}");
    Runbook::parse(Path::new("t.toml"), &text).unwrap_or_else(|e| panic!("{e:?}"))
}

pub(super) struct Run {
    pub engine: Engine,
    pub last: Vec<Effect>,
    pub all: Vec<Effect>,
    clock: u32,
}

impl Run {
    pub fn new(steps: &str) -> Run {
        Run::with(runbook(steps), RunMode::Run, &[])
    }

    pub fn with(rb: Runbook, mode: RunMode, given: &[(&str, &str)]) -> Run {
        let given: BTreeMap<String, String> = given
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let params = rb.bind_params(&given, &BTreeMap::new()).unwrap();
        Run::from_engine(Engine::new(rb, params, BTreeMap::new(), mode))
    }

    pub fn from_engine(engine: Engine) -> Run {
        Run {
            engine,
            last: Vec::new(),
            all: Vec::new(),
            clock: 0,
        }
    }

    pub fn start(steps: &str) -> Run {
        let mut run = Run::new(steps);
        run.send(Input::Start);
        run
    }

    pub fn send(&mut self, event: Input) -> &[Effect] {
        self.clock += 1;
        let at = format!(
            "2024-05-01T03:{:02}:{:02}Z",
            self.clock / 60,
            self.clock % 60
        );
        self.last = self.engine.handle(&at, event);
        self.all.extend(self.last.iter().cloned());
        &self.last
    }

    pub fn state(&self, id: &str) -> StepState {
        let i = self.engine.runbook().step_index(id).unwrap();
        self.engine.records()[i].state
    }

    pub fn output(&self, id: &str) -> String {
        let i = self.engine.runbook().step_index(id).unwrap();
        self.engine.records()[i].output.clone()
    }

    pub fn outcome(&self) -> Option<RunOutcome> {
        self.engine.outcome().cloned()
    }

    pub fn entries(&self) -> Vec<TimelineEntry> {
        self.all
            .iter()
            .filter_map(|e| match e {
                Effect::Record(r) => Some(r.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn decisions(&self) -> Vec<String> {
        self.entries()
            .into_iter()
            .filter_map(|e| match e.event {
                Entry::Decision { text } => Some(text),
                _ => None,
            })
            .collect()
    }

    // The finders below return the newest request of their kind so far.

    /// The effects of the last event without timeline records.
    pub fn asks(&self) -> Vec<Effect> {
        self.last
            .iter()
            .filter(|e| !matches!(e, Effect::Record(_)))
            .cloned()
            .collect()
    }

    pub fn check(&self) -> (String, u64, Check) {
        self.all
            .iter()
            .rev()
            .find_map(|e| match e {
                Effect::RunCheck {
                    step,
                    ticket,
                    check,
                } => Some((step.clone(), *ticket, check.clone())),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no RunCheck in {:#?}", self.all))
    }

    pub fn planning(&self) -> (String, u64, Action) {
        self.all
            .iter()
            .rev()
            .find_map(|e| match e {
                Effect::PlanAction {
                    step,
                    ticket,
                    action,
                } => Some((step.clone(), *ticket, action.clone())),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no PlanAction in {:#?}", self.all))
    }

    pub fn applying(&self) -> (String, u64, Action) {
        self.all
            .iter()
            .rev()
            .find_map(|e| match e {
                Effect::ApplyAction {
                    step,
                    ticket,
                    action,
                } => Some((step.clone(), *ticket, action.clone())),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no ApplyAction in {:#?}", self.all))
    }

    pub fn timer(&self) -> (u64, Duration) {
        self.all
            .iter()
            .rev()
            .find_map(|e| match e {
                Effect::StartTimer { timer, after, .. } => Some((*timer, *after)),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no StartTimer in {:#?}", self.all))
    }

    pub fn check_done(&mut self, passed: bool, value: Value, output: &str) -> &[Effect] {
        let (step, ticket, _) = self.check();
        self.send(Input::CheckDone {
            step,
            ticket,
            passed,
            inconclusive: false,
            value,
            output: output.into(),
        })
    }

    pub fn pass(&mut self) -> &[Effect] {
        self.check_done(true, json!(1), "ok")
    }

    pub fn fail(&mut self) -> &[Effect] {
        self.check_done(false, json!(0), "bad")
    }

    pub fn planned(&mut self, text: &str, prior: Prior) -> &[Effect] {
        let (step, ticket, _) = self.planning();
        self.send(Input::ActionPlanned {
            step,
            ticket,
            plan: Ok(StepPlan {
                text: text.into(),
                prior,
            }),
        })
    }

    pub fn confirm(&mut self, step: &str) -> &[Effect] {
        self.send(Input::Confirmed { step: step.into() })
    }

    pub fn done(&mut self, ok: bool, output: &str) -> &[Effect] {
        let (step, ticket, _) = self.applying();
        self.send(Input::ActionDone {
            step,
            ticket,
            ok,
            output: output.into(),
        })
    }

    /// Plan, confirm and apply the pending action successfully.
    pub fn approve(&mut self, prior: Prior) {
        let (step, _, action) = self.planning();
        self.planned(&format!("will {}", action.describe()), prior);
        self.confirm(&step);
        self.done(true, "done");
    }

    pub fn fire(&mut self, timer: u64) -> &[Effect] {
        self.send(Input::TimerFired { timer })
    }
}

pub(super) fn finished(effects: &[Effect]) -> Option<RunOutcome> {
    effects.iter().find_map(|e| match e {
        Effect::Finished { outcome } => Some(outcome.clone()),
        _ => None,
    })
}

pub(super) const PROBE: &str =
    "[[step]]\nid = \"probe\"\nkind = \"check\"\nprobe = { url = \"http://x/health\" }\n";
pub(super) const NOTE_END: &str = "[[step]]\nid = \"end_note\"\nkind = \"note\"\ntext = \"done\"\n";
