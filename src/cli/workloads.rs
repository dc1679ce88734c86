//! `opsdeck workloads`: every workload of every Docker and Kubernetes target,
//! with replicas, images, CPU and memory (Kubernetes adds `rollout`: up-to-date,
//! available, revision, paused, problem, requests and limits).
//!
//! `--json` prints `{ "generated_at", "targets": [Target], "workloads": [Workload] }`
//! where a Workload is
//! `{ "addr": "local/shop/api", "kind": "compose_service" | "swarm_service" | "container" | ...,
//!    "desired": 3 | null, "running": 2, "ready": 2, "images": ["shop:v2", ...],
//!    "usage": { "cpu_percent", "mem_bytes", "mem_limit_bytes", "net_rx_bytes_per_sec",
//!               "net_tx_bytes_per_sec", "blk_read_bytes_per_sec", "blk_write_bytes_per_sec" },
//!    "restarts": 0 }`.

use super::status::{poll_into, POLL_TIMEOUT};
use crate::base::time::rfc3339;
use crate::config::Config;
use crate::console::Model;
use crate::model::{Health, Target, TargetKind, Workload};
use crate::source::docker::DockerSource;
use crate::source::kube::KubeSource;
use serde::Serialize;
use std::process::ExitCode;
use std::time::Duration;

/// CPU is a difference between two stats readings, which the engine sends a
/// second apart; two polls this far apart see at least two.
const SETTLE: Duration = Duration::from_millis(2500);
/// The first lists of a large cluster.
const KUBE_FIRST_POLL: Duration = Duration::from_secs(30);

#[derive(Debug, Serialize)]
struct Report<'a> {
    generated_at: String,
    targets: &'a [Target],
    workloads: Vec<&'a Workload>,
}

pub async fn collect(config: &Config) -> Model {
    let mut model = Model::new(config.refresh.0, true);
    let mut sources: Vec<DockerSource> = crate::connect::docker::targets(config)
        .into_iter()
        .map(|(name, endpoint)| {
            model.add_target(&name, TargetKind::Docker);
            DockerSource::new(name, endpoint)
        })
        .collect();
    for s in &mut sources {
        poll_into(&mut model, s, POLL_TIMEOUT).await;
    }
    // One poll of a Kubernetes target is complete: it waits for the first lists
    // and reads metrics.k8s.io; while the Docker stats settle.
    for target in crate::connect::kube::targets(config) {
        model.add_target(&target.name, TargetKind::Kubernetes);
        let mut source = KubeSource::new(target);
        poll_into(&mut model, &mut source, POLL_TIMEOUT.max(KUBE_FIRST_POLL)).await;
    }
    tokio::time::sleep(SETTLE).await;
    for s in &mut sources {
        poll_into(&mut model, s, POLL_TIMEOUT).await;
    }
    model
}

pub async fn run(config: &Config, json: bool) -> color_eyre::Result<ExitCode> {
    let model = collect(config).await;
    let workloads: Vec<&Workload> = model
        .inventories
        .iter()
        .flat_map(|(_, inv)| inv.workloads.iter())
        .collect();
    let degraded = model
        .targets
        .iter()
        .any(|t| !matches!(t.health, Health::Ok));
    if json {
        let report = Report {
            generated_at: rfc3339(crate::base::time::unix_now()),
            targets: &model.targets,
            workloads,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&model.targets, &workloads);
    }
    Ok(if degraded {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_table(targets: &[Target], workloads: &[&Workload]) {
    use crate::base::units::{bytes, percent};
    if targets.is_empty() {
        println!("no Docker targets: none configured and no local engine socket");
    }
    for t in targets {
        if let Health::Degraded { reason, .. } = &t.health {
            println!("target {} degraded: {reason}", t.name);
        }
    }
    if workloads.is_empty() {
        return;
    }
    println!(
        "{:<40} {:<10} {:>7} {:>7} {:>9}  IMAGE",
        "WORKLOAD", "KIND", "READY", "CPU", "MEMORY"
    );
    for w in workloads {
        let desired = w.desired.unwrap_or(w.running);
        println!(
            "{:<40} {:<10} {:>7} {:>7} {:>9}  {}",
            w.addr.to_string(),
            w.kind.label(),
            format!("{}/{}", w.ready, desired),
            percent(w.usage.cpu_percent),
            bytes(w.usage.mem_bytes as f64),
            w.images.join(", ")
        );
    }
}
