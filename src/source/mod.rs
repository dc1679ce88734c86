//! Collectors: one tokio task per target, each sending `Update`s over a bounded
//! channel to the app loop. Sources never touch the UI, and never act.

pub mod alertmanager;
pub mod backup;
pub mod describe;
mod discovered;
pub mod docker;
mod host;
pub mod kube;
pub mod logs;
mod net_dev;
pub mod postgres;
pub mod probe;
pub mod prometheus;
pub mod prometheus_alerts;
pub mod redis;
mod scrape;
mod supervisor;
pub mod targets;

pub use host::HostSource;
pub use probe::ProbeSource;
pub use scrape::ScrapeSource;
pub use supervisor::{backoff, poll_once, supervise};

use crate::model::{EngineEvent, Health, HostSnapshot, Inventory};
use std::future::Future;

/// What a collector saw; the app loop folds it into the Model.
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
    /// Named values from a probe or a scrape, with the target's health as the
    /// source judged it (a failed probe is data and a degraded target at once).
    Series {
        target: String,
        at: i64,
        series: Vec<(String, f64)>,
        health: Health,
    },
    /// Which series a scrape read its request figures from, and why any
    /// figure is missing; replaces what that scrape said before.
    RequestSeries {
        target: String,
        series: crate::model::RequestSeries,
    },
    /// The latest reading of a PostgreSQL target, for the Database view.
    Database {
        target: String,
        at: i64,
        snapshot: Box<crate::model::DbSnapshot>,
    },
    /// The caching headers of a probe's latest answer, replacing the last.
    CacheHeaders {
        target: String,
        headers: crate::model::cache::http::CacheHeaders,
    },
    /// The latest reading of a Redis target, for the Cache view.
    Cache {
        target: String,
        at: i64,
        snapshot: Box<crate::model::CacheSnapshot>,
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
        alerts: Vec<crate::alert::ExternalAlert>,
    },
    /// An Alertmanager's silences (`/api/v2/silences`): active, pending and
    /// recently expired, replacing what it reported before.
    Silences {
        source: String,
        silences: Vec<crate::alertmanager::Silence>,
    },
    /// A Prometheus's own alerting rules (`/api/v1/rules`), replacing the last.
    PromRules {
        source: String,
        rules: Vec<crate::prometheus::PromRuleRow>,
    },
    /// The `/metrics` endpoints a Docker target found by their labels
    /// (`prometheus.io/scrape`): each scrape's name and the workload its
    /// container belongs to; replaces what `by` found before.
    Discovered {
        by: String,
        scrapes: Vec<(String, String)>,
    },
}

/// A thing that can be asked for its current state. The supervisor decides when
/// to ask and what to do when asking fails.
pub trait Source: Send + 'static {
    fn target(&self) -> &str;
    fn poll(&mut self) -> impl Future<Output = Result<Vec<Update>, String>> + Send;
}
