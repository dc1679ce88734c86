//! `opsdeck status`: one snapshot of every target, without a UI. Rates (a
//! scrape's requests/s, error ratio and latency, PostgreSQL's transactions/s)
//! are the change between two readings, so a second reading follows the
//! first after `--window` (2 s by default when any target gives rates).

use crate::config::Config;
use crate::console::Model;
use crate::model::{Severity, TargetKind};
use crate::source::Source;
use serde::Serialize;
use std::process::ExitCode;
use std::time::Duration;

/// The wait between the two readings when `--window` is not given and a
/// figure needs two.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(2);

/// `--window`: a duration such as `2s`, or `0` for one reading.
pub fn parse_window(text: &str) -> Result<Duration, String> {
    if text.trim() == "0" {
        return Ok(Duration::ZERO);
    }
    crate::base::duration::HumanDuration::parse(text).map(|d| d.0)
}

/// Whether any target's figures are rates between two readings: a scrape's
/// requests/s, error ratio and latency, PostgreSQL's transactions/s, or a
/// Redis target's hit ratio, evictions/s and ops/s.
pub fn needs_two_readings(model: &Model) -> bool {
    model.targets.iter().any(|t| {
        matches!(
            t.kind,
            TargetKind::Scrape | TargetKind::Postgres | TargetKind::Redis
        )
    })
}

#[derive(Debug, Serialize)]
pub struct StatusReport<'a> {
    pub generated_at: String,
    pub read_only: bool,
    /// Seconds between the two readings; null when one reading was taken.
    pub window_secs: Option<f64>,
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
    /// Each `[[redis]]` target's latest reading, by name (as `opsdeck cache NAME --json`).
    pub caches: std::collections::BTreeMap<&'a str, &'a crate::model::CacheSnapshot>,
    /// The caching headers each probe's latest answer carried, by probe name.
    pub probe_cache:
        &'a std::collections::BTreeMap<String, crate::model::cache::http::CacheHeaders>,
}

/// Every target read once, and again after `window` (None: [`DEFAULT_WINDOW`]
/// when a figure needs two readings, else no second reading); also returns
/// the time between the readings, when there were two.
pub async fn collect(
    config: &Config,
    read_only: bool,
    window: Option<Duration>,
) -> (Model, Option<Duration>) {
    let ids = crate::exec::files::runbook_ids(&config.runbook_dirs);
    let mut model = Model::new(config.refresh.0, read_only).with_config(config, ids);
    model.alerts.acks = crate::console::Acks::from_read(crate::exec::files::read_acks(
        &crate::exec::files::acks_path(),
    ));
    let mut planned = crate::source::targets::plan(config);
    let first = std::time::Instant::now();
    model.add_started(crate::source::targets::poll_each(&mut planned).await);
    let wait = window.unwrap_or(if needs_two_readings(&model) {
        DEFAULT_WINDOW
    } else {
        Duration::ZERO
    });
    let mut between = None;
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
        between = Some(first.elapsed());
        model.add_started(crate::source::targets::poll_each(&mut planned).await);
    }
    // One evaluation: a rule whose condition holds is pending, or firing when
    // its `for` is 0; a snapshot cannot wait out a `for` duration.
    model.tick(crate::base::time::unix_now());
    (model, between)
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

pub async fn run(
    config: &Config,
    read_only: bool,
    json: bool,
    window: Option<Duration>,
) -> color_eyre::Result<ExitCode> {
    let (model, between) = collect(config, read_only, window).await;
    let overall = overall(&model);
    let series = model
        .store
        .names()
        .filter_map(|n| model.store.latest_by_name(n).map(|(_, v)| (n, v)))
        .collect();
    let report = StatusReport {
        generated_at: crate::base::time::rfc3339(crate::base::time::unix_now()),
        read_only,
        window_secs: between.map(|d| (d.as_secs_f64() * 1000.0).round() / 1000.0),
        overall,
        targets: &model.targets,
        host: model.host(),
        series,
        alerts: model.alerts.rows(),
        services: crate::console::services::rows(&model),
        not_ready: model.not_ready(),
        caches: model
            .caches
            .iter()
            .map(|(name, _, c)| (name.as_str(), c))
            .collect(),
        probe_cache: &model.probe_cache,
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
    for s in &r.services {
        let figure = |name: &str, v: Option<f64>, unit: crate::base::units::Unit| match v {
            Some(v) => format!("{name} {}", crate::base::units::with_unit(unit, v)),
            None => format!("{name} -"),
        };
        use crate::base::units::Unit;
        println!(
            "  service  {:<12} {}  {}  {}  ({})",
            s.name,
            figure("p95", s.p95, Unit::Seconds),
            figure("rps", s.rps, Unit::None),
            figure("errors", s.error_ratio, Unit::Ratio),
            s.source
        );
        for (figure, why) in &s.missing {
            println!("           {figure}: {why}");
        }
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
