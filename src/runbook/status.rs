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
    /// The check could not read (unreachable, unknown target, refused, no
    /// data): neither a pass nor a fail.
    Inconclusive,
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
            StepState::Inconclusive => "inconclusive",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum RunOutcome {
    /// Ran to the end. `problems` lists what keeps it from being clean: a
    /// check that could not read, a step that failed and was continued past,
    /// a failed step a person skipped.
    Completed {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        problems: Vec<String>,
    },
    /// A `--plan` run reached the end; nothing was changed.
    Planned {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        problems: Vec<String>,
    },
    /// Ran to the end of a path that leaves the incident open (a note marked
    /// `unresolved`, such as "escalate").
    Unresolved {
        step: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        problems: Vec<String>,
    },
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
    /// Ran to the end, every check read, nothing continued past.
    pub fn completed() -> Self {
        RunOutcome::Completed {
            problems: Vec::new(),
        }
    }

    /// A plan run reached the end, every check read.
    pub fn planned() -> Self {
        RunOutcome::Planned {
            problems: Vec::new(),
        }
    }

    /// The step a resumed run starts from.
    pub fn resume_step(&self) -> Option<&str> {
        match self {
            RunOutcome::Failed { step, .. } | RunOutcome::RolledBack { step, .. } => Some(step),
            RunOutcome::Aborted { step } => step.as_deref(),
            RunOutcome::Completed { .. }
            | RunOutcome::Planned { .. }
            | RunOutcome::Unresolved { .. } => None,
        }
    }

    /// Every check read and the path finished cleanly: the only exit 0.
    pub fn is_clean(&self) -> bool {
        matches!(
            self,
            RunOutcome::Completed { problems } | RunOutcome::Planned { problems } if problems.is_empty()
        )
    }

    pub fn describe(&self) -> String {
        let with = |what: &str, problems: &[String]| {
            if problems.is_empty() {
                what.to_string()
            } else {
                format!("{what} with problems: {}", problems.join("; "))
            }
        };
        match self {
            RunOutcome::Completed { problems } => with("completed", problems),
            RunOutcome::Planned { problems } if problems.is_empty() => {
                "planned (nothing changed)".into()
            }
            RunOutcome::Planned { problems } => with("planned (nothing changed)", problems),
            RunOutcome::Unresolved { step, problems } => {
                with(&format!("ended unresolved at `{step}`"), problems)
            }
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
        let done = RunOutcome::Completed {
            problems: Vec::new(),
        };
        assert_eq!(done.resume_step(), None);
        assert!(done.is_clean());
        let unread = RunOutcome::Completed {
            problems: vec!["`db` could not read: no [[postgres]] target `main-db`".into()],
        };
        assert!(!unread.is_clean());
        assert_eq!(
            unread.describe(),
            "completed with problems: `db` could not read: no [[postgres]] target `main-db`"
        );
        // Timelines written before problems were recorded still read.
        let old: RunOutcome = serde_json::from_str(r#"{"result":"completed"}"#).unwrap();
        assert_eq!(old, done);
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
