//! Pure converters from Prometheus answers to the alert model: a rule query's
//! result for `AlertEngine::ingest_promql`, and `/api/v1/alerts` entries shown
//! beside opsdeck's own alerts.

use crate::alert::{AlertState, AlertView, PromResult, RunbookRef};
use crate::model::Severity;
use crate::prometheus::{PromAlert, Value};

/// An instant vector, or a scalar as one unlabelled sample. The metric name
/// is dropped from each series, as Prometheus drops it from an alert's labels.
pub fn rule_result(value: Value) -> PromResult {
    match value {
        Value::Vector(samples) => Ok(samples
            .into_iter()
            .map(|mut s| {
                s.labels.remove("__name__");
                (s.labels, s.value)
            })
            .collect()),
        Value::Scalar { value, .. } => Ok(vec![(Default::default(), value)]),
        Value::Matrix(_) | Value::String { .. } => {
            Err("an alert query must give an instant vector or a scalar".into())
        }
    }
}

/// One alert as Prometheus reports it. Its `severity` label sets the severity
/// (warning when absent or unknown, the common default); `runbook_url` is
/// kept as a URL for the model to map onto a local runbook.
pub fn alert_view(a: &PromAlert) -> AlertView {
    let mut labels = a.labels.clone();
    let rule = labels.remove("alertname").unwrap_or_default();
    let severity = Severity::of_labels(&labels);
    let state = match a.state.as_str() {
        "firing" => AlertState::Firing,
        "pending" => AlertState::Pending,
        _ => AlertState::Inactive,
    };
    let since = a
        .active_at
        .as_deref()
        .and_then(crate::base::time::unix_seconds)
        .unwrap_or(0.0);
    AlertView {
        rule,
        series: crate::alert::labels_key(&labels),
        labels,
        annotations: a.annotations.clone(),
        notes: Vec::new(),
        state,
        severity,
        value: a.value.trim().parse::<f64>().ok(),
        threshold: None,
        since,
        active_since: Some(since),
        runbook: RunbookRef::from_annotations(&a.annotations),
        message: None,
        flapping: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_results_drop_the_metric_name() {
        let body = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"node"},"value":[1,"0"]}]}}"#;
        let v = crate::prometheus::decode_value(200, body).unwrap().data;
        let samples = rule_result(v).unwrap();
        assert_eq!(
            samples[0].0,
            [("job".to_string(), "node".to_string())].into()
        );
    }

    /// An `/api/v1/alerts` answer captured from Prometheus 2.42 (Debian) running
    /// tests/fixtures/prometheus/alerts-capture-rules.yml: one firing, one pending.
    const CAPTURED: &str = include_str!("../../tests/fixtures/prometheus/alerts.json");

    fn captured() -> Vec<PromAlert> {
        let v: serde_json::Value = serde_json::from_str(CAPTURED).unwrap();
        serde_json::from_value(v["data"]["alerts"].clone()).unwrap()
    }

    #[test]
    fn a_firing_alert_keeps_labels_severity_age_and_runbook_url() {
        let alerts = captured();
        let firing = alerts
            .iter()
            .find(|a| a.state == "firing")
            .expect("a firing alert");
        let v = alert_view(firing);
        assert_eq!(v.rule, "DemoErrors");
        assert_eq!(v.state, AlertState::Firing);
        assert_eq!(v.severity, Severity::Critical);
        assert!(!v.labels.contains_key("alertname"), "{:?}", v.labels);
        assert!(v.since > 1.7e9, "{}", v.since);
        assert!(v.value.is_some_and(|x| x > 0.0), "{:?}", v.value);
        match &v.runbook {
            Some(RunbookRef::Url(u)) => assert!(u.ends_with("site-down"), "{u}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_severity_is_a_warning_and_scalars_are_one_sample() {
        let mut a = captured().remove(0);
        a.labels.insert("severity".into(), "sev9".into());
        assert_eq!(alert_view(&a).severity, Severity::Warning);
        let r = rule_result(Value::Scalar {
            at: 1.0,
            value: 3.0,
        })
        .unwrap();
        assert_eq!(r, vec![(Default::default(), 3.0)]);
    }
}
