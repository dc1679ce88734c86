//! Where an action the user started from the console stands: asking for a
//! replica count (or a silence's duration and comment), waiting for the plan,
//! waiting for y/n, running, finished. A local acknowledgement uses the same
//! prompt, then is recorded without a plan: it changes nothing outside.

use crate::action::{Plan, Request};
use crate::alertmanager::Matcher;
use crate::console::AlertRow;
use crate::model::WorkloadAddr;
use std::time::Duration;

/// The largest replica count the prompt accepts; a typo like 300 for 3 should
/// not get as far as a plan.
pub const MAX_REPLICAS: u32 = 100;

#[derive(Debug, Clone, PartialEq)]
pub enum ActionFlow {
    AskReplicas {
        workload: WorkloadAddr,
        /// What it runs now, shown in the prompt.
        current: u32,
        text: String,
        error: Option<String>,
    },
    /// `DURATION COMMENT` for a silence over these matchers.
    AskSilence {
        alertmanager: String,
        matchers: Vec<Matcher>,
        text: String,
        error: Option<String>,
    },
    /// An optional note for acknowledging this alert.
    AskAck {
        row: Box<AlertRow>,
        text: String,
    },
    Planning(Request),
    Confirm(Plan),
    Running {
        plan: Plan,
        progress: Vec<String>,
        /// Esc hides the dialog while the action carries on.
        hidden: bool,
    },
    Finished {
        plan: Plan,
        progress: Vec<String>,
        ok: bool,
        result: String,
    },
}

impl ActionFlow {
    /// Whether the dialog is on screen and takes the keys.
    pub fn is_modal(&self) -> bool {
        match self {
            ActionFlow::Confirm(_) | ActionFlow::Finished { .. } => true,
            ActionFlow::Running { hidden, .. } => !hidden,
            ActionFlow::AskReplicas { .. }
            | ActionFlow::AskSilence { .. }
            | ActionFlow::AskAck { .. }
            | ActionFlow::Planning(_) => false,
        }
    }

    /// The footer's prompt while one is being typed: what is asked, the
    /// text so far, a hint, and the complaint about the last attempt.
    pub fn prompt(&self) -> Option<Prompt<'_>> {
        match self {
            ActionFlow::AskReplicas {
                workload,
                current,
                text,
                error,
            } => Some(Prompt {
                ask: format!("scale {workload} to "),
                text,
                hint: format!("now {current} · Enter plan · Esc cancel"),
                error: error.as_deref(),
            }),
            ActionFlow::AskSilence {
                alertmanager,
                text,
                error,
                ..
            } => Some(Prompt {
                ask: format!("silence on {alertmanager} for "),
                text,
                hint: "DURATION COMMENT · Enter plan · Esc cancel".into(),
                error: error.as_deref(),
            }),
            ActionFlow::AskAck { row, text } => Some(Prompt {
                ask: format!("acknowledge {} — note: ", row.alert.rule),
                text,
                hint: "Enter record · Esc cancel".into(),
                error: None,
            }),
            _ => None,
        }
    }
}

pub struct Prompt<'a> {
    pub ask: String,
    pub text: &'a str,
    pub hint: String,
    pub error: Option<&'a str>,
}

/// The silence prompt's default: two hours, then the comment.
pub const SILENCE_DEFAULT: &str = "2h ";

/// `2h disk swap in progress` → two hours and the comment, or why not.
pub fn parse_silence(text: &str) -> Result<(Duration, String), String> {
    let text = text.trim();
    let (first, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    if first.is_empty() {
        return Err("type a duration and a comment, e.g. 2h disk swap".into());
    }
    let duration = crate::base::duration::parse(first)?;
    let comment = rest.trim();
    if comment.is_empty() {
        return Err("add a comment after the duration: say why".into());
    }
    Ok((duration, comment.to_string()))
}

/// The replica count typed at the prompt, or why it is not one.
pub fn parse_replicas(text: &str) -> Result<u32, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("type a replica count".into());
    }
    match t.parse::<u32>() {
        Ok(n) if n <= MAX_REPLICAS => Ok(n),
        Ok(n) => Err(format!("{n} is more than {MAX_REPLICAS} replicas")),
        Err(_) => Err(format!(
            "{t:?} is not a whole number from 0 to {MAX_REPLICAS}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_counts_are_validated() {
        assert_eq!(parse_replicas(" 3 "), Ok(3));
        assert_eq!(parse_replicas("0"), Ok(0));
        assert!(parse_replicas("").unwrap_err().contains("type"));
        assert!(parse_replicas("-1").unwrap_err().contains("whole number"));
        assert!(parse_replicas("2.5").unwrap_err().contains("whole number"));
        assert!(parse_replicas("300").unwrap_err().contains("more than 100"));
    }

    #[test]
    fn silence_prompts_need_a_duration_then_a_comment() {
        assert_eq!(
            parse_silence(" 2h  disk swap "),
            Ok((Duration::from_secs(7200), "disk swap".into()))
        );
        assert_eq!(
            parse_silence("1h30m x").map(|(d, _)| d),
            Ok(Duration::from_secs(5400))
        );
        assert!(parse_silence("2h").unwrap_err().contains("comment"));
        assert!(parse_silence("").unwrap_err().contains("duration"));
        assert!(parse_silence("soon fix")
            .unwrap_err()
            .contains("invalid duration"));
    }
}
