//! What goes into the engine (events) and what it asks of the outside (effects).

use crate::runbook::judge::Verdict;
use crate::runbook::spec::{Action, Check, Prior};
use crate::runbook::status::RunOutcome;
use crate::runbook::timeline::TimelineEntry;
use serde_json::Value;
use std::time::Duration;

/// Requests that expect a reply carry a `ticket`; the reply must echo it,
/// so a late answer to a request the run has moved past (after a timeout or
/// a skip) is recognised and not taken for the current one.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Start,
    CheckDone {
        step: String,
        ticket: u64,
        passed: bool,
        /// Nothing could be read: the step is neither passed nor failed.
        inconclusive: bool,
        value: Value,
        output: String,
    },
    ActionPlanned {
        step: String,
        ticket: u64,
        plan: Result<StepPlan, String>,
    },
    Confirmed {
        step: String,
    },
    Declined {
        step: String,
    },
    ActionDone {
        step: String,
        ticket: u64,
        ok: bool,
        output: String,
    },
    InputGiven {
        step: String,
        value: String,
    },
    Acked {
        step: String,
    },
    TimerFired {
        timer: u64,
    },
    /// Skip the current step (or, while rolling back, the current undo).
    Skip,
    /// Re-run the step the run halted on.
    Retry,
    Abort,
    /// A person edited a param mid-run (the TUI's "edit params").
    SetParam {
        name: String,
        value: String,
    },
}

impl Input {
    pub fn check_done(step: &str, ticket: u64, verdict: Verdict) -> Input {
        Input::CheckDone {
            step: step.to_string(),
            ticket,
            passed: verdict.passed,
            inconclusive: verdict.inconclusive,
            value: verdict.value,
            output: verdict.output,
        }
    }
}

/// An executor's preview of an action: what will change, and what was there
/// before (used to propose the inverse if the run rolls back).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StepPlan {
    pub text: String,
    pub prior: Prior,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    RunCheck {
        step: String,
        ticket: u64,
        check: Check,
    },
    PlanAction {
        step: String,
        ticket: u64,
        action: Action,
    },
    /// `undo` marks the inverse of an earlier action, proposed by a rollback.
    AskConfirm {
        step: String,
        action: Action,
        plan: StepPlan,
        undo: bool,
    },
    ApplyAction {
        step: String,
        ticket: u64,
        action: Action,
    },
    AskInput {
        step: String,
        param: String,
        prompt: String,
        choices: Vec<Value>,
        current: Value,
        /// Why the previous answer was refused.
        error: Option<String>,
    },
    AskAck {
        step: String,
        text: String,
    },
    StartTimer {
        step: String,
        timer: u64,
        after: Duration,
    },
    Record(TimelineEntry),
    /// A step failed with `on_failure = abort`: the run waits for Retry, Skip or Abort.
    Halted {
        step: String,
        reason: String,
    },
    Finished {
        outcome: RunOutcome,
    },
}
