//! Where an action the user started from the console stands: asking for a
//! replica count, waiting for the plan, waiting for y/n, running, finished.

use crate::action::{Plan, Request};
use crate::model::WorkloadAddr;

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
            ActionFlow::AskReplicas { .. } | ActionFlow::Planning(_) => false,
        }
    }
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
}
