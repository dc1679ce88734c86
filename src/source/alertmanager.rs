//! An Alertmanager (API v2): the alerts it holds, with the silences and
//! inhibitions that mute them, shown beside opsdeck's own alerts.

use super::{Source, Update};
use crate::alert::ExternalAlert;
use crate::alert::{AlertState, AlertView, RunbookRef};
use crate::alertmanager::Silence;
pub use crate::alertmanager::{AmAlert, AmSilence, AmStatus, Client};
use crate::base::time::unix_seconds as parse_time;
use crate::connect::http::Http;
use crate::model::Severity;

/// An Alertmanager alert is firing by definition (it was sent); one not yet
/// processed is pending. Severity and runbook come as from Prometheus.
pub fn am_alert(a: &AmAlert) -> ExternalAlert {
    let mut labels = a.labels.clone();
    let rule = labels.remove("alertname").unwrap_or_default();
    let severity = Severity::of_labels(&labels);
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
    // Named by its labels, as Prometheus names the same alert: a fingerprint
    // means nothing to a person.
    let series = crate::alert::labels_key(&labels);
    ExternalAlert {
        alert: AlertView {
            rule,
            series,
            labels,
            annotations: a.annotations.clone(),
            notes: Vec::new(),
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

/// How long an expired silence stays listed: long enough to see that it
/// ended, short of Alertmanager's own five days of retention.
pub const EXPIRED_KEPT_SECS: f64 = 3600.0;

/// A silence as the console lists it; expired ones only while recent.
pub fn silence(s: &AmSilence) -> Silence {
    Silence {
        id: s.id.clone(),
        matchers: s.matchers.clone(),
        state: s.status.state.clone(),
        starts_at: parse_time(&s.starts_at).unwrap_or(0.0),
        ends_at: parse_time(&s.ends_at).unwrap_or(0.0),
        created_by: s.created_by.clone(),
        comment: s.comment.clone(),
    }
}

/// Active and pending silences, and those that expired within the last
/// hour, soonest to end first.
pub fn listed_silences(all: &[AmSilence], now: f64) -> Vec<Silence> {
    let mut out: Vec<Silence> = all
        .iter()
        .map(silence)
        .filter(|s| s.state != "expired" || now - s.ends_at <= EXPIRED_KEPT_SECS)
        .collect();
    out.sort_by(|a, b| {
        (a.state == "expired")
            .cmp(&(b.state == "expired"))
            .then(a.ends_at.total_cmp(&b.ends_at))
            .then_with(|| a.id.cmp(&b.id))
    });
    out
}

pub struct AlertmanagerSource {
    name: String,
    client: Client,
}

impl AlertmanagerSource {
    pub fn new(name: &str, url: &str, http: Http) -> Self {
        AlertmanagerSource {
            name: name.to_string(),
            client: Client::new(http, url),
        }
    }
}

impl Source for AlertmanagerSource {
    fn target(&self) -> &str {
        &self.name
    }

    async fn poll(&mut self) -> Result<Vec<Update>, String> {
        let alerts = self.client.alerts().await?;
        let silences = self.client.silences().await?;
        Ok(vec![
            Update::ExternalAlerts {
                source: self.name.clone(),
                alerts: alerts.iter().map(am_alert).collect(),
            },
            Update::Silences {
                source: self.name.clone(),
                silences: listed_silences(&silences, crate::base::time::unix_now() as f64),
            },
        ])
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

    #[test]
    fn expired_silences_leave_the_list_after_an_hour() {
        let s = |id: &str, state: &str, ends: &str| AmSilence {
            id: id.into(),
            matchers: vec![crate::alertmanager::Matcher::equal("alertname", "X")],
            starts_at: "2026-11-23T08:00:00Z".into(),
            ends_at: ends.into(),
            created_by: "ana".into(),
            comment: "c".into(),
            status: crate::alertmanager::SilenceStatus {
                state: state.into(),
            },
        };
        let now = parse_time("2026-11-23T12:00:00Z").unwrap();
        let listed = listed_silences(
            &[
                s("old", "expired", "2026-11-23T10:30:00Z"),
                s("recent", "expired", "2026-11-23T11:30:00Z"),
                s("late", "active", "2026-11-23T14:00:00Z"),
                s("soon", "active", "2026-11-23T12:30:00Z"),
            ],
            now,
        );
        let ids: Vec<&str> = listed.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["soon", "late", "recent"]);
    }
}
