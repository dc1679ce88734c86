//! Collectors: one tokio task per target, each sending `Update`s over a bounded
//! channel to the app loop. Sources never touch the UI.

pub mod alertmanager;
pub mod docker;
mod host;
pub mod kube;
pub mod logs;
mod net_dev;
pub mod postgres;
pub mod probe;
pub mod prometheus;
pub mod prometheus_alerts;
mod scrape;
mod supervisor;
pub mod targets;

pub use host::HostSource;
pub use probe::ProbeSource;
pub use scrape::ScrapeSource;
pub use supervisor::{backoff, poll_once, supervise};

use crate::model::{EngineEvent, Health, HostSnapshot, Inventory, LogLine};
use std::future::Future;

/// What a collector tells the app loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    Health {
        target: String,
        health: Health,
    },
    Host {
        target: String,
        at: i64,
        snapshot: Box<HostSnapshot>,
    },
    /// The whole inventory of a Docker or Kubernetes target, with fresh usage.
    Inventory {
        target: String,
        at: i64,
        inventory: Box<Inventory>,
    },
    /// Events the engine reported since the last update, oldest first.
    Events {
        target: String,
        events: Vec<EngineEvent>,
    },
    /// Lines for the logs view that asked for them (`stream` is its request number).
    Logs {
        stream: u64,
        lines: Vec<LogLine>,
    },
    /// The live figures of the load run the console started (`:load`).
    Load(Box<crate::load::Snapshot>),
    /// Named values from a probe or a scrape, with the target's health as the
    /// source judged it (a failed probe is data and a degraded target at once).
    Series {
        target: String,
        at: i64,
        series: Vec<(String, f64)>,
        health: Health,
    },
    /// The latest reading of a PostgreSQL target, for the Database view.
    Database {
        target: String,
        at: i64,
        snapshot: Box<crate::model::DbSnapshot>,
    },
    /// The results of a Prometheus's PromQL alert rules, by rule name.
    RuleResults {
        target: String,
        at: i64,
        results: Vec<(String, crate::alert::PromResult)>,
    },
    /// All the alerts a Prometheus (`/api/v1/alerts`) or an Alertmanager
    /// (`/api/v2/alerts`) reports, replacing what it reported before.
    ExternalAlerts {
        source: String,
        alerts: Vec<crate::model::ExternalAlert>,
    },
    /// An Alertmanager's silences (`/api/v2/silences`): active, pending and
    /// recently expired, replacing what it reported before.
    Silences {
        source: String,
        silences: Vec<crate::model::Silence>,
    },
    /// A Prometheus's own alerting rules (`/api/v1/rules`), replacing the last.
    PromRules {
        source: String,
        rules: Vec<crate::model::PromRuleRow>,
    },
    /// The `/metrics` endpoints a Docker target found by their labels
    /// (`prometheus.io/scrape`), by scrape name; replaces what `by` found before.
    Discovered {
        by: String,
        scrapes: Vec<String>,
    },
    /// A panel's range query, which the metrics view asked for.
    PanelRange {
        title: String,
        range: crate::model::PanelRange,
    },
    /// What a runbook run in the console reports: entries, questions, the end.
    Runbook(crate::runbook_exec::console::RunEvent),
    /// Progress of an action the console asked for.
    Action(crate::action::ActionEvent),
    /// A workload's revisions, which the console asked for (`h`).
    History {
        workload: crate::model::WorkloadAddr,
        revisions: Result<Vec<crate::action::Revision>, String>,
    },
}

/// A thing that can be asked for its current state. The supervisor decides when
/// to ask and what to do when asking fails.
pub trait Source: Send + 'static {
    fn target(&self) -> &str;
    fn poll(&mut self) -> impl Future<Output = Result<Vec<Update>, String>> + Send;
}
