//! The runbook runner inside the console: the same engine and runner as
//! `opsdeck runbook run`, with the person's answers coming from the
//! console's keys. Questions and timeline entries travel to the app loop as
//! `Update::Runbook`; answers come back on a channel the runner's blocking
//! question threads wait on.

use super::runner::{drive, Ask, Observer, Person};
use super::runs::{self, TimelineFile};
use super::Executor;
use crate::config::Config;
use crate::runbook::catalog::Catalog;
use crate::runbook::engine::{Engine, Event, Plan};
use crate::runbook::spec::param::display;
use crate::runbook::spec::{Action, Runbook};
use crate::runbook::status::{Mode, Outcome};
use crate::runbook::timeline::TimelineEntry;
use crate::source::Update;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{mpsc as std_mpsc, Arc, Mutex};
use tokio::sync::mpsc;

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
    Finished(Result<Outcome, String>),
    /// The run could not start (unknown runbook, a param that does not bind).
    NotStarted(String),
    /// Where the Markdown report was written, when the person asked for one.
    ReportWritten(Result<PathBuf, String>),
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

struct ConsolePerson {
    /// The same queue the timeline entries take, so a question never
    /// overtakes the entries that led to it.
    updates: mpsc::UnboundedSender<Update>,
    answers: Mutex<std_mpsc::Receiver<Answer>>,
}

impl ConsolePerson {
    /// Asks on the console and waits for the key; a console that went away aborts.
    fn ask(&self, q: Question) -> Answer {
        if self
            .updates
            .send(Update::Runbook(RunEvent::Ask(q)))
            .is_err()
        {
            return Answer::Abort;
        }
        let answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers.recv().unwrap_or(Answer::Abort)
    }
}

impl Person for ConsolePerson {
    fn confirm(&self, step: &str, action: &Action, plan: &Plan, undo: bool) -> bool {
        let q = Question::Confirm {
            step: step.into(),
            what: action.describe(),
            plan: plan.text.clone(),
            undo,
        };
        self.ask(q) == Answer::Yes
    }

    fn input(&self, ask: &Ask) -> Option<String> {
        let q = Question::Input {
            step: ask.step.clone(),
            param: ask.param.clone(),
            prompt: ask.prompt.clone(),
            choices: ask.choices.iter().map(display).collect(),
            current: (!ask.current.is_null()).then(|| display(&ask.current)),
            error: ask.error.clone(),
        };
        match self.ask(q) {
            Answer::Text(t) => Some(t),
            _ => None,
        }
    }

    fn ack(&self, step: &str, text: &str) -> bool {
        let q = Question::Ack {
            step: step.into(),
            text: text.into(),
        };
        self.ask(q) == Answer::Yes
    }

    fn halted(&self, step: &str, reason: &str) -> Event {
        let q = Question::Halted {
            step: step.into(),
            reason: reason.into(),
        };
        match self.ask(q) {
            Answer::Retry => Event::Retry,
            Answer::Skip => Event::Skip,
            _ => Event::Abort,
        }
    }
}

/// Entries go out unbounded (the runner's observer cannot wait) and are
/// forwarded to the app loop's bounded channel in order.
struct ConsoleObserver(mpsc::UnboundedSender<Update>);

impl Observer for ConsoleObserver {
    fn entry(&mut self, entry: &TimelineEntry) {
        let _ = self
            .0
            .send(Update::Runbook(RunEvent::Entry(Box::new(entry.clone()))));
    }

    fn progress(&mut self, line: &str) {
        let _ = self
            .0
            .send(Update::Runbook(RunEvent::Progress(line.into())));
    }
}

/// Starts runbook `id` with `given` params and the alert's `labels` bound;
/// the run reports on `updates` and waits for answers on the returned sender.
pub fn start(
    config: &Config,
    read_only: bool,
    id: &str,
    given: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
    updates: mpsc::Sender<Update>,
) -> Result<std_mpsc::Sender<Answer>, String> {
    let (catalog, _) = Catalog::load(&config.runbook_dirs);
    let entry = catalog.get(id).ok_or_else(|| match catalog.suggest(id) {
        Some(s) => format!("no runbook `{id}` (did you mean `{s}`?)"),
        None => format!("no runbook `{id}`"),
    })?;
    let rb = entry.runbook.clone();
    let params = rb
        .bind_params(given, labels)
        .map_err(|errors| format!("runbook {id}: {}", errors.join("; ")))?;
    let run_id = runs::new_id(&rb.id, &crate::base::time::now_rfc3339());
    let path = runs::path_of(&runs::runs_dir(), &run_id)?;
    let mut file = TimelineFile::open(&path)?;
    let engine = Engine::new(rb.clone(), params, labels.clone(), Mode::Run);
    let (answer_tx, answer_rx) = std_mpsc::channel();
    let exec = Arc::new(Executor::new(config.clone(), read_only));
    let (entries_tx, mut entries_rx) = mpsc::unbounded_channel();
    let person = Arc::new(ConsolePerson {
        updates: entries_tx.clone(),
        answers: Mutex::new(answer_rx),
    });
    let forward_to = updates.clone();
    tokio::spawn(async move {
        while let Some(u) = entries_rx.recv().await {
            if forward_to.send(u).await.is_err() {
                return;
            }
        }
    });
    let started = RunEvent::Started {
        run_id,
        runbook: Box::new(rb),
        timeline: path,
    };
    let _ = entries_tx.send(Update::Runbook(started));
    tokio::spawn(async move {
        let mut observer = ConsoleObserver(entries_tx.clone());
        let outcome = drive(engine, exec, person, &mut file, &mut observer).await;
        let _ = entries_tx.send(Update::Runbook(RunEvent::Finished(outcome)));
    });
    Ok(answer_tx)
}
