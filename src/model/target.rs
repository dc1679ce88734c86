use serde::Serialize;
use std::time::Duration;

/// What sort of thing a target is; decides which source watches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Host,
    Docker,
    Kubernetes,
    Prometheus,
    Alertmanager,
    Scrape,
    Probe,
    Postgres,
    Redis,
    Backup,
}

/// How a target's collector is doing. Degraded keeps the reason and when it will
/// try again, because "why is this grey" is the first question an on-call asks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum Health {
    /// No answer yet.
    Connecting,
    Ok,
    Degraded {
        reason: String,
        /// Unix seconds of the first failure in this run of failures.
        since: i64,
        #[serde(serialize_with = "secs")]
        retry_in: Duration,
    },
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl Health {
    /// Worst first: degraded, then connecting, then ok.
    pub fn rank(&self) -> u8 {
        match self {
            Health::Degraded { .. } => 0,
            Health::Connecting => 1,
            Health::Ok => 2,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Health::Connecting => "connecting",
            Health::Ok => "ok",
            Health::Degraded { .. } => "degraded",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    pub name: String,
    pub kind: TargetKind,
    pub health: Health,
    /// The target that found this one (a Docker host, for a container
    /// labelled for scraping); None for what the config names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovered_by: Option<String>,
}

impl Target {
    pub fn new(name: impl Into<String>, kind: TargetKind) -> Self {
        Target {
            name: name.into(),
            kind,
            health: Health::Connecting,
            discovered_by: None,
        }
    }
}

/// The targets worst first (degraded, connecting, ok), each group in the
/// order given, so nothing degraded sorts behind a healthy target.
pub fn worst_first<'a>(targets: impl IntoIterator<Item = &'a Target>) -> Vec<&'a Target> {
    let mut list: Vec<&Target> = targets.into_iter().collect();
    list.sort_by_key(|t| t.health.rank());
    list
}
