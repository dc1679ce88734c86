//! Following logs for the console's logs view: one history-then-follow stream
//! per request, from Docker or Kubernetes, sent to the app loop in batches.

use crate::config::Config;
use crate::connect::{docker, kube};
use crate::console::Event;
use crate::model::LogLine;
use crate::source::docker::logs;
use crate::source::kube::logs::PodLog;
use crate::source::logs::{LogRequest, LogStream};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// History shown when a log view opens, per container.
const LOG_TAIL: u64 = 500;
/// Lines sent to the app loop at most this often, so a chatty container costs frames, not one per line.
const LOG_BATCH: Duration = Duration::from_millis(100);

/// Streams the logs of `instances` (id, name) on `target` as `Event::Logs`
/// numbered `stream`; a stream that stops says why in a last line.
pub fn open(
    config: &Config,
    stream: u64,
    target: String,
    instances: Vec<(String, String)>,
    previous: bool,
    tx: mpsc::Sender<Event>,
) -> JoinHandle<()> {
    let endpoint = docker::targets(config)
        .into_iter()
        .find(|(name, _)| *name == target)
        .map(|(_, e)| e);
    let cluster = kube::targets(config).into_iter().find(|t| t.name == target);
    let req = LogRequest {
        tail: Some(LOG_TAIL),
        follow: true,
        previous,
    };
    tokio::spawn(async move {
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
                .send(Event::Logs {
                    stream,
                    lines: vec![line],
                })
                .await;
        }
    })
}

async fn docker_logs(
    endpoint: &docker::Endpoint,
    instances: Vec<(String, String)>,
    req: LogRequest,
) -> Result<LogStream, String> {
    let client = docker::connect(endpoint).await?;
    let sources = instances
        .into_iter()
        .map(|(id, name)| logs::LogSource { id, name })
        .collect();
    Ok(logs::stream(client, sources, req))
}

/// Pods come as `NAMESPACE/POD`; every container of each is read.
async fn kube_logs(
    cluster: &kube::KubeTarget,
    instances: Vec<(String, String)>,
    req: LogRequest,
) -> Result<LogStream, String> {
    let pods = instances
        .iter()
        .map(|(id, _)| PodLog::parse(id))
        .collect::<Result<Vec<_>, _>>()?;
    let client = kube::client(cluster).await?;
    Ok(crate::source::kube::logs::stream(client, pods, req)
        .await?
        .1)
}

/// Lines to the app loop in batches.
async fn forward(
    stream: u64,
    mut lines: LogStream,
    tx: &mpsc::Sender<Event>,
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
                if tx.send(Event::Logs { stream, lines }).await.is_err() {
                    return Ok(());
                }
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx
            .send(Event::Logs {
                stream,
                lines: batch,
            })
            .await;
    }
    Ok(())
}
