//! The console's runbook session: what a run reports (`RunEvent`), the
//! questions it asks and the answers it takes, and the run as the console
//! holds it: each step's state, the timeline as lines, the question waiting
//! for the person, and how the run ended. Folded from what the runner
//! reports; the engine's own state stays in the runner.

use super::reads::LiveRead;
use crate::runbook::narrate::Narrator;
use crate::runbook::spec::Runbook;
use crate::runbook::status::{RunOutcome, StepState};
use crate::runbook::timeline::{Entry, TimelineEntry};
use std::path::PathBuf;

/// What a run in the console reports to the app loop.
#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    Started {
        run_id: String,
        runbook: Box<Runbook>,
        timeline: PathBuf,
    },
    Entry(Box<TimelineEntry>),
    /// A line of an action's progress.
    Progress(String),
    Ask(Question),
    Finished(Result<RunOutcome, String>),
    /// The run could not start (unknown runbook, a bad param): why.
    NotStarted(String),
    /// The run needs params nothing gave: the console asks for them.
    NeedsParams {
        id: String,
        missing: Vec<String>,
        reason: String,
    },
    /// Where the Markdown report was written, when the person asked for one.
    ReportWritten(Result<PathBuf, String>),
    /// A check asks what the live Model holds; the answer goes back as
    /// `Command::AnswerRead` with the same id.
    Read {
        id: u64,
        read: LiveRead,
    },
}

/// What the engine waits for the person to answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Question {
    Confirm {
        step: String,
        what: String,
        plan: String,
        undo: bool,
    },
    Input {
        step: String,
        param: String,
        prompt: String,
        choices: Vec<String>,
        current: Option<String>,
        error: Option<String>,
    },
    /// A note to read (or a manual task to do), then continue.
    Ack { step: String, text: String },
    /// A step failed with `on_failure = abort`: retry, skip or abort.
    Halted { step: String, reason: String },
}

impl Question {
    pub fn step(&self) -> &str {
        match self {
            Question::Confirm { step, .. }
            | Question::Input { step, .. }
            | Question::Ack { step, .. }
            | Question::Halted { step, .. } => step,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    Text(String),
    Retry,
    Skip,
    Abort,
}

/// Lines of timeline kept for the view; the file keeps everything.
const LINES_KEPT: usize = 2000;

#[derive(Clone)]
pub struct RunbookSession {
    pub run_id: String,
    pub runbook: Runbook,
    pub timeline: PathBuf,
    pub states: Vec<StepState>,
    /// The step being worked on (or last worked on).
    pub current: Option<usize>,
    pub lines: Vec<String>,
    pub question: Option<Question>,
    /// What is typed for an input question.
    pub input: String,
    pub outcome: Option<Result<RunOutcome, String>>,
    pub report: Option<Result<PathBuf, String>>,
    /// The `workload` param, whose live state the view shows beside the run.
    pub workload: Option<String>,
    /// The params the run was started with, as `NAME=VALUE` words.
    pub params: Vec<String>,
    narrator: std::sync::Arc<std::sync::Mutex<Narrator>>,
}

impl std::fmt::Debug for RunbookSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunbookSession")
            .field("run_id", &self.run_id)
            .field("states", &self.states)
            .field("question", &self.question)
            .field("outcome", &self.outcome)
            .finish()
    }
}

impl RunbookSession {
    pub fn new(run_id: String, runbook: Runbook, timeline: PathBuf) -> Self {
        RunbookSession {
            run_id,
            states: vec![StepState::Pending; runbook.steps.len()],
            narrator: std::sync::Arc::new(std::sync::Mutex::new(Narrator::new(runbook.clone()))),
            runbook,
            timeline,
            current: None,
            lines: Vec::new(),
            question: None,
            input: String::new(),
            outcome: None,
            report: None,
            workload: None,
            params: Vec::new(),
        }
    }

    pub fn is_running(&self) -> bool {
        self.outcome.is_none()
    }

    fn step_index(&self, id: &str) -> Option<usize> {
        self.runbook.step_index(id)
    }

    /// Folds one report of the runner (all but `Started`, which makes the pane).
    pub fn on_event(&mut self, event: RunEvent) {
        match event {
            RunEvent::Started { .. }
            | RunEvent::NotStarted(_)
            | RunEvent::NeedsParams { .. }
            | RunEvent::Read { .. } => {}
            RunEvent::Entry(e) => self.on_entry(&e),
            RunEvent::Progress(line) => self.push(format!("      . {line}")),
            RunEvent::Ask(q) => {
                if let Some(i) = self.step_index(q.step()) {
                    self.states[i] = StepState::WaitingForYou;
                    self.current = Some(i);
                }
                self.input = match &q {
                    Question::Input { current, .. } => current.clone().unwrap_or_default(),
                    _ => String::new(),
                };
                self.question = Some(q);
            }
            RunEvent::Finished(outcome) => {
                if let Err(e) = &outcome {
                    self.push(format!("the run stopped: {e}"));
                }
                self.question = None;
                self.outcome = Some(outcome);
            }
            RunEvent::ReportWritten(r) => self.report = Some(r),
        }
    }

    fn on_entry(&mut self, e: &TimelineEntry) {
        let lines = self
            .narrator
            .lock()
            .map(|mut n| n.lines(e))
            .unwrap_or_default();
        for l in lines {
            self.push(l);
        }
        if let Entry::RunStarted { params, .. } = &e.event {
            self.workload = params
                .get("workload")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            self.params = params
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| format!("{k}={}", crate::runbook::spec::param::display(v)))
                .collect();
        }
        let Some(i) = e.step.as_deref().and_then(|s| self.step_index(s)) else {
            return;
        };
        match &e.event {
            Entry::StepStarted { .. } => {
                self.states[i] = StepState::Running;
                self.current = Some(i);
            }
            Entry::StepFinished { status, .. } => self.states[i] = *status,
            _ => {}
        }
    }

    fn push(&mut self, line: String) {
        if self.lines.len() == LINES_KEPT {
            self.lines.remove(0);
        }
        self.lines.push(line);
    }

    /// The person answered; the question is gone until the engine asks again.
    pub fn answered(&mut self) {
        if let Some(q) = self.question.take() {
            if let Some(i) = self.step_index(q.step()) {
                self.states[i] = StepState::Running;
            }
        }
        self.input.clear();
    }
}
