//! The infrastructure beside a capacity run's stages, read through the same
//! collectors the console supervises: the Docker or Kubernetes target of the
//! workload behind the URL (named with `--workload`, declared by a probe or
//! scrape of the URL's origin, or, for Docker, found by the port the URL
//! points at among the containers' published ports) and
//! every `[[postgres]]` target. The collectors are kept between readings, so rates and stats
//! streams carry over as they do in the console; each reading goes into a
//! fresh Model, so a target that stops answering reads as unread, never as
//! its last value.

use crate::config::Config;
use crate::console::load_run::{declared_for, declared_workloads, workload_for};
use crate::console::Model;
use crate::load::capacity::bottleneck::RUNBOOK;
use crate::load::capacity::infra::{Beside, DbUse, InfraSample, WorkloadUse};
use crate::load::Endpoint;
use crate::model::{Health, TargetKind, WorkloadAddr};
use crate::runbook::spec::Runbook;
use crate::source::targets::{plan, poll_each, Planned};
use futures::future::BoxFuture;
use std::time::Duration;

pub struct Watch {
    planned: tokio::sync::Mutex<Vec<Planned>>,
    refresh: Duration,
    workload: Option<WorkloadAddr>,
    postgres: Vec<String>,
}

impl Watch {
    /// Sets up the readings for a run against `url_port`; None when there
    /// is nothing to watch (no workload found or named, no `[[postgres]]`).
    /// A named workload that cannot be found is an error: the run would
    /// otherwise claim to watch it.
    pub async fn prepare(
        config: &Config,
        endpoint: &Endpoint,
        named: Option<WorkloadAddr>,
    ) -> Result<Option<Watch>, String> {
        // A workload the config declares for the URL's origin stands as
        // named (refused if it is not there), with where it came from.
        let declared = declared_workloads(config);
        let (named, asked) = match named {
            Some(w) => {
                let asked = format!("--workload {w}");
                (Some(w), asked)
            }
            None => match declared_for(&declared, endpoint) {
                Some(d) => (
                    Some(d.workload.clone()),
                    format!(
                        "workload {} (declared by {} for this URL; name another with --workload)",
                        d.workload, d.by
                    ),
                ),
                None => (None, String::new()),
            },
        };
        let postgres: Vec<String> = config
            .postgres
            .iter()
            .map(|p| p.name.get_ref().clone())
            .collect();
        let mut planned: Vec<Planned> = plan(config)
            .into_iter()
            .filter(|p| match p.kind {
                TargetKind::Docker => named.as_ref().is_none_or(|w| w.target == p.name),
                // A pod has no published port to match the URL against: a
                // Kubernetes workload is read only when it is named.
                TargetKind::Kubernetes => named.as_ref().is_some_and(|w| w.target == p.name),
                TargetKind::Postgres => true,
                _ => false,
            })
            .collect();
        let workload = match named {
            Some(w) => {
                if !planned.iter().any(|p| p.name == w.target) {
                    return Err(format!(
                        "{asked}: no Docker or Kubernetes target `{}` is configured",
                        w.target
                    ));
                }
                // A workload named and not there would be read as unread all
                // run long: refused before anything is sent.
                let mut model = Model::new(config.refresh.0, true);
                model.add_started(poll_each(&mut planned).await);
                if let Err(e) = workload_use(&model, &w) {
                    if !e.starts_with("no stats reading yet") {
                        return Err(format!("{asked}: {e}"));
                    }
                }
                Some(w)
            }
            // The console's load view finds it the same way.
            None => {
                let mut model = Model::new(config.refresh.0, true);
                model.add_started(poll_each(&mut planned).await);
                workload_for(&model, endpoint)
            }
        };
        if workload.is_none() {
            planned.retain(|p| p.kind == TargetKind::Postgres);
        }
        if workload.is_none() && postgres.is_empty() {
            return Ok(None);
        }
        Ok(Some(Watch {
            planned: tokio::sync::Mutex::new(planned),
            refresh: config.refresh.0,
            workload,
            postgres,
        }))
    }

    pub fn workload(&self) -> Option<&WorkloadAddr> {
        self.workload.as_ref()
    }
}

/// The degraded-performance runbook as built in: its checks and branch
/// judge a failed stage.
pub fn judgement() -> Option<Runbook> {
    crate::runbook::builtin::builtin()
        .ok()?
        .into_iter()
        .find(|r| r.id == RUNBOOK)
}

impl Beside for Watch {
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(w) = &self.workload {
            parts.push(format!("{w} (CPU and memory against limits, restarts)"));
        }
        for p in &self.postgres {
            parts.push(format!(
                "postgres {p} (connections, longest query, slowest statements)"
            ));
        }
        parts.join("; ")
    }

    fn sample(&self) -> BoxFuture<'_, InfraSample> {
        Box::pin(async move {
            let mut planned = self.planned.lock().await;
            let mut model = Model::new(self.refresh, true);
            model.add_started(poll_each(&mut planned).await);
            InfraSample {
                workload: self.workload.as_ref().map(|w| workload_use(&model, w)),
                databases: self
                    .postgres
                    .iter()
                    .map(|n| (n.clone(), db_use(&model, n)))
                    .collect(),
            }
        })
    }
}

fn degraded(model: &Model, target: &str) -> Option<String> {
    match model.target(target).map(|t| &t.health) {
        Some(Health::Degraded { reason, .. }) => Some(format!("target `{target}`: {reason}")),
        _ => None,
    }
}

fn workload_use(model: &Model, addr: &WorkloadAddr) -> Result<WorkloadUse, String> {
    if let Some(why) = degraded(model, &addr.target) {
        return Err(why);
    }
    let (_, inv) = model
        .inventories
        .iter()
        .find(|(t, _)| t == &addr.target)
        .ok_or_else(|| format!("target `{}` reported no inventory", addr.target))?;
    let w = inv
        .workloads
        .iter()
        .find(|w| &w.addr == addr)
        .ok_or_else(|| format!("no workload {addr}"))?;
    // A running replica without a stats reading yet would add 0 % CPU: not a value.
    let waiting: Vec<&str> = inv
        .instances
        .iter()
        .filter(|i| &i.workload == addr && i.is_running() && i.usage.is_none())
        .map(|i| i.name.as_str())
        .collect();
    if !waiting.is_empty() {
        // A cluster without metrics-server never gives one: say that instead.
        if let Some(note) = inv.notes.iter().find(|n| n.contains("metrics.k8s.io")) {
            return Err(note.clone());
        }
        return Err(format!("no stats reading yet for {}", waiting.join(", ")));
    }
    Ok(WorkloadUse {
        name: addr.to_string(),
        cpu_percent: w.usage.cpu_percent,
        cpu_limit_percent: w.usage.cpu_limit_percent,
        mem_bytes: w.usage.mem_bytes,
        mem_limit_bytes: w.usage.mem_limit_bytes,
        restarts: w.restarts,
    })
}

fn db_use(model: &Model, name: &str) -> Result<DbUse, String> {
    if let Some(why) = degraded(model, name) {
        return Err(why);
    }
    let (_, _, snap) = model
        .databases
        .iter()
        .find(|(n, _, _)| n == name)
        .ok_or_else(|| format!("postgres `{name}` gave no reading"))?;
    let slowest = match &snap.statements {
        crate::model::database::Statements::Top { rows } => rows
            .iter()
            .max_by(|a, b| a.mean_ms.total_cmp(&b.mean_ms))
            .map(|s| (s.query.clone(), s.mean_ms)),
        crate::model::database::Statements::Unavailable { .. } => None,
    };
    Ok(DbUse {
        connections: snap.connections,
        max_connections: snap.max_connections,
        longest_query_secs: snap.longest_query_secs(),
        mean_statement_ms: snap.mean_statement_ms,
        slowest,
    })
}
