//! Pass or fail for a check, from what the runner observed. Runners do the
//! I/O and hand the raw facts here, so every verdict rule is pure and tested.

use super::expr::{self, Scope};
use super::spec::check::Check;
use crate::base::duration;
use serde_json::{json, Value};
use std::time::Duration;

/// What a runner observed for a check.
#[derive(Debug, Clone, PartialEq)]
pub enum Facts {
    Probe {
        status: Option<u16>,
        body: String,
        error: Option<String>,
        latency: Duration,
    },
    /// A PromQL sample or the latest point of a series; `None` when there is no data.
    Number(Option<f64>),
    Workload {
        ready: u32,
        desired: u32,
        running: u32,
        /// Replicas already on the workload's current spec: a Kubernetes
        /// rollout's up-to-date count; elsewhere every running replica.
        updated: u32,
        image: String,
        /// The HorizontalPodAutoscaler that sets its replicas, when one does.
        autoscaler: Option<Bounds>,
    },
    Rows {
        columns: Vec<String>,
        rows: Vec<Vec<Value>>,
    },
    /// The last deploy of the workload, if opsdeck knows of one.
    LastDeploy(Option<Deploy>),
    /// The source could not be read at all (not configured, unreachable).
    Unavailable(String),
}

/// An autoscaler's bounds and the replicas it wants now (None before it reported).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub min: u32,
    pub max: u32,
    pub desired: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Deploy {
    pub age: Duration,
    pub revision: String,
    /// Whether a revision before it is on record, to roll back to.
    pub has_previous: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub passed: bool,
    /// Nothing was read (the source is unreachable or unknown, there is no
    /// data, the expectation cannot be judged): neither a pass nor a fail.
    pub inconclusive: bool,
    pub value: Value,
    pub output: String,
}

/// Rows shown in a check's output; more would drown the step detail.
const MAX_ROWS_SHOWN: usize = 10;

pub fn judge(check: &Check, facts: &Facts) -> Verdict {
    match (check, facts) {
        (_, Facts::Unavailable(why)) => unread(why.clone()),
        (
            Check::Probe(p),
            Facts::Probe {
                status,
                body,
                error,
                latency,
            },
        ) => {
            let ms = latency.as_millis();
            match (error, status) {
                (Some(e), _) => fail(Value::Null, format!("{e} after {ms} ms")),
                (None, None) => fail(Value::Null, format!("no response after {ms} ms")),
                (None, Some(code)) => {
                    let status_ok = p
                        .expect_status
                        .map_or((200..300).contains(code), |e| e == *code);
                    let body_ok = p.expect_body.as_deref().is_none_or(|b| body.contains(b));
                    let mut output = format!("HTTP {code} in {ms} ms");
                    if let (Some(e), false) = (p.expect_status, status_ok) {
                        output.push_str(&format!(", expected {e}"));
                    }
                    if let (Some(b), false) = (&p.expect_body, body_ok) {
                        output.push_str(&format!(", body lacks `{b}`"));
                    }
                    Verdict {
                        passed: status_ok && body_ok,
                        inconclusive: false,
                        value: json!(code),
                        output,
                    }
                }
            }
        }
        (Check::Promql(_) | Check::Metric(_), Facts::Number(None)) => unread("no data".into()),
        (Check::Promql(_) | Check::Metric(_), Facts::Number(Some(v))) => {
            let expect = check.expect().unwrap_or_default();
            expect_verdict(
                expect,
                json!({ "value": v }),
                json!(v),
                format!("value = {}", fmt_num(*v)),
            )
        }
        (
            Check::Workload(w),
            Facts::Workload {
                ready,
                desired,
                running,
                updated,
                image,
                autoscaler,
            },
        ) => {
            let scope = json!({ "ready": ready, "desired": desired, "running": running, "updated": updated, "image": image,
                "hpa_min": autoscaler.map(|a| a.min), "hpa_max": autoscaler.map(|a| a.max),
                "hpa_desired": autoscaler.and_then(|a| a.desired) });
            let mut output = if updated == running {
                format!("{ready}/{desired} ready, {running} running, image {image}")
            } else {
                format!("{ready}/{desired} ready, {running} running, {updated} on the new revision, image {image}")
            };
            if let Some(a) = autoscaler {
                output.push_str(&format!(", autoscaler {}–{}", a.min, a.max));
                if let Some(d) = a.desired {
                    output.push_str(&format!(" wants {d}"));
                }
            }
            let value = match w.value.as_deref().map(str::trim) {
                None => json!(ready),
                Some(name) => match scope.get(name) {
                    Some(v) => v.clone(),
                    None => {
                        return unread(format!("{output}; `value = \"{name}\"` names no reading"))
                    }
                },
            };
            expect_verdict(&w.expect, scope, value, output)
        }
        (Check::Sql(s), Facts::Rows { columns, rows }) => {
            let first = rows
                .first()
                .and_then(|r| r.first())
                .cloned()
                .unwrap_or(Value::Null);
            let row: serde_json::Map<String, Value> = columns
                .iter()
                .cloned()
                .zip(rows.first().cloned().unwrap_or_default())
                .collect();
            let scope = json!({ "rows": rows.len(), "value": first, "row": row });
            expect_verdict(&s.expect, scope, first.clone(), table(columns, rows))
        }
        (Check::RecentDeploy(r), Facts::LastDeploy(last)) => {
            let within = duration::format(r.within);
            match last {
                // A deploy with nothing before it is no suspect a rollback
                // can answer: passing would send the run to a rollback
                // that cannot be planned.
                Some(d) if d.age <= r.within && !d.has_previous => fail(
                    json!(d.age.as_secs()),
                    format!(
                        "revision {} deployed {} ago, but no revision before it is on record: nothing to roll back to",
                        d.revision,
                        duration::format(round(d.age))
                    ),
                ),
                Some(d) if d.age <= r.within => Verdict {
                    passed: true,
                    inconclusive: false,
                    value: json!(d.age.as_secs()),
                    output: format!(
                        "revision {} deployed {} ago",
                        d.revision,
                        duration::format(round(d.age))
                    ),
                },
                Some(d) => fail(
                    json!(d.age.as_secs()),
                    format!(
                        "no deploy in the last {within} (last: revision {}, {} ago)",
                        d.revision,
                        duration::format(round(d.age))
                    ),
                ),
                None => fail(
                    Value::Null,
                    format!("no deploy on record in the last {within}"),
                ),
            }
        }
        (check, facts) => unread(format!(
            "internal: a {} check got facts of another kind ({facts:?})",
            check.source_name()
        )),
    }
}

fn fail(value: Value, output: String) -> Verdict {
    Verdict {
        passed: false,
        inconclusive: false,
        value,
        output,
    }
}

/// Nothing was read, so nothing can be concluded.
pub fn unread(output: String) -> Verdict {
    Verdict {
        passed: false,
        inconclusive: true,
        value: Value::Null,
        output,
    }
}

/// `"< 0.5"` is short for `"value < 0.5"`.
pub fn expect_expr(expect: &str) -> String {
    let t = expect.trim_start();
    if ["<", ">", "==", "!="].iter().any(|op| t.starts_with(op)) {
        format!("value {t}")
    } else {
        t.to_string()
    }
}

/// `observed` may carry a table below its first line; the verdict's note
/// goes on that first line so it stays visible in one-line views.
fn expect_verdict(expect: &str, scope: Value, value: Value, observed: String) -> Verdict {
    let (head, rest) = match observed.split_once('\n') {
        Some((h, r)) => (h, format!("\n{r}")),
        None => (observed.as_str(), String::new()),
    };
    let expect = expect.trim();
    match expr::eval_bool(&expect_expr(expect), &Scope::from_json(&scope)) {
        Ok(passed) => Verdict {
            passed,
            inconclusive: false,
            value,
            output: format!("{head} (expect {expect}){rest}"),
        },
        Err(e) => Verdict {
            value,
            ..unread(format!("{head}; cannot judge `{expect}`: {e}{rest}"))
        },
    }
}

fn round(d: Duration) -> Duration {
    Duration::from_secs(d.as_secs())
}

pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.4}").trim_end_matches('0').to_string()
    }
}

fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.replace('\n', " "),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

fn table(columns: &[String], rows: &[Vec<Value>]) -> String {
    let mut out = format!("{} row(s)", rows.len());
    if rows.is_empty() {
        return out;
    }
    out.push('\n');
    out.push_str(&columns.join(" | "));
    for row in rows.iter().take(MAX_ROWS_SHOWN) {
        let cells: Vec<String> = row.iter().map(cell).collect();
        out.push('\n');
        out.push_str(&cells.join(" | "));
    }
    if rows.len() > MAX_ROWS_SHOWN {
        out.push_str(&format!("\n... {} more", rows.len() - MAX_ROWS_SHOWN));
    }
    out
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
