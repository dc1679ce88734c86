//! Talking to one Prometheus server through the crate's HTTP client.

use super::answer::{decode, decode_value, Answer, Labels, Value};
use crate::connect::http::Http;
use serde::Deserialize;

/// Longer expressions go in a POST body: proxies cap URL length.
const LONGEST_GET_QUERY: usize = 1500;

#[derive(Debug, Clone)]
pub struct Client {
    http: Http,
    base: String,
}

/// A scrape target as Prometheus sees it (`/api/v1/targets`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ScrapeTarget {
    #[serde(default)]
    pub labels: Labels,
    #[serde(rename = "scrapeUrl", default)]
    pub scrape_url: String,
    /// up, down or unknown.
    pub health: String,
    #[serde(rename = "lastError", default)]
    pub last_error: String,
}

#[derive(Deserialize)]
struct Targets {
    #[serde(rename = "activeTargets", default)]
    active: Vec<ScrapeTarget>,
}

/// An alert Prometheus evaluates (`/api/v1/alerts`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PromAlert {
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub annotations: Labels,
    /// pending or firing.
    pub state: String,
    #[serde(rename = "activeAt", default)]
    pub active_at: Option<String>,
    #[serde(default)]
    pub value: String,
}

#[derive(Deserialize)]
struct Alerts {
    alerts: Vec<PromAlert>,
}

/// One rule of `/api/v1/rules`, alerting or recording.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PromRule {
    pub name: String,
    pub query: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Seconds; alerting rules only.
    #[serde(default)]
    pub duration: f64,
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub annotations: Labels,
    /// inactive, pending or firing; alerting rules only.
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub health: String,
    #[serde(rename = "lastError", default)]
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RuleGroup {
    pub name: String,
    pub file: String,
    pub rules: Vec<PromRule>,
}

#[derive(Deserialize)]
struct Groups {
    groups: Vec<RuleGroup>,
}

/// How long one call may take when the `[[prometheus]]` sets no `timeout`.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl Client {
    /// The client for a configured `[[prometheus]]`: its URL, auth and timeout.
    pub fn for_target(p: &crate::config::PrometheusTarget) -> Result<Self, String> {
        let http = Http::new(timeout_of(p), &p.auth)?;
        Ok(Client::new(http, p.url.get_ref()))
    }

    pub fn new(http: Http, url: &str) -> Self {
        Client {
            http,
            base: url.trim_end_matches('/').to_string(),
        }
    }

    async fn call(&self, path: &str, params: &[(&str, &str)]) -> Result<(u16, String), String> {
        let url = format!("{}{path}", self.base);
        let long = params.iter().map(|(_, v)| v.len()).sum::<usize>() > LONGEST_GET_QUERY;
        let resp = if long {
            self.http.post_form(&url, params).await?
        } else if params.is_empty() {
            self.http.get(&url).await?
        } else {
            self.http.get_query(&url, params).await?
        };
        Ok((resp.status, resp.body))
    }

    /// An instant query, evaluated now.
    pub async fn query(&self, promql: &str) -> Result<Answer<Value>, String> {
        let (status, body) = self.call("/api/v1/query", &[("query", promql)]).await?;
        decode_value(status, &body)
    }

    /// A range query from `start` to `end` (unix seconds) every `step` seconds.
    pub async fn query_range(
        &self,
        promql: &str,
        start: f64,
        end: f64,
        step: f64,
    ) -> Result<Answer<Value>, String> {
        let (start, end, step) = (start.to_string(), end.to_string(), step.to_string());
        let params = [
            ("query", promql),
            ("start", &start),
            ("end", &end),
            ("step", &step),
        ];
        let (status, body) = self.call("/api/v1/query_range", &params).await?;
        decode_value(status, &body)
    }

    pub async fn targets(&self) -> Result<Vec<ScrapeTarget>, String> {
        let (status, body) = self.call("/api/v1/targets", &[("state", "active")]).await?;
        decode::<Targets>(status, &body).map(|a| a.data.active)
    }

    pub async fn alerts(&self) -> Result<Vec<PromAlert>, String> {
        let (status, body) = self.call("/api/v1/alerts", &[]).await?;
        decode::<Alerts>(status, &body).map(|a| a.data.alerts)
    }

    pub async fn rules(&self) -> Result<Vec<RuleGroup>, String> {
        let (status, body) = self.call("/api/v1/rules", &[]).await?;
        decode::<Groups>(status, &body).map(|a| a.data.groups)
    }
}

/// A `[[prometheus]]`'s timeout, or the default.
pub fn timeout_of(p: &crate::config::PrometheusTarget) -> std::time::Duration {
    p.timeout.map_or(DEFAULT_TIMEOUT, |t| t.0)
}

/// The step that gives about one point per chart column, never finer than 1 s.
pub fn step_for(range_secs: f64, columns: u16) -> f64 {
    (range_secs / f64::from(columns.max(1))).ceil().max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_fit_the_pane() {
        assert_eq!(step_for(300.0, 60), 5.0);
        assert_eq!(step_for(3600.0, 70), 52.0);
        assert_eq!(step_for(10.0, 200), 1.0);
        assert_eq!(step_for(86400.0, 0), 86400.0);
    }

    #[test]
    fn rules_and_alerts_decode_from_prometheus_shapes() {
        let body = r#"{"status":"success","data":{"groups":[{"name":"demo","file":"/r.yml","interval":1,
            "rules":[{"name":"DemoErrors","query":"x > 0","duration":5,"labels":{"severity":"critical"},
            "annotations":{"runbook_url":"https://wiki/site-down"},"alerts":[],"health":"ok","type":"alerting","state":"inactive"},
            {"name":"job:up","query":"up","labels":{},"health":"ok","type":"recording"}]}]}}"#;
        let g = decode::<Groups>(200, body).unwrap().data.groups;
        assert_eq!(g[0].rules[0].duration, 5.0);
        assert_eq!(g[0].rules[0].state.as_deref(), Some("inactive"));
        assert_eq!(g[0].rules[1].kind, "recording");
        let body = r#"{"status":"success","data":{"alerts":[{"labels":{"alertname":"DemoErrors"},
            "annotations":{},"state":"firing","activeAt":"2026-11-23T16:00:00Z","value":"1e+00"}]}}"#;
        let a = decode::<Alerts>(200, body).unwrap().data.alerts;
        assert_eq!(
            (a[0].state.as_str(), a[0].labels["alertname"].as_str()),
            ("firing", "DemoErrors")
        );
    }
}
