//! The numbers a run's checks read (metric and PromQL values, each poll of a
//! `wait` included), as series for the report's sparklines. Read back from
//! the timeline, so a resumed run's report covers both halves.

use crate::runbook::spec::Check;
use crate::runbook::timeline::{Entry, TimelineEntry};
use std::collections::BTreeMap;

pub fn series(entries: &[TimelineEntry]) -> Vec<(String, Vec<f64>)> {
    // The series each step is reading now; a step may be re-entered with a new one.
    let mut reading: BTreeMap<String, String> = BTreeMap::new();
    let mut out: Vec<(String, Vec<f64>)> = Vec::new();
    for e in entries {
        let Some(step) = &e.step else { continue };
        let value = match &e.event {
            Entry::CheckRequested { check } => {
                match name(check) {
                    Some(n) => reading.insert(step.clone(), n),
                    None => reading.remove(step),
                };
                continue;
            }
            Entry::Polled { value, .. } | Entry::StepFinished { value, .. } => value,
            _ => continue,
        };
        let (Some(name), Some(v)) = (reading.get(step), value.as_f64()) else {
            continue;
        };
        match out.iter_mut().find(|(n, _)| n == name) {
            Some((_, values)) => values.push(v),
            None => out.push((name.clone(), vec![v])),
        }
    }
    out
}

fn name(check: &Check) -> Option<String> {
    match check {
        Check::Metric(m) => Some(m.series.clone()),
        Check::Promql(p) => Some(format!("promql: {}", p.query)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::spec::check::{MetricCheck, ProbeCheck};
    use crate::runbook::status::StepState;
    use serde_json::json;

    fn at(step: &str, event: Entry) -> TimelineEntry {
        TimelineEntry::new("2026-01-01T10:00:00Z", Some(step), event)
    }

    #[test]
    fn metric_polls_and_results_become_one_series_and_probes_none() {
        let metric = Check::Metric(MetricCheck {
            series: "probe:site:error_ratio".into(),
            expect: "value < 0.01".into(),
        });
        let probe = Check::Probe(ProbeCheck {
            url: "http://x/health".into(),
            timeout: None,
            expect_status: None,
            expect_body: None,
        });
        let polled = |v: f64| Entry::Polled {
            value: json!(v),
            output: String::new(),
        };
        let finished = |v: serde_json::Value| Entry::StepFinished {
            status: StepState::Passed,
            value: v,
            output: String::new(),
        };
        let entries = vec![
            at("p", Entry::CheckRequested { check: probe }),
            at("p", finished(json!(200))),
            at(
                "e",
                Entry::CheckRequested {
                    check: metric.clone(),
                },
            ),
            at("e", polled(1.0)),
            at("e", polled(0.5)),
            at("e", finished(json!(0.0))),
            at("again", Entry::CheckRequested { check: metric }),
            at("again", finished(serde_json::Value::Null)),
        ];
        assert_eq!(
            series(&entries),
            vec![("probe:site:error_ratio".to_string(), vec![1.0, 0.5, 0.0])]
        );
    }
}
