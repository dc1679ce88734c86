//! A Prometheus's own alerting rules (`/api/v1/rules`), as the console lists them.

use serde::Serialize;

/// One alerting rule a Prometheus evaluates (`/api/v1/rules`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PromRuleRow {
    /// The Prometheus's configured name.
    pub source: String,
    pub group: String,
    pub name: String,
    pub query: String,
    /// inactive, pending or firing.
    pub state: String,
    /// ok, err or unknown.
    pub health: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub severity: crate::model::Severity,
    /// Seconds the condition must hold (`for`).
    pub for_secs: f64,
    pub runbook: Option<crate::alert::RunbookRef>,
    /// The local runbook its `runbook_url` maps to.
    pub runbook_id: Option<String>,
}

impl PromRuleRow {
    /// The alerting rules of one `/api/v1/rules` answer (recording rules left out).
    pub fn from_groups(source: &str, groups: &[super::RuleGroup]) -> Vec<PromRuleRow> {
        groups
            .iter()
            .flat_map(|g| g.rules.iter().map(move |r| (g, r)))
            .filter(|(_, r)| r.kind == "alerting")
            .map(|(g, r)| PromRuleRow {
                source: source.to_string(),
                group: g.name.clone(),
                name: r.name.clone(),
                query: r.query.clone(),
                state: r.state.clone().unwrap_or_else(|| "inactive".into()),
                health: if r.health.is_empty() {
                    "unknown".into()
                } else {
                    r.health.clone()
                },
                last_error: r.last_error.clone().filter(|e| !e.is_empty()),
                severity: crate::model::Severity::of_labels(&r.labels),
                for_secs: r.duration,
                runbook: crate::alert::RunbookRef::from_annotations(&r.annotations),
                runbook_id: None,
            })
            .collect()
    }
}
