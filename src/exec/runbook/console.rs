//! The runbook runner inside the console: the same engine and runner as
//! `opsdeck runbook run`, with the person's answers coming from the
//! console's keys. Questions and timeline entries travel to the app loop as
//! `Event::Runbook`; answers come back on a channel the runner's blocking
//! question threads wait on.

use super::live::LiveReads;
use super::runner::{drive, Ask, Observer, Person};
use super::setup::{prepare, NotReady, Prepared, Start};
use super::Executor;
use crate::config::Config;
use crate::console::runbook::{Answer, Question, RunEvent};
use crate::console::Event as Update;
use crate::runbook::engine::{Input, StepPlan};
use crate::runbook::spec::param::display;
use crate::runbook::spec::Action;
use crate::runbook::status::RunMode;
use crate::runbook::timeline::TimelineEntry;
use std::sync::{mpsc as std_mpsc, Arc, Mutex};
use tokio::sync::mpsc;

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
    fn confirm(&self, step: &str, action: &Action, plan: &StepPlan, undo: bool) -> bool {
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

    fn halted(&self, step: &str, reason: &str) -> Input {
        let q = Question::Halted {
            step: step.into(),
            reason: reason.into(),
        };
        match self.ask(q) {
            Answer::Retry => Input::Retry,
            Answer::Skip => Input::Skip,
            _ => Input::Abort,
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

/// Starts runbook `id` with `given` params and the alert's `labels` bound.
/// Setting it up reads the catalogue and opens the timeline, so it runs on
/// a blocking thread; the run reports on `events` (a run that cannot start
/// says why as `NotStarted`) and takes the person's answers from `answers`.
/// Its metric and workload checks read the console's live Model through `live`.
pub fn start(
    config: Config,
    read_only: bool,
    start: Start,
    events: mpsc::Sender<Update>,
    answers: std_mpsc::Receiver<Answer>,
    live: LiveReads,
) {
    let id = match &start {
        Start::New { id, .. } => id.clone(),
        Start::Resume { run_id, .. } => run_id.clone(),
    };
    tokio::spawn(async move {
        let dirs = config.runbook_dirs.clone();
        let prepared = tokio::task::spawn_blocking(move || {
            let (catalog, _) = crate::exec::files::load_catalog(&dirs);
            prepare(&catalog, start, RunMode::Run)
        })
        .await
        .unwrap_or_else(|e| Err(format!("the run's set-up failed: {e}").into()));
        let Prepared {
            run_id,
            runbook,
            engine,
            mut timeline,
        } = match prepared {
            Ok(p) => p,
            Err(NotReady::Missing { params, reason }) => {
                let event = RunEvent::NeedsParams {
                    id,
                    missing: params,
                    reason,
                };
                let _ = events.send(Update::Runbook(event)).await;
                return;
            }
            Err(NotReady::Other(e)) => {
                let _ = events.send(Update::Runbook(RunEvent::NotStarted(e))).await;
                return;
            }
        };
        let exec = Arc::new(Executor::new(config, read_only).with_live(live));
        let (entries_tx, mut entries_rx) = mpsc::unbounded_channel();
        let person = Arc::new(ConsolePerson {
            updates: entries_tx.clone(),
            answers: Mutex::new(answers),
        });
        tokio::spawn(async move {
            while let Some(u) = entries_rx.recv().await {
                if events.send(u).await.is_err() {
                    return;
                }
            }
        });
        let started = RunEvent::Started {
            run_id,
            runbook: Box::new(runbook),
            timeline: timeline.path().to_path_buf(),
        };
        let _ = entries_tx.send(Update::Runbook(started));
        let mut observer = ConsoleObserver(entries_tx.clone());
        let outcome = drive(engine, exec, person, &mut timeline, &mut observer).await;
        let _ = entries_tx.send(Update::Runbook(RunEvent::Finished(outcome)));
    });
}
