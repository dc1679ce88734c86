//! The commands that need the outside world: following logs, planning and
//! running actions. Each runs in a task of its own and reports back as an
//! `Update` on the collectors' channel, so the app loop never waits on one.

use crate::config::Config;
use crate::model::LogLine;
use crate::source::docker::{self, logs};
use crate::source::Update;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// History shown when a log view opens, per container.
const LOG_TAIL: u64 = 500;
/// Lines sent to the app loop at most this often, so a chatty container costs frames, not one per line.
const LOG_BATCH: Duration = Duration::from_millis(100);

pub struct Effects {
    config: Config,
    tx: mpsc::Sender<Update>,
    logs: HashMap<u64, JoinHandle<()>>,
}

impl Effects {
    pub fn new(config: Config, tx: mpsc::Sender<Update>) -> Self {
        Effects {
            config,
            tx,
            logs: HashMap::new(),
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
