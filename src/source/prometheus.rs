//! A Prometheus server: its readiness, the `[[panel]]` queries that name it,
//! each result recorded as `panel:TITLE` (one series) or `panel:TITLE:{labels}`,
//! the PromQL alert rules that name it, and the alerts and alerting rules it
//! evaluates itself.

use super::prometheus_alerts::{alert_view, rule_result};
use super::{Source, Update};
use crate::base::time::unix_now;
use crate::connect::http::Http;
use crate::model::Health;
use crate::prometheus::{Client, Sample, Value};

/// `panel:TITLE`, or `panel:TITLE:{k="v",...}` when the query gives several series.
pub fn panel_series(title: &str, samples: &[Sample]) -> Vec<(String, f64)> {
    if let [only] = samples {
        return vec![(format!("panel:{title}"), only.value)];
    }
    samples
        .iter()
        .map(|s| {
            let labels: Vec<String> = s
                .labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{v}\""))
                .collect();
            (format!("panel:{title}:{{{}}}", labels.join(",")), s.value)
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct PanelQuery {
    pub title: String,
    pub query: String,
}

/// A PromQL alert rule to run for the engine: its rule name and query.
#[derive(Debug, Clone)]
pub struct RuleQuery {
    pub rule: String,
    pub query: String,
}

pub struct PrometheusSource {
    name: String,
    client: Client,
    panels: Vec<PanelQuery>,
    rules: Vec<RuleQuery>,
    /// `(series, promql)`: queries recorded under a name of their own, such as
    /// a service's RED figures (`service:shop:p95`).
    named: Vec<(String, String)>,
}

impl PrometheusSource {
    pub fn new(name: &str, url: &str, http: Http, panels: Vec<PanelQuery>) -> Self {
        PrometheusSource {
            name: name.to_string(),
            client: Client::new(http, url),
            panels,
            rules: Vec::new(),
            named: Vec::new(),
        }
    }

    pub fn with_named(mut self, named: Vec<(String, String)>) -> Self {
        self.named = named;
        self
    }

    pub fn with_rules(mut self, rules: Vec<RuleQuery>) -> Self {
        self.rules = rules;
        self
    }

    /// A panel's samples now: an instant vector, or a scalar as one unlabelled sample.
    async fn panel(&self, promql: &str) -> Result<Vec<Sample>, String> {
        match self.client.query(promql).await?.data {
            Value::Vector(samples) => Ok(samples),
            Value::Scalar { at, value } => Ok(vec![Sample {
                labels: Default::default(),
                at,
                value,
            }]),
            Value::Matrix(_) | Value::String { .. } => {
                Err("a panel query must give an instant vector or a scalar".into())
            }
        }
    }
}

impl Source for PrometheusSource {
    fn target(&self) -> &str {
        &self.name
    }

    async fn poll(&mut self) -> Result<Vec<Update>, String> {
        // `1` is the cheapest query that proves the server answers queries.
        self.client.query("1").await?;
        let at = unix_now();
        let mut series = Vec::new();
        let mut failed = Vec::new();
        for p in &self.panels {
            match self.panel(&p.query).await {
                Ok(samples) => series.extend(panel_series(&p.title, &samples)),
                Err(e) => failed.push(format!("panel {:?}: {e}", p.title)),
            }
        }
        for (name, promql) in &self.named {
            match self.panel(promql).await {
                // An aggregate gives one sample; none means nothing was measured.
                Ok(samples) => series.extend(samples.first().map(|s| (name.clone(), s.value))),
                Err(e) => failed.push(format!("{name}: {e}")),
            }
        }
        let mut updates = Vec::new();
        if !self.rules.is_empty() {
            let mut results = Vec::with_capacity(self.rules.len());
            for r in &self.rules {
                // A failed query is the rule's error state, not the server's.
                let result = self
                    .client
                    .query(&r.query)
                    .await
                    .and_then(|a| rule_result(a.data));
                results.push((r.rule.clone(), result));
            }
            updates.push(Update::RuleResults {
                target: self.name.clone(),
                at: unix_now(),
                results,
            });
        }
        match self.client.alerts().await {
            Ok(alerts) => updates.push(Update::ExternalAlerts {
                source: self.name.clone(),
                alerts: alerts
                    .iter()
                    .map(|a| crate::alert::ExternalAlert::new(alert_view(a)))
                    .collect(),
            }),
            Err(e) => failed.push(format!("alerts: {e}")),
        }
        match self.client.rules().await {
            Ok(groups) => updates.push(Update::PromRules {
                source: self.name.clone(),
                rules: crate::prometheus::PromRuleRow::from_groups(&self.name, &groups),
            }),
            Err(e) => failed.push(format!("rules: {e}")),
        }
        // A broken panel query is the config's fault, not the server's: say so,
        // and keep the panels that work.
        let health = if failed.is_empty() {
            Health::Ok
        } else {
            Health::Degraded {
                reason: failed.join("; "),
                since: at,
                retry_in: std::time::Duration::ZERO,
            }
        };
        updates.insert(
            0,
            Update::Series {
                target: self.name.clone(),
                at,
                series,
                health,
            },
        );
        Ok(updates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn sample(labels: &[(&str, &str)], value: f64) -> Sample {
        Sample {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            at: 0.0,
            value,
        }
    }

    #[test]
    fn one_series_is_the_panel_several_are_labelled() {
        assert_eq!(
            panel_series("p95", &[sample(&[], 2.0)]),
            vec![("panel:p95".into(), 2.0)]
        );
        let s = panel_series("rps", &[sample(&[("route", "/")], 1.0), sample(&[], 3.0)]);
        assert_eq!(s[0].0, "panel:rps:{route=\"/\"}");
        assert_eq!(s[1].0, "panel:rps:{}");
    }
}
