//! `opsdeck status`: one reading of every target, without a UI.

use crate::config::Config;
use crate::console::Model;
use crate::model::Severity;
use crate::source::Source;
use serde::Serialize;
use std::process::ExitCode;

#[derive(Debug, Serialize)]
pub struct StatusReport<'a> {
    pub generated_at: String,
    pub read_only: bool,
    pub overall: Severity,
    pub targets: &'a [crate::model::Target],
    pub host: Option<&'a crate::model::HostSnapshot>,
    pub series: std::collections::BTreeMap<&'a str, f64>,
    /// As `opsdeck alerts --json` lists them (one evaluation).
    pub alerts: Vec<crate::console::AlertRow>,
    /// The latency pane's rows: each service's figures and their source.
    pub services: Vec<crate::console::ServiceRow>,
    /// Workloads short of ready replicas: address, ready, wanted.
    pub not_ready: Vec<(String, u32, u32)>,
}

pub async fn collect(config: &Config, read_only: bool) -> Model {
    let ids = crate::exec::files::runbook_ids(&config.runbook_dirs);
    let mut model = Model::new(config.refresh.0, read_only).with_config(config, ids);
    model.alerts.acks = crate::console::Acks::from_read(crate::exec::files::read_acks(
        &crate::exec::files::acks_path(),
    ));
    model.add_started(crate::source::targets::poll_all(crate::source::targets::plan(config)).await);
    // One evaluation: a rule whose condition holds is pending, or firing when
    // its `for` is 0; a one-shot reading cannot wait out a `for` duration.
    model.tick(crate::base::time::unix_now());
    model
}

/// How long one reading of a target may take before it counts as degraded.
pub const POLL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// One poll through the collectors' one-shot reading, folded into the model; a
/// failure marks the target degraded with the reason.
pub async fn poll_into<S: Source>(model: &mut Model, source: &mut S, timeout: std::time::Duration) {
    for u in crate::source::targets::poll_updates(source, timeout, timeout).await {
        model.apply_update(u);
    }
}

pub async fn run(config: &Config, read_only: bool, json: bool) -> color_eyre::Result<ExitCode> {
    let model = collect(config, read_only).await;
    let overall = overall(&model);
    let series = model
        .store
        .names()
        .filter_map(|n| model.store.latest_by_name(n).map(|(_, v)| (n, v)))
        .collect();
    let report = StatusReport {
        generated_at: crate::base::time::rfc3339(crate::base::time::unix_now()),
        read_only,
        overall,
        targets: &model.targets,
        host: model.host(),
        series,
        alerts: model.alerts.rows(),
        services: crate::console::services::rows(&model),
        not_ready: model.not_ready(),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_text(&report);
    }
    Ok(ExitCode::from(match overall {
        Severity::Critical => 2,
        Severity::Warning => 1,
        _ => 0,
    }))
}

/// The worst of: a degraded target (a warning), a workload short of ready
/// replicas (a warning; none ready is critical) and the firing alerts.
pub fn overall(model: &Model) -> Severity {
    let workloads = model
        .not_ready()
        .iter()
        .map(|(_, ready, _)| {
            if *ready == 0 {
                Severity::Critical
            } else {
                Severity::Warning
            }
        })
        .max()
        .unwrap_or(Severity::Ok);
    let targets = model
        .targets
        .iter()
        .map(|t| {
            if matches!(t.health, crate::model::Health::Ok) {
                Severity::Ok
            } else {
                Severity::Warning
            }
        })
        .max()
        .unwrap_or(Severity::Ok);
    // An info alert does not change the exit code.
    let alerts = model
        .alerts
        .worst_firing()
        .filter(|s| *s >= Severity::Warning)
        .unwrap_or(Severity::Ok);
    targets.max(alerts).max(workloads)
}
fn print_text(r: &StatusReport) {
    for (w, ready, wanted) in &r.not_ready {
        println!("workload {w}: {ready}/{wanted} ready");
    }
    use crate::base::units::{bytes, percent};
    println!("opsdeck status at {}: {}", r.generated_at, r.overall);
    for t in r.targets {
        match &t.health {
            crate::model::Health::Degraded { reason, .. } => {
                println!("  {:<12} degraded: {reason}", t.name)
            }
            h => println!("  {:<12} {}", t.name, h.label()),
        }
    }
    for a in &r.alerts {
        let v = &a.alert;
        println!(
            "  alert    {} {} {} ({})",
            v.severity, v.state, v.rule, a.source
        );
    }
    if let Some(h) = r.host {
        println!(
            "  cpu      {}   load {:.2} {:.2} {:.2}",
            percent(h.cpu_percent),
            h.load[0],
            h.load[1],
            h.load[2]
        );
        println!(
            "  memory   {} / {}",
            bytes(h.mem_used_bytes as f64),
            bytes(h.mem_total_bytes as f64)
        );
        for d in &h.disks {
            println!(
                "  disk     {:<20} {}",
                d.mount,
                percent(crate::model::ratio(d.used_bytes, d.total_bytes) * 100.0)
            );
        }
    }
}
