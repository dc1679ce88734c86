//! The automated reads a `check` or `wait` step can make. The same types
//! hold both the templated form (from the file) and the resolved form (sent
//! to the runner), since resolving only rewrites strings.

use crate::base::duration;
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Check {
    Probe(ProbeCheck),
    Promql(PromqlCheck),
    Workload(WorkloadCheck),
    Metric(MetricCheck),
    Sql(SqlCheck),
    RecentDeploy(RecentDeployCheck),
}

/// An HTTP GET; passes on the expected status (any 2xx when unset) and,
/// when set, a body containing `expect_body`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeCheck {
    pub url: String,
    #[serde(
        default,
        with = "duration::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub timeout: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_body: Option<String>,
}

/// An instant PromQL query; `expect` is judged against the first sample as `value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromqlCheck {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<String>,
    pub query: String,
    pub expect: String,
}

/// Replica state of a workload; `expect` sees `ready`, `desired`, `running`, `updated`, `image`,
/// and `hpa_min`, `hpa_max`, `hpa_desired` (none without an autoscaler).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadCheck {
    pub workload: String,
    pub expect: String,
    /// Which of those names is the step's value (default `ready`):
    /// `hpa_max` for the autoscaler's ceiling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// The latest sample of a series in opsdeck's own store (see "Series names").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricCheck {
    pub series: String,
    pub expect: String,
}

/// A read-only SQL query; `expect` sees `rows` (count) and `value` (first cell).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlCheck {
    pub target: String,
    pub query: String,
    pub expect: String,
}

/// Passes when the workload was deployed (its revision changed) within `within`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecentDeployCheck {
    pub workload: String,
    #[serde(with = "duration")]
    pub within: Duration,
}

impl Check {
    pub fn source_name(&self) -> &'static str {
        match self {
            Check::Probe(_) => "probe",
            Check::Promql(_) => "promql",
            Check::Workload(_) => "workload",
            Check::Metric(_) => "metric",
            Check::Sql(_) => "sql",
            Check::RecentDeploy(_) => "recent_deploy",
        }
    }

    /// Every templated string with the name of its field, for lint and resolving.
    pub fn strings(&self) -> Vec<(&'static str, &str)> {
        match self {
            Check::Probe(p) => {
                let mut v = vec![("url", p.url.as_str())];
                if let Some(b) = &p.expect_body {
                    v.push(("expect_body", b));
                }
                v
            }
            Check::Promql(p) => vec![("query", &p.query), ("expect", &p.expect)],
            Check::Workload(w) => vec![("workload", &w.workload), ("expect", &w.expect)],
            Check::Metric(m) => vec![("series", &m.series), ("expect", &m.expect)],
            Check::Sql(s) => vec![("query", &s.query), ("expect", &s.expect)],
            Check::RecentDeploy(r) => vec![("workload", &r.workload)],
        }
    }

    /// The `expect` expression, where the source has one.
    pub fn expect(&self) -> Option<&str> {
        match self {
            Check::Promql(p) => Some(&p.expect),
            Check::Workload(w) => Some(&w.expect),
            Check::Metric(m) => Some(&m.expect),
            Check::Sql(s) => Some(&s.expect),
            Check::Probe(_) | Check::RecentDeploy(_) => None,
        }
    }

    /// A copy with every templated string passed through `render`.
    pub fn render<E>(&self, render: &mut dyn FnMut(&str) -> Result<String, E>) -> Result<Check, E> {
        Ok(match self {
            Check::Probe(p) => Check::Probe(ProbeCheck {
                url: render(&p.url)?,
                expect_body: p.expect_body.as_deref().map(&mut *render).transpose()?,
                ..p.clone()
            }),
            Check::Promql(p) => Check::Promql(PromqlCheck {
                prometheus: p.prometheus.clone(),
                query: render(&p.query)?,
                expect: render(&p.expect)?,
            }),
            Check::Workload(w) => Check::Workload(WorkloadCheck {
                workload: render(&w.workload)?,
                expect: render(&w.expect)?,
                value: w.value.clone(),
            }),
            Check::Metric(m) => Check::Metric(MetricCheck {
                series: render(&m.series)?,
                expect: render(&m.expect)?,
            }),
            Check::Sql(s) => Check::Sql(SqlCheck {
                target: render(&s.target)?,
                query: render(&s.query)?,
                expect: render(&s.expect)?,
            }),
            Check::RecentDeploy(r) => Check::RecentDeploy(RecentDeployCheck {
                workload: render(&r.workload)?,
                within: r.within,
            }),
        })
    }

    /// One line for step lists and reports.
    pub fn describe(&self) -> String {
        match self {
            Check::Probe(p) => format!("GET {}", p.url),
            Check::Promql(p) => format!("PromQL {} expecting {}", p.query, p.expect),
            Check::Workload(w) => format!("workload {} expecting {}", w.workload, w.expect),
            Check::Metric(m) => format!("series {} expecting {}", m.series, m.expect),
            Check::Sql(s) => format!("SQL on {} expecting {}", s.target, s.expect),
            Check::RecentDeploy(r) => format!(
                "deploy of {} within {}",
                r.workload,
                duration::format(r.within)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upper(s: &str) -> Result<String, String> {
        Ok(s.to_uppercase())
    }

    #[test]
    fn render_rewrites_every_templated_string() {
        let c = Check::Sql(SqlCheck {
            target: "db".into(),
            query: "q".into(),
            expect: "e".into(),
        });
        let r = c.render(&mut upper).unwrap();
        assert_eq!(r.strings(), vec![("query", "Q"), ("expect", "E")]);
        let Check::Sql(s) = r else { panic!() };
        assert_eq!(s.target, "DB");
    }

    #[test]
    fn render_keeps_literal_fields() {
        let c = Check::Probe(ProbeCheck {
            url: "u".into(),
            timeout: Some(Duration::from_secs(2)),
            expect_status: Some(204),
            expect_body: Some("ok".into()),
        });
        let Check::Probe(p) = c.render(&mut upper).unwrap() else {
            panic!()
        };
        assert_eq!(
            (p.url.as_str(), p.expect_body.as_deref()),
            ("U", Some("OK"))
        );
        assert_eq!(
            (p.timeout, p.expect_status),
            (Some(Duration::from_secs(2)), Some(204))
        );
    }

    #[test]
    fn render_stops_at_the_first_error() {
        let c = Check::Metric(MetricCheck {
            series: "s".into(),
            expect: "e".into(),
        });
        let err = c
            .render(&mut |_: &str| Err::<String, _>("bad"))
            .unwrap_err();
        assert_eq!(err, "bad");
    }

    #[test]
    fn serializes_with_a_source_tag_and_readable_durations() {
        let c = Check::RecentDeploy(RecentDeployCheck {
            workload: "local/shop/api".into(),
            within: Duration::from_secs(3600),
        });
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(
            json,
            r#"{"source":"recent_deploy","workload":"local/shop/api","within":"1h"}"#
        );
        assert_eq!(serde_json::from_str::<Check>(&json).unwrap(), c);
        assert!(c.describe().contains("within 1h"));
        assert_eq!(c.expect(), None);
        assert_eq!(c.source_name(), "recent_deploy");
    }
}
