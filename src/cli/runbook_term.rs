//! The headless runner's terminal: each timeline entry printed as it
//! happens, and the engine's questions asked on stdin (or answered by
//! `--yes`; with no terminal and no `--yes`, actions are declined).

use crate::runbook::engine::{Event, Plan};
use crate::runbook::spec::param::display;
use crate::runbook::spec::{Action, Runbook};
use crate::runbook::timeline::{Entry, TimelineEntry};
use crate::runbook_exec::runner::{Ask, Observer, Person};
use std::io::{IsTerminal as _, Write as _};

pub struct Terminal {
    pub yes: bool,
    pub interactive: bool,
}

impl Terminal {
    pub fn new(yes: bool) -> Self {
        Terminal {
            yes,
            interactive: std::io::stdin().is_terminal(),
        }
    }

    fn read_line(&self, question: &str) -> Option<String> {
        eprint!("{question}");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        match std::io::stdin().read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim().to_string()),
        }
    }
}

impl Person for Terminal {
    fn confirm(&self, _step: &str, action: &Action, _plan: &Plan, undo: bool) -> bool {
        let what = if undo { "undo" } else { "apply" };
        if self.yes {
            println!("    confirmed by --yes: {what} {}", action.describe());
            return true;
        }
        if !self.interactive {
            eprintln!(
                "    declined: stdin is not a terminal, so no one can confirm; pass --yes to apply"
            );
            return false;
        }
        let answer = self.read_line(&format!("    {what} {}? [y/N] ", action.describe()));
        matches!(
            answer.as_deref().map(str::to_ascii_lowercase).as_deref(),
            Some("y" | "yes")
        )
    }

    fn input(&self, ask: &Ask) -> Option<String> {
        if let Some(e) = &ask.error {
            eprintln!("    {e}");
        }
        let current = (!ask.current.is_null()).then(|| display(&ask.current));
        if !self.interactive {
            // A value given with --param (or a default) is the answer; else nobody can give one.
            if current.is_none() {
                eprintln!(
                    "    no terminal to ask `{}`; pass --param {}=VALUE",
                    ask.param, ask.param
                );
            }
            return current.filter(|_| ask.error.is_none());
        }
        let mut question = format!("    {}", ask.prompt);
        if !ask.choices.is_empty() {
            let choices: Vec<String> = ask.choices.iter().map(display).collect();
            question.push_str(&format!(" ({})", choices.join(", ")));
        }
        if let Some(c) = &current {
            question.push_str(&format!(" [{c}]"));
        }
        question.push_str(": ");
        let line = self.read_line(&question)?;
        match (line.is_empty(), current) {
            (true, Some(c)) => Some(c),
            _ => Some(line),
        }
    }

    fn ack(&self, _step: &str, text: &str) -> bool {
        for line in text.lines() {
            println!("    | {line}");
        }
        if self.yes || !self.interactive {
            return true;
        }
        self.read_line("    press Enter when done (or type `abort`): ")
            .is_some_and(|l| l != "abort")
    }

    fn halted(&self, step: &str, reason: &str) -> Event {
        if self.yes || !self.interactive {
            eprintln!("    step `{step}` failed: {reason}; stopping (resume with --resume)");
            return Event::Abort;
        }
        match self
            .read_line("    [r]etry, [s]kip or [a]bort? ")
            .as_deref()
        {
            Some("r" | "retry") => Event::Retry,
            Some("s" | "skip") => Event::Skip,
            _ => Event::Abort,
        }
    }
}

/// Prints timeline entries as lines a person can follow.
pub struct Printer {
    pub runbook: Runbook,
    /// The plan last shown, so a step result that repeats it is cut to one line.
    last_plan: String,
}

impl Printer {
    pub fn new(runbook: Runbook) -> Self {
        Printer {
            runbook,
            last_plan: String::new(),
        }
    }
}

impl Observer for Printer {
    fn entry(&mut self, e: &TimelineEntry) {
        let step = e.step.as_deref().unwrap_or_default();
        match &e.event {
            Entry::RunStarted { runbook, mode, .. } => {
                println!("runbook {runbook}: {} ({mode:?} mode)", self.runbook.title)
            }
            Entry::RunResumed { from, .. } => println!("resuming at step `{from}`"),
            Entry::StepStarted { attempt } => {
                let title = crate::runbook::report::title_of(&self.runbook, Some(step));
                let again = if *attempt > 1 {
                    format!(" (attempt {attempt})")
                } else {
                    String::new()
                };
                println!("==> [{step}] {title}{again}");
            }
            Entry::CheckRequested { check } => println!("    checking {}", check.describe()),
            Entry::Polled { output, .. } => println!("    not yet: {output}"),
            Entry::StepFinished { status, output, .. } => {
                let head = format!("{}: ", status.as_str());
                if !self.last_plan.is_empty() && output.contains(&self.last_plan) {
                    indented(&head, output.lines().next().unwrap_or_default())
                } else {
                    indented(&head, output)
                }
            }
            Entry::Decision { text } => println!("    -> {text}"),
            Entry::ActionPlanned { plan, undo, .. } => {
                indented(if *undo { "undo plan: " } else { "plan: " }, plan);
                self.last_plan = plan.clone();
            }
            Entry::ActionApplied { ok, output, .. } => {
                indented(if *ok { "applied: " } else { "action failed: " }, output)
            }
            Entry::InputGiven { param, value } => {
                println!("    {param} = {}", display(value))
            }
            Entry::RunFinished { outcome } => println!("outcome: {}", outcome.describe()),
            Entry::AlertAcknowledged { .. } => {
                println!("    {}", crate::runbook::report::describe(&e.event))
            }
        }
    }

    fn progress(&mut self, line: &str) {
        println!("      . {line}");
    }
}

fn indented(head: &str, text: &str) {
    let mut lines = text.lines();
    println!("    {head}{}", lines.next().unwrap_or_default());
    for l in lines {
        println!("      {l}");
    }
}
