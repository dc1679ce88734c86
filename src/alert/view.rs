//! What the rest of opsdeck sees of the engine: alerts to display and the
//! transitions to record in the timeline.

use super::runbook_ref::RunbookRef;
use super::state::AlertState;
use crate::model::Severity;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// One alert instance, for the alerts view, `opsdeck alerts` and `status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertView {
    pub rule: String,
    /// The series name, the PromQL result's label set `{a="b"}`, or empty
    /// for a PromQL rule as a whole (its query failed or returned nothing).
    pub series: String,
    /// Labels from the series (`series`, `probe`, `workload`, `mount`, ... or
    /// the PromQL result's labels) overlaid with the rule's labels.
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// What could not be expanded in the annotations, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub state: AlertState,
    pub severity: Severity,
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    /// When the current state was entered (unix seconds).
    pub since: f64,
    /// When this episode began, pending included; the alert's age.
    pub active_since: Option<f64>,
    pub runbook: Option<RunbookRef>,
    /// The error of a failed PromQL query.
    pub message: Option<String>,
    pub flapping: bool,
}

impl AlertView {
    /// When this alert started to matter: its episode, else its state.
    pub fn started(&self) -> f64 {
        self.active_since.unwrap_or(self.since)
    }
}

/// One recorded state change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transition {
    pub rule: String,
    pub series: String,
    pub labels: BTreeMap<String, String>,
    pub from: AlertState,
    pub to: AlertState,
    pub severity: Severity,
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    /// Unix seconds.
    pub at: f64,
    pub reason: String,
    /// Emitted as an instance started flapping; later changes are held back.
    pub flapping: bool,
}

/// Worst first; within a severity, what needs action (firing) before what
/// may (pending), before what hides information (error, no-data), before
/// what is over (resolved); then oldest first, as the longest-burning alert
/// is the one to look at.
pub fn display_order(a: &AlertView, b: &AlertView) -> Ordering {
    b.severity
        .cmp(&a.severity)
        .then_with(|| state_rank(a.state).cmp(&state_rank(b.state)))
        .then_with(|| a.started().total_cmp(&b.started()))
        .then_with(|| a.rule.cmp(&b.rule))
        .then_with(|| a.series.cmp(&b.series))
}

/// Firing first: how far along an alert is, for ordering and for keeping the
/// most advanced of several copies.
pub fn state_rank(state: AlertState) -> u8 {
    match state {
        AlertState::Firing => 0,
        AlertState::Pending => 1,
        AlertState::Error => 2,
        AlertState::NoData => 3,
        AlertState::Resolved => 4,
        AlertState::Inactive => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(rule: &str, severity: Severity, state: AlertState, started: f64) -> AlertView {
        AlertView {
            rule: rule.into(),
            series: String::new(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            notes: Vec::new(),
            state,
            severity,
            value: None,
            threshold: None,
            since: started + 5.0,
            active_since: Some(started),
            runbook: None,
            message: None,
            flapping: false,
        }
    }

    #[test]
    fn orders_by_severity_then_state_then_age() {
        let mut list = [
            view("warn-new", Severity::Warning, AlertState::Firing, 50.0),
            view(
                "crit-resolved",
                Severity::Critical,
                AlertState::Resolved,
                0.0,
            ),
            view("warn-old", Severity::Warning, AlertState::Firing, 10.0),
            view("crit-pending", Severity::Critical, AlertState::Pending, 5.0),
            view("crit-firing", Severity::Critical, AlertState::Firing, 40.0),
            view("info", Severity::Info, AlertState::Firing, 0.0),
            view("crit-nodata", Severity::Critical, AlertState::NoData, 0.0),
            view("crit-error", Severity::Critical, AlertState::Error, 0.0),
        ];
        list.sort_by(display_order);
        let names: Vec<&str> = list.iter().map(|v| v.rule.as_str()).collect();
        assert_eq!(
            names,
            [
                "crit-firing",
                "crit-pending",
                "crit-error",
                "crit-nodata",
                "crit-resolved",
                "warn-old",
                "warn-new",
                "info"
            ]
        );
    }

    #[test]
    fn age_falls_back_to_since() {
        let mut v = view("a", Severity::Warning, AlertState::NoData, 0.0);
        v.active_since = None;
        assert_eq!(v.started(), 5.0);
    }

    #[test]
    fn serializes_for_json_output() {
        let v = view("a", Severity::Critical, AlertState::NoData, 1.0);
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["state"], "no-data");
        assert_eq!(json["severity"], "critical");
        let mut with_runbook = v.clone();
        with_runbook.runbook = Some(RunbookRef::Id("site-down".into()));
        let json = serde_json::to_value(&with_runbook).unwrap();
        assert_eq!(json["runbook"]["id"], "site-down");
    }
}
