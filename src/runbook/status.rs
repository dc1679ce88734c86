//! Small shared vocabularies: run mode, step state, run outcome.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunMode {
    #[default]
    Run,
    /// Checks run for real; actions are planned and shown, never applied.
    Plan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepState {
    #[default]
    Pending,
    Running,
    Passed,
    Failed,
    Skipped,
    WaitingForYou,
}

impl StepState {
    /// The word expressions compare against: `steps.probe.status == 'passed'`.
    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Running => "running",
            StepState::Passed => "passed",
            StepState::Failed => "failed",
            StepState::Skipped => "skipped",
            StepState::WaitingForYou => "waiting-for-you",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum RunOutcome {
    /// Ran to the end (some steps may have failed with `on_failure = continue`).
    Completed,
    /// A `--plan` run reached the end; nothing was changed.
    Planned,
    Failed {
        step: String,
        reason: String,
    },
    Aborted {
        step: Option<String>,
    },
    /// A step failed with `on_failure = rollback` and the inverses of the
    /// actions taken were proposed; `kept` counts those not undone.
    RolledBack {
        step: String,
        reason: String,
        undone: u32,
        kept: u32,
    },
}

impl RunOutcome {
    /// The step a resumed run starts from.
    pub fn resume_step(&self) -> Option<&str> {
        match self {
            RunOutcome::Failed { step, .. } | RunOutcome::RolledBack { step, .. } => Some(step),
            RunOutcome::Aborted { step } => step.as_deref(),
            RunOutcome::Completed | RunOutcome::Planned => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            RunOutcome::Completed => "completed".into(),
            RunOutcome::Planned => "planned (nothing changed)".into(),
            RunOutcome::Failed { step, reason } => format!("failed at `{step}`: {reason}"),
            RunOutcome::Aborted { step: Some(s) } => format!("aborted at `{s}`"),
            RunOutcome::Aborted { step: None } => "aborted".into(),
            RunOutcome::RolledBack { step, reason, undone, kept } => format!(
                "rolled back after `{step}` failed ({reason}): {undone} action(s) undone, {kept} kept"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_serialize_as_the_words_expressions_use() {
        for s in [
            StepState::Pending,
            StepState::Passed,
            StepState::WaitingForYou,
        ] {
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.as_str())
            );
        }
    }

    #[test]
    fn outcomes_know_where_to_resume() {
        let failed = RunOutcome::Failed {
            step: "probe".into(),
            reason: "HTTP 503".into(),
        };
        assert_eq!(failed.resume_step(), Some("probe"));
        assert_eq!(failed.describe(), "failed at `probe`: HTTP 503");
        assert_eq!(RunOutcome::Completed.resume_step(), None);
        assert_eq!(RunOutcome::Aborted { step: None }.describe(), "aborted");
        let rb = RunOutcome::RolledBack {
            step: "v".into(),
            reason: "r".into(),
            undone: 1,
            kept: 0,
        };
        assert_eq!(rb.resume_step(), Some("v"));
        assert!(rb.describe().contains("1 action(s) undone"));
        let json = serde_json::to_string(&failed).unwrap();
        assert_eq!(
            json,
            r#"{"result":"failed","step":"probe","reason":"HTTP 503"}"#
        );
    }
}
