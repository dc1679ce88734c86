//! The commands that need the outside world: following logs, planning and
//! running actions. Each runs in a task of its own and reports back as an
//! `Update` on the collectors' channel, so the app loop never waits on one.

use crate::action::docker::HealthGate;
use crate::action::perform::{self, PerformOptions};
use crate::action::{orchestrator_for, ActionEvent, Orchestrator, Request};
use crate::config::Config;
use crate::load::{LoadOrchestrator, LoadSpec};
use crate::model::panels::{on_grid, PanelSeries};
use crate::model::{LogLine, PanelRange};
use crate::prometheus;
use crate::runbook_exec::console::{self, Answer, RunEvent};
use crate::runbook_exec::runs;
use crate::source::docker::logs;
use crate::source::kube::{self, logs::PodLog};
use crate::source::logs::{LogRequest, LogStream};
use crate::source::Update;
use std::collections::BTreeMap;
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
    /// The panels' range queries under way; a newer request replaces them.
    panels: Option<JoinHandle<()>>,
    /// Where the console's runbook run waits for the person's answers.
    runbook_answers: Option<std::sync::mpsc::Sender<Answer>>,
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
            panels: None,
            runbook_answers: None,
            load_abort: None,
        }
    }

    /// Asks the workload's orchestrator for its revisions, as `opsdeck history` does.
    pub fn history(&mut self, workload: crate::model::WorkloadAddr) {
        let config = self.config.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let revisions =
                match orchestrator_for(&config, &workload.target, HealthGate::default()).await {
                    Ok(orch) => orch.history(&workload).await,
                    Err(e) => Err(e),
                };
            let _ = tx
                .send(Update::History {
                    workload,
                    revisions,
                })
                .await;
        });
    }

    /// Watches a kubeconfig context chosen with `:ctx`, like a configured target.
    pub fn watch_context(&mut self, target: crate::connect::kube::KubeTarget) {
        let planned = crate::source::targets::kube(&self.config, target);
        if let Err(degraded) = crate::source::targets::spawn(planned, &self.tx) {
            let tx = self.tx.clone();
            tokio::spawn(async move {
                let _ = tx.send(*degraded).await;
            });
        }
    }

    /// Starts a runbook run through the one runner; a run that cannot start
    /// (unknown id, bad params) says why as its end.
    pub fn start_runbook(
        &mut self,
        id: &str,
        params: &BTreeMap<String, String>,
        labels: &BTreeMap<String, String>,
    ) {
        match console::start(
            &self.config,
            self.read_only,
            id,
            params,
            labels,
            self.tx.clone(),
        ) {
            Ok(answers) => self.runbook_answers = Some(answers),
            Err(e) => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Update::Runbook(RunEvent::NotStarted(e))).await;
                });
            }
        }
    }

    pub fn answer_runbook(&mut self, answer: Answer) {
        if let Some(tx) = &self.runbook_answers {
            let _ = tx.send(answer);
        }
    }

    /// The report of the run shown, next to its timeline (`RUN_ID.md`).
    pub fn write_report(&self, pane: &crate::ui::runbook_pane::RunbookPane) {
        let (rb, timeline) = (pane.runbook.clone(), pane.timeline.clone());
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let to = timeline.with_extension("md");
            let result = runs::write_report(&rb, &timeline, &to).map(|()| to);
            let _ = tx.blocking_send(Update::Runbook(RunEvent::ReportWritten(result)));
        });
    }

    /// Every panel's range query, all at once; each answer comes back as
    /// `Update::PanelRange`. A request still running is dropped for the new one.
    pub fn query_panels(&mut self, range_secs: i64, step: i64, end: i64, columns: u16) {
        if let Some(old) = self.panels.take() {
            old.abort();
        }
        let jobs = crate::model::panels::from_config(&self.config)
            .into_iter()
            .map(|panel| {
                let client = prometheus_client(&self.config, &panel.prometheus);
                let tx = self.tx.clone();
                async move {
                    let result = match client {
                        Ok(c) => {
                            let start = (end - range_secs + step) as f64;
                            c.query_range(&panel.query, start, end as f64, step as f64)
                                .await
                                .and_then(|a| panel_series(a.data, end, step, columns))
                        }
                        Err(e) => Err(e),
                    };
                    let range = PanelRange {
                        range_secs,
                        step,
                        end,
                        result,
                    };
                    let _ = tx
                        .send(Update::PanelRange {
                            title: panel.title,
                            range,
                        })
                        .await;
                }
            })
            .collect::<Vec<_>>();
        self.panels = Some(tokio::spawn(async move {
            futures::future::join_all(jobs).await;
        }));
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

    pub fn open_logs(
        &mut self,
        stream: u64,
        target: String,
        instances: Vec<(String, String)>,
        previous: bool,
    ) {
        let endpoint = crate::connect::docker::targets(&self.config)
            .into_iter()
            .find(|(name, _)| *name == target)
            .map(|(_, e)| e);
        let cluster = crate::connect::kube::targets(&self.config)
            .into_iter()
            .find(|t| t.name == target);
        let req = LogRequest {
            tail: Some(LOG_TAIL),
            follow: true,
            previous,
        };
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            let opened = match (endpoint, cluster) {
                (Some(endpoint), _) => docker_logs(&endpoint, instances, req).await,
                (None, Some(cluster)) => kube_logs(&cluster, instances, req).await,
                (None, None) => Err(format!("no Docker or Kubernetes target named {target}")),
            };
            let result = match opened {
                Ok(lines) => forward(stream, lines, &tx).await,
                Err(e) => Err(e),
            };
            if let Err(e) = result {
                let line = LogLine {
                    at_nanos: crate::base::time::unix_now() * 1_000_000_000,
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

/// A client for the `[[prometheus]]` of that name, set up as its collector's is.
fn prometheus_client(config: &Config, name: &str) -> Result<prometheus::Client, String> {
    let p = config
        .prometheus
        .iter()
        .find(|p| p.name.get_ref() == name)
        .ok_or_else(|| format!("no prometheus named {name}"))?;
    prometheus::Client::for_target(p)
}

/// A range answer as chart columns: each series' points on the grid that ends at `end`.
fn panel_series(
    value: prometheus::Value,
    end: i64,
    step: i64,
    columns: u16,
) -> Result<Vec<PanelSeries>, String> {
    match value {
        prometheus::Value::Matrix(series) => Ok(series
            .into_iter()
            .map(|s| PanelSeries {
                labels: crate::ui::lists::labels_text(&s.labels),
                values: on_grid(&s.points, end, step, columns as usize),
            })
            .collect()),
        _ => Err("a range query gave no range vector".into()),
    }
}

impl Drop for Effects {
    fn drop(&mut self) {
        if let Some(p) = self.panels.take() {
            p.abort();
        }
        for (_, task) in self.logs.drain() {
            task.abort();
        }
    }
}

async fn docker_logs(
    endpoint: &crate::connect::docker::Endpoint,
    instances: Vec<(String, String)>,
    req: LogRequest,
) -> Result<LogStream, String> {
    let client = crate::connect::docker::connect(endpoint).await?;
    let sources = instances
        .into_iter()
        .map(|(id, name)| logs::LogSource { id, name })
        .collect();
    Ok(logs::stream(client, sources, req))
}

/// Pods come as `NAMESPACE/POD`; every container of each is read.
async fn kube_logs(
    cluster: &crate::connect::kube::KubeTarget,
    instances: Vec<(String, String)>,
    req: LogRequest,
) -> Result<LogStream, String> {
    let pods = instances
        .iter()
        .map(|(id, _)| PodLog::parse(id))
        .collect::<Result<Vec<_>, _>>()?;
    let client = crate::connect::kube::client(cluster).await?;
    Ok(kube::logs::stream(client, pods, req).await?.1)
}

/// Lines to the app loop in batches.
async fn forward(
    stream: u64,
    mut lines: LogStream,
    tx: &mpsc::Sender<Update>,
) -> Result<(), String> {
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
