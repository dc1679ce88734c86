//! The console's executor: performs the Commands `update` returns, each in a
//! task of its own, and answers with Events on the replies channel, so the
//! app loop never waits on the outside world and never touches a file.

use super::capacity::{judgement, Watch};
use super::capacity_console as capacity;
use super::runbook::console;
use super::runbook::live::{self, LiveReads, Pending};
use super::runbook::runs;
use super::runbook::setup::Start;
use super::{describe, files, logs, panels};
use crate::action::docker::HealthGate;
use crate::action::perform::{self, PerformOptions};
use crate::action::{orchestrator_for, ActionEvent, Orchestrator, Request};
use crate::config::Config;
use crate::console::runbook::{Answer, RunEvent};
use crate::console::{AlertRow, CapacityAsk, Command, Event};
use crate::load::capacity::run::CapacityOrchestrator;
use crate::load::{LoadOrchestrator, LoadSpec};
use crate::model::{Ack, WorkloadAddr};
use crate::source::Update;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

pub struct Performer {
    config: Config,
    read_only: bool,
    /// Where the answers go: the app loop's replies channel.
    tx: mpsc::Sender<Event>,
    /// The collectors' channel, for a context `:ctx` starts watching.
    updates: mpsc::Sender<Update>,
    logs: HashMap<u64, JoinHandle<()>>,
    /// The answer the action waiting for confirmation gets; dropping it means no.
    confirm: Option<oneshot::Sender<bool>>,
    /// The panels' range queries under way; a newer request replaces them.
    panels: Option<JoinHandle<()>>,
    /// Where the console's runbook run waits for the person's answers.
    runbook_answers: Option<std::sync::mpsc::Sender<Answer>>,
    /// The console run's reads of the live Model waiting for their answers.
    reads: Pending,
    /// Stops the load run under way (`x` in the load view).
    load_abort: Option<tokio::sync::watch::Sender<bool>>,
}

impl Performer {
    pub fn new(
        config: Config,
        read_only: bool,
        tx: mpsc::Sender<Event>,
        updates: mpsc::Sender<Update>,
    ) -> Self {
        Performer {
            config,
            read_only,
            tx,
            updates,
            logs: HashMap::new(),
            confirm: None,
            panels: None,
            runbook_answers: None,
            reads: Pending::default(),
            load_abort: None,
        }
    }

    /// Starts what `command` asks for; its answers come back as Events.
    /// `Quit` and `Shell` are the app loop's, not an executor's: they do nothing here.
    pub fn perform(&mut self, command: Command) {
        match command {
            // The app loop's: they need the terminal.
            Command::Quit | Command::Shell(_) => {}
            Command::LoadTheme(name) => self.reply_blocking(move || {
                Event::Theme(
                    files::load_theme(&name)
                        .map(Box::new)
                        .map_err(|e| e.to_string()),
                )
            }),
            Command::OpenLogs {
                stream,
                target,
                instances,
                previous,
            } => {
                let task = logs::open(
                    &self.config,
                    stream,
                    target,
                    instances,
                    previous,
                    self.tx.clone(),
                );
                if let Some(old) = self.logs.insert(stream, task) {
                    old.abort();
                }
            }
            Command::Describe {
                stream,
                address,
                raw,
            } => {
                let task = describe::open(&self.config, stream, address, raw, self.tx.clone());
                if let Some(old) = self.logs.insert(stream, task) {
                    old.abort();
                }
            }
            Command::CloseLogs { stream } => {
                if let Some(task) = self.logs.remove(&stream) {
                    task.abort();
                }
            }
            Command::PlanAction(request) => self.plan_action(request),
            Command::Execute(_) => {
                if let Some(confirm) = self.confirm.take() {
                    let _ = confirm.send(true);
                }
            }
            Command::Acknowledge { row, note } => self.acknowledge(*row, note),
            Command::QueryPanels {
                range_secs,
                step,
                end,
                columns,
            } => {
                if let Some(old) = self.panels.take() {
                    old.abort();
                }
                let job = panels::query(&self.config, range_secs, step, end, columns, &self.tx);
                self.panels = Some(job);
            }
            Command::StartRunbook {
                id,
                params,
                labels,
                alert,
            } => {
                let (answers_tx, answers) = std::sync::mpsc::channel();
                self.runbook_answers = Some(answers_tx);
                let start = Start::New {
                    id,
                    given: params,
                    labels,
                    alert: alert.map(|a| *a),
                };
                let live = LiveReads::new(self.tx.clone(), self.reads.clone());
                console::start(
                    self.config.clone(),
                    self.read_only,
                    start,
                    self.tx.clone(),
                    answers,
                    live,
                );
            }
            Command::AnswerRunbook(answer) => {
                if let Some(tx) = &self.runbook_answers {
                    let _ = tx.send(answer);
                }
            }
            Command::AnswerRead { id, facts } => live::answer(&self.reads, id, facts),
            Command::WriteReport { runbook, timeline } => self.reply_blocking(move || {
                let to = timeline.with_extension("md");
                let result = runs::write_report(&runbook, &timeline, &to).map(|()| to);
                Event::Runbook(RunEvent::ReportWritten(result))
            }),
            Command::PlanLoad(spec) => self.plan_load(*spec),
            Command::PlanCapacity(ask) => self.plan_capacity(*ask),
            Command::StopLoad => {
                if let Some(abort) = &self.load_abort {
                    let _ = abort.send(true);
                }
            }
            Command::History(workload) => self.history(workload),
            Command::WatchContext(target) => {
                let planned = crate::source::targets::kube(&self.config, *target);
                if let Err(degraded) = crate::source::targets::spawn(planned, &self.updates) {
                    let tx = self.updates.clone();
                    tokio::spawn(async move {
                        let _ = tx.send(*degraded).await;
                    });
                }
            }
        }
    }

    /// Runs `work` (file I/O) on a blocking thread and sends what it says.
    fn reply_blocking(&self, work: impl FnOnce() -> Event + Send + 'static) {
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let _ = tx.blocking_send(work());
        });
    }

    /// Writes the acknowledgement to the log, as whoever runs opsdeck, now.
    fn acknowledge(&self, row: AlertRow, note: String) {
        self.reply_blocking(move || {
            let who = crate::action::audit::whoami();
            let ack = Ack::of(&row, &who, crate::base::time::unix_now(), &note);
            let result = files::append_ack(&files::acks_path(), &ack).map(|()| ack);
            Event::Acknowledged {
                rule: row.alert.rule,
                result,
            }
        });
    }

    /// Asks the workload's orchestrator for its revisions, as `opsdeck history` does.
    fn history(&self, workload: WorkloadAddr) {
        let config = self.config.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let revisions =
                match orchestrator_for(&config, &workload.target, HealthGate::default()).await {
                    Ok(orch) => orch.history(&workload).await,
                    Err(e) => Err(e),
                };
            let _ = tx
                .send(Event::History {
                    workload,
                    revisions,
                })
                .await;
        });
    }

    /// Plans `request` through the one action path; the plan comes back as
    /// `ActionEvent::Planned`, and the action waits there for `Execute`.
    fn plan_action(&mut self, request: Request) {
        let config = self.config.clone();
        let target = request.workload.target.clone();
        self.perform_action(request, async move {
            orchestrator_for(&config, &target, HealthGate::default()).await
        });
    }

    /// Plans a load run the same way; its live figures are forwarded as
    /// `Event::Load` while it runs.
    fn plan_load(&mut self, spec: LoadSpec) {
        let request = spec.request();
        let (orch, mut live) = LoadOrchestrator::new(spec);
        if let Some(old) = self.load_abort.replace(live.abort) {
            let _ = old.send(true);
        }
        let tx = self.tx.clone();
        tokio::spawn(async move {
            while live.figures.changed().await.is_ok() {
                let figures = live.figures.borrow_and_update().clone();
                if let Some(f) = figures {
                    if tx.send(Event::Load(Box::new(f))).await.is_err() {
                        break;
                    }
                }
            }
        });
        let orch: Arc<dyn Orchestrator> = Arc::new(orch);
        self.perform_action(request, async move { Ok(orch) });
    }

    /// Plans a capacity run as `opsdeck load --stages` does: what is read
    /// beside the stages is set up first (a `--workload` not there is no
    /// plan); the running stage's figures and the run's progress are
    /// forwarded while it runs, and the report written once it is over.
    fn plan_capacity(&mut self, ask: CapacityAsk) {
        let request = ask.spec.request();
        let spec = ask.spec.clone();
        let (orch, live) = CapacityOrchestrator::new(ask.spec);
        if let Some(old) = self.load_abort.replace(live.abort) {
            let _ = old.send(true);
        }
        let started = Arc::new(std::sync::OnceLock::new());
        tokio::spawn(capacity::forward(
            live.figures,
            live.progress.clone(),
            started.clone(),
            self.tx.clone(),
        ));
        let config = self.config.clone();
        let endpoint = spec.base.endpoint.clone();
        let orch = async move {
            let watch = Watch::prepare(&config, &endpoint, ask.workload).await?;
            let orch = match watch {
                Some(w) => orch.watching(Box::new(w), judgement()),
                None => orch,
            };
            Ok(Arc::new(orch) as Arc<dyn Orchestrator>)
        };
        let after = ask
            .report
            .map(|path| capacity::report(spec, live.progress, started, path));
        self.perform_then(request, orch, after);
    }

    fn perform_action(
        &mut self,
        request: Request,
        orch: impl std::future::Future<Output = Result<Arc<dyn Orchestrator>, String>> + Send + 'static,
    ) {
        self.perform_then(request, orch, None::<fn() -> Option<Event>>);
    }

    /// Performs `request`; `after`, once the action is over and its `Done`
    /// sent, says what else there is to say (a capacity run's report).
    fn perform_then(
        &mut self,
        request: Request,
        orch: impl std::future::Future<Output = Result<Arc<dyn Orchestrator>, String>> + Send + 'static,
        after: Option<impl FnOnce() -> Option<Event> + Send + 'static>,
    ) {
        let (confirm_tx, confirm_rx) = oneshot::channel();
        // A plan still waiting is abandoned: its sender drops, which is a no.
        self.confirm = Some(confirm_tx);
        let opts = PerformOptions::new(self.read_only, false);
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let orch = match orch.await {
                Ok(orch) => orch,
                Err(e) => {
                    let _ = tx.send(Event::Action(ActionEvent::Planned(Err(e)))).await;
                    return;
                }
            };
            let (events_tx, mut events) = mpsc::channel(64);
            let job = perform::spawn(request, orch, opts, confirm_rx, events_tx);
            while let Some(event) = events.recv().await {
                if tx.send(Event::Action(event)).await.is_err() {
                    break;
                }
            }
            let _ = job.await;
            if let Some(after) = after {
                let said = tokio::task::spawn_blocking(after).await.ok().flatten();
                if let Some(event) = said {
                    let _ = tx.send(event).await;
                }
            }
        });
    }
}

impl Drop for Performer {
    fn drop(&mut self) {
        if let Some(p) = self.panels.take() {
            p.abort();
        }
        for (_, task) in self.logs.drain() {
            task.abort();
        }
    }
}
