//! The runbook file format: one TOML file per runbook (see DESIGN.md, "Runbooks").

pub mod action;
pub mod check;
pub mod param;
mod raw;

use crate::base::diag::FileError;
use crate::model::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

pub use action::{Action, ActionKind, ActionSpec, Prior};
pub use check::Check;
pub use param::{ParamSpec, ParamType, Params};

/// A goto target that ends the run instead of naming a step.
pub const END: &str = "end";
/// How long a `wait` step polls when the file gives no `timeout`.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(300);
/// How often a `wait` step polls when the file gives no `interval`.
pub const DEFAULT_WAIT_INTERVAL: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq)]
pub struct Runbook {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub description: String,
    pub triggers: Vec<Trigger>,
    pub params: BTreeMap<String, ParamSpec>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    pub alert: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub id: String,
    pub title: String,
    /// For automated phases only (check, plan, apply, the whole of a wait);
    /// time spent waiting for a person never times out.
    pub timeout: Option<Duration>,
    pub retry: u32,
    pub retry_delay: Option<Duration>,
    pub on_failure: OnFailure,
    /// Where to go after this step instead of the one below it.
    pub next: Option<String>,
    /// A condition the step runs under; when it does not hold the step is
    /// skipped as not applicable (a health URL the alert did not name, say).
    pub when: Option<String>,
    pub body: StepBody,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StepBody {
    Note {
        text: String,
        /// Acknowledging it ends the path with the incident still open
        /// (`RunOutcome::Unresolved`), as an "escalate" note does.
        unresolved: bool,
    },
    Check(Check),
    Wait {
        check: Check,
        interval: Duration,
    },
    Action(ActionSpec),
    Input {
        param: String,
        prompt: String,
    },
    Branch {
        cases: Vec<Case>,
        default: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub when: String,
    pub goto: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum OnFailure {
    #[default]
    Abort,
    Continue,
    Goto(String),
    Rollback,
}

impl TryFrom<String> for OnFailure {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        match s.trim() {
            "abort" => Ok(OnFailure::Abort),
            "continue" => Ok(OnFailure::Continue),
            "rollback" => Ok(OnFailure::Rollback),
            other => match other.strip_prefix("goto:").map(str::trim) {
                Some(id) if !id.is_empty() => Ok(OnFailure::Goto(id.to_string())),
                _ => Err(format!(
                    "invalid on_failure `{s}`: use abort, continue, rollback or goto:STEP_ID"
                )),
            },
        }
    }
}

impl From<OnFailure> for String {
    fn from(o: OnFailure) -> String {
        match o {
            OnFailure::Abort => "abort".into(),
            OnFailure::Continue => "continue".into(),
            OnFailure::Rollback => "rollback".into(),
            OnFailure::Goto(id) => format!("goto:{id}"),
        }
    }
}

impl StepBody {
    pub fn kind_name(&self) -> &'static str {
        match self {
            StepBody::Note { .. } => "note",
            StepBody::Check(_) => "check",
            StepBody::Wait { .. } => "wait",
            StepBody::Action(_) => "action",
            StepBody::Input { .. } => "input",
            StepBody::Branch { .. } => "branch",
        }
    }
}

impl Runbook {
    /// Parses and validates the shape of a runbook file; errors carry file:line:col.
    /// Semantic problems (dangling gotos, loops, unknown params) are `lint`'s job.
    pub fn parse(path: &Path, text: &str) -> Result<Runbook, Vec<FileError>> {
        raw::parse(path, text)
    }

    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }

    /// Params that an `input` step sets, so they may start unset.
    pub fn input_params(&self) -> Vec<&str> {
        self.steps
            .iter()
            .filter_map(|s| match &s.body {
                StepBody::Input { param, .. } => Some(param.as_str()),
                _ => None,
            })
            .collect()
    }

    /// See [`param::bind`].
    pub fn bind_params(
        &self,
        given: &BTreeMap<String, String>,
        labels: &BTreeMap<String, String>,
    ) -> Result<Params, Vec<String>> {
        param::bind(&self.params, &self.input_params(), given, labels)
    }

    pub fn answers(&self, alert: &str) -> bool {
        self.triggers.iter().any(|t| t.alert == alert)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_failure_round_trips_through_strings() {
        for s in ["abort", "continue", "rollback", "goto:fix"] {
            let o = OnFailure::try_from(s.to_string()).unwrap();
            assert_eq!(String::from(o), s);
        }
        assert_eq!(
            OnFailure::try_from(" goto: fix ".to_string()).unwrap(),
            OnFailure::Goto("fix".into())
        );
        assert!(OnFailure::try_from("goto:".to_string()).is_err());
        assert!(OnFailure::try_from("retry".to_string())
            .unwrap_err()
            .contains("abort, continue, rollback or goto:STEP_ID"));
    }
}
