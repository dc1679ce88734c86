//! The headless runner's terminal: each timeline entry printed as it
//! happens, and the engine's questions asked on stdin (or answered by
//! `--yes`; with no terminal and no `--yes`, actions are declined).

use crate::exec::runbook::runner::{Ask, Observer, Person};
use crate::runbook::engine::{Input, StepPlan};
use crate::runbook::narrate::Narrator;
use crate::runbook::spec::param::display;
use crate::runbook::spec::{Action, Runbook};
use crate::runbook::timeline::TimelineEntry;
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
    fn confirm(&self, _step: &str, action: &Action, _plan: &StepPlan, undo: bool) -> bool {
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

    fn halted(&self, step: &str, reason: &str) -> Input {
        if self.yes || !self.interactive {
            eprintln!("    step `{step}` failed: {reason}; stopping (resume with --resume)");
            return Input::Abort;
        }
        match self
            .read_line("    [r]etry, [s]kip or [a]bort? ")
            .as_deref()
        {
            Some("r" | "retry") => Input::Retry,
            Some("s" | "skip") => Input::Skip,
            _ => Input::Abort,
        }
    }
}

/// Prints timeline entries as lines a person can follow.
pub struct Printer(Narrator);

impl Printer {
    pub fn new(runbook: Runbook) -> Self {
        Printer(Narrator::new(runbook))
    }
}

impl Observer for Printer {
    fn entry(&mut self, e: &TimelineEntry) {
        for line in self.0.lines(e) {
            println!("{line}");
        }
    }

    fn progress(&mut self, line: &str) {
        println!("      . {line}");
    }
}
