//! An Alertmanager (API v2): the alerts it holds, with the silences and
//! inhibitions that mute them, shown beside opsdeck's own alerts.

use super::prometheus_alerts::{parse_time, severity_of};
use super::{Source, Update};
use crate::alert::{AlertState, AlertView, RunbookRef};
use crate::http::Http;
use crate::model::ExternalAlert;
use serde::Deserialize;
use std::collections::BTreeMap;

/// One entry of `GET /api/v2/alerts`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AmAlert {
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(rename = "startsAt", default)]
    pub starts_at: Option<String>,
    pub status: AmStatus,
    #[serde(default)]
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AmStatus {
    /// active, suppressed or unprocessed.
    pub state: String,
    #[serde(rename = "silencedBy", default)]
    pub silenced_by: Vec<String>,
    #[serde(rename = "inhibitedBy", default)]
    pub inhibited_by: Vec<String>,
}

/// An Alertmanager alert is firing by definition (it was sent); one not yet
/// processed is pending. Severity and runbook come as from Prometheus.
pub fn am_alert(a: &AmAlert) -> ExternalAlert {
    let mut labels = a.labels.clone();
    let rule = labels.remove("alertname").unwrap_or_default();
    let severity = severity_of(&labels);
    let state = match a.status.state.as_str() {
        "unprocessed" => AlertState::Pending,
        _ => AlertState::Firing,
    };
    let since = a.starts_at.as_deref().and_then(parse_time).unwrap_or(0.0);
    let muted_by = a
        .status
        .silenced_by
        .iter()
        .map(|id| format!("silence {id}"))
        .chain(
            a.status
                .inhibited_by
                .iter()
                .map(|f| format!("inhibited by {f}")),
        )
        .collect();
    ExternalAlert {
        alert: AlertView {
            rule,
            series: a.fingerprint.clone(),
            labels,
            annotations: a.annotations.clone(),
            state,
            severity,
            value: None,
            threshold: None,
            since,
            active_since: Some(since),
            runbook: RunbookRef::from_annotations(&a.annotations),
            message: None,
            flapping: false,
        },
        muted_by,
    }
}

pub struct AlertmanagerSource {
    name: String,
    base: String,
    http: Http,
}

impl AlertmanagerSource {
    pub fn new(name: &str, url: &str, http: Http) -> Self {
        AlertmanagerSource {
            name: name.to_string(),
            base: url.trim_end_matches('/').to_string(),
            http,
        }
    }
}

impl Source for AlertmanagerSource {
    fn target(&self) -> &str {
        &self.name
    }

    async fn poll(&mut self) -> Result<Vec<Update>, String> {
        let url = format!("{}/api/v2/alerts", self.base);
        let resp = self.http.get(&url).await?;
        if resp.status != 200 {
            return Err(format!("{url}: HTTP {}", resp.status));
        }
        let alerts: Vec<AmAlert> = serde_json::from_str(&resp.body)
            .map_err(|e| format!("{url}: not an Alertmanager v2 answer ({e})"))?;
        Ok(vec![Update::ExternalAlerts {
            source: self.name.clone(),
            alerts: alerts.iter().map(am_alert).collect(),
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;

    /// Captured from Alertmanager 0.25 (Debian): two alerts posted through
    /// the API, one of them under a silence.
    const CAPTURED: &str = include_str!("../../tests/fixtures/alertmanager/alerts.json");

    #[test]
    fn active_and_silenced_alerts_convert() {
        let alerts: Vec<AmAlert> = serde_json::from_str(CAPTURED).unwrap();
        let by_name = |n: &str| {
            alerts
                .iter()
                .map(am_alert)
                .find(|a| a.alert.rule == n)
                .unwrap()
        };
        let errors = by_name("DemoErrors");
        assert_eq!(errors.alert.state, AlertState::Firing);
        assert_eq!(errors.alert.severity, Severity::Critical);
        assert!(errors.muted_by.is_empty());
        assert!(errors.alert.since > 1.7e9);
        assert_eq!(
            errors.alert.runbook,
            Some(RunbookRef::Url(
                "https://wiki.example/runbooks/site-down".into()
            ))
        );
        let noise = by_name("DiskNoise");
        assert_eq!(noise.alert.severity, Severity::Warning);
        assert_eq!(noise.muted_by.len(), 1);
        assert!(
            noise.muted_by[0].starts_with("silence "),
            "{:?}",
            noise.muted_by
        );
    }
}
