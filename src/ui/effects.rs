//! The commands that need the outside world: following logs, planning and
//! running actions. Each runs in a task of its own and reports back as an
//! `Update` on the collectors' channel, so the app loop never waits on one.

use crate::action::docker::HealthGate;
use crate::action::perform::{self, PerformOptions};
use crate::action::{orchestrator_for, ActionEvent, Orchestrator, Request};
use crate::config::Config;
use crate::load::{LoadOrchestrator, LoadSpec};
use crate::model::LogLine;
use crate::source::docker::{self, logs};
use crate::source::Update;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// History shown when a log view opens, per container.
const LOG_TAIL: u64 = 500;
/// Lines sent to the app loop at most this often, so a chatty container costs frames, not one per line.
const LOG_BATCH: Duration = Duration::from_millis(100);

pub struct Effects {
    config: Config,
    read_only: bool,
    tx: mpsc::Sender<Update>,
    logs: HashMap<u64, JoinHandle<()>>,
    /// The answer the action waiting for confirmation gets; dropping it means no.
    confirm: Option<oneshot::Sender<bool>>,
    /// Stops the load run under way (`x` in the load view).
    load_abort: Option<tokio::sync::watch::Sender<bool>>,
}

impl Effects {
    pub fn new(config: Config, read_only: bool, tx: mpsc::Sender<Update>) -> Self {
        Effects {
            config,
            read_only,
            tx,
            logs: HashMap::new(),
            confirm: None,
            load_abort: None,
        }
    }

    /// Plans `request` through the one action path; the plan comes back as
    /// `ActionEvent::Planned`, and the action waits there for `execute`.
    pub fn plan_action(&mut self, request: Request) {
        let config = self.config.clone();
        let target = request.workload.target.clone();
        self.perform(request, async move {
            orchestrator_for(&config, &target, HealthGate::default()).await
        });
    }

    /// Plans a load run the same way; its live figures are forwarded as
    /// `Update::Load` while it runs.
    pub fn plan_load(&mut self, spec: LoadSpec) {
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
                    if tx.send(Update::Load(Box::new(f))).await.is_err() {
                        break;
                    }
                }
            }
        });
        let orch: Arc<dyn Orchestrator> = Arc::new(orch);
        self.perform(request, async move { Ok(orch) });
    }

    pub fn stop_load(&mut self) {
        if let Some(abort) = &self.load_abort {
            let _ = abort.send(true);
        }
    }

    fn perform(
        &mut self,
        request: Request,
        orch: impl std::future::Future<Output = Result<Arc<dyn Orchestrator>, String>> + Send + 'static,
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
                    let _ = tx.send(Update::Action(ActionEvent::Planned(Err(e)))).await;
                    return;
                }
            };
            let (events_tx, mut events) = mpsc::channel(64);
            let job = perform::spawn(request, orch, opts, confirm_rx, events_tx);
            while let Some(event) = events.recv().await {
                if tx.send(Update::Action(event)).await.is_err() {
                    break;
                }
            }
            let _ = job.await;
        });
    }

    /// The user said yes to the plan on screen.
    pub fn execute(&mut self) {
        if let Some(confirm) = self.confirm.take() {
            let _ = confirm.send(true);
        }
    }

    pub fn open_logs(&mut self, stream: u64, target: String, instances: Vec<(String, String)>) {
        let endpoint = docker::targets(&self.config)
            .into_iter()
            .find(|(name, _)| *name == target)
            .map(|(_, e)| e);
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            let result = match endpoint {
                Some(endpoint) => follow(stream, &endpoint, instances, &tx).await,
                None => Err(format!("no Docker target named {target}")),
            };
            if let Err(e) = result {
                let line = LogLine {
                    at_nanos: crate::source::unix_now() * 1_000_000_000,
                    instance: String::new(),
                    stderr: true,
                    text: format!("[opsdeck] the logs stopped: {e}"),
                };
                let _ = tx
                    .send(Update::Logs {
                        stream,
                        lines: vec![line],
                    })
                    .await;
            }
        });
        if let Some(old) = self.logs.insert(stream, task) {
            old.abort();
        }
    }

    pub fn close_logs(&mut self, stream: u64) {
        if let Some(task) = self.logs.remove(&stream) {
            task.abort();
        }
    }
}

impl Drop for Effects {
    fn drop(&mut self) {
        for (_, task) in self.logs.drain() {
            task.abort();
        }
    }
}

async fn follow(
    stream: u64,
    endpoint: &docker::Endpoint,
    instances: Vec<(String, String)>,
    tx: &mpsc::Sender<Update>,
) -> Result<(), String> {
    let client = docker::connect(endpoint).await?;
    let sources = instances
        .into_iter()
        .map(|(id, name)| logs::LogSource { id, name })
        .collect();
    let req = logs::LogRequest {
        tail: Some(LOG_TAIL),
        follow: true,
    };
    let mut lines = logs::stream(client, sources, req);
    let mut batch = Vec::new();
    let mut flush = tokio::time::interval(LOG_BATCH);
    loop {
        tokio::select! {
            next = lines.next() => match next {
                Some(Ok(line)) => batch.push(line),
                Some(Err(e)) => return Err(e),
                None => break,
            },
            _ = flush.tick(), if !batch.is_empty() => {
                let lines = std::mem::take(&mut batch);
                if tx.send(Update::Logs { stream, lines }).await.is_err() {
                    return Ok(());
                }
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx
            .send(Update::Logs {
                stream,
                lines: batch,
            })
            .await;
    }
    Ok(())
}
