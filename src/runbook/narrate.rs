//! A run's timeline as lines a person follows, one entry at a time: the
//! headless runner prints them, the console's runbook view lists them.

use super::report::title_of;
use super::spec::param::display;
use super::spec::Runbook;
use super::timeline::{Entry, TimelineEntry};

pub struct Narrator {
    pub runbook: Runbook,
    /// The plan last told, so a step result that repeats it is cut to one line.
    last_plan: String,
}

impl Narrator {
    pub fn new(runbook: Runbook) -> Self {
        Narrator {
            runbook,
            last_plan: String::new(),
        }
    }

    /// The lines for one entry; a step heading starts at the margin, the
    /// rest is indented under it.
    pub fn lines(&mut self, e: &TimelineEntry) -> Vec<String> {
        let step = e.step.as_deref().unwrap_or_default();
        match &e.event {
            Entry::RunStarted { runbook, mode, .. } => {
                vec![format!(
                    "runbook {runbook}: {} ({mode:?} mode)",
                    self.runbook.title
                )]
            }
            Entry::RunResumed { from, .. } => vec![format!("resuming at step `{from}`")],
            Entry::StepStarted { attempt } => {
                let title = title_of(&self.runbook, Some(step));
                let again = if *attempt > 1 {
                    format!(" (attempt {attempt})")
                } else {
                    String::new()
                };
                vec![format!("==> [{step}] {title}{again}")]
            }
            Entry::CheckRequested { check } => vec![format!("    checking {}", check.describe())],
            Entry::Polled { output, .. } => vec![format!("    not yet: {output}")],
            Entry::StepFinished { status, output, .. } => {
                let head = format!("{}: ", status.as_str());
                if !self.last_plan.is_empty() && output.contains(&self.last_plan) {
                    indented(&head, output.lines().next().unwrap_or_default())
                } else {
                    indented(&head, output)
                }
            }
            Entry::Decision { text } => vec![format!("    -> {text}")],
            Entry::ActionPlanned { plan, undo, .. } => {
                self.last_plan = plan.clone();
                indented(if *undo { "undo plan: " } else { "plan: " }, plan)
            }
            Entry::ActionApplied { ok, output, .. } => {
                indented(if *ok { "applied: " } else { "action failed: " }, output)
            }
            Entry::InputGiven { param, value, .. } => {
                vec![format!("    {param} = {}", display(value))]
            }
            Entry::RunFinished { outcome } => vec![format!("outcome: {}", outcome.describe())],
            Entry::AlertAcknowledged { .. } => {
                vec![format!("    {}", super::report::describe(&e.event))]
            }
        }
    }
}

fn indented(head: &str, text: &str) -> Vec<String> {
    let mut lines = text.lines();
    let mut out = vec![format!("    {head}{}", lines.next().unwrap_or_default())];
    out.extend(lines.map(|l| format!("      {l}")));
    out
}
