//! What saturated first, judged the way the degraded-performance runbook
//! judges it: its own checks (their series, `expect` and `when`, with its
//! params' defaults) are evaluated over a stage's readings instead of the
//! live Model, then its `bottleneck` branch picks the way out, named by the
//! title of the step it goes to. Change the runbook and this judgement
//! follows. Pure.

use super::infra::StageInfra;
use super::verdict::StageRow;
use crate::runbook::expr::{self, Scope};
use crate::runbook::judge::expect_expr;
use crate::runbook::spec::{Check, Runbook, StepBody};
use serde::Serialize;
use serde_json::{json, Map, Value};

/// The runbook whose judgement is used.
pub const RUNBOOK: &str = "degraded-performance";
/// The branch step that names the bottleneck.
const BRANCH: &str = "bottleneck";
/// What the latency step reads here: the stage's p95, judged by the stage's thresholds.
const LATENCY_SIGNAL: &str = "capacity:p95";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bottleneck {
    /// The step the runbook's branch goes to (`scale_up`, `database`, ...).
    pub step: String,
    /// Its title: `CPU-bound: scale out`.
    pub title: String,
    /// The readings the judgement saw: `local/_/api CPU 97 % of its limit, ...`.
    pub readings: String,
}

/// The series a stage's readings stand in for. With a CPU limit, `cpu` is
/// the percent of the limit (what the workload may use), so the runbook's
/// `cpu_high` applies to it; memory is the share of the workload's limit in
/// place of the host's.
fn series(row: &StageRow, infra: &StageInfra, workload: &str) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(f) = &row.figures {
        out.insert(LATENCY_SIGNAL.into(), json!(f.latency.p95 / 1000.0));
    }
    if let Some(w) = infra.workload.as_ref().and_then(|p| p.read()) {
        let cpu = w.cpu_of_limit().map_or(w.cpu_percent, |r| r * 100.0);
        out.insert(format!("workload:{workload}:cpu"), json!(cpu));
        if let Some(m) = w.mem_of_limit() {
            out.insert("host:mem_used_ratio".into(), json!(m));
        }
    }
    for (name, peak) in &infra.databases {
        if let Some(d) = peak.read() {
            out.insert(
                format!("postgres:{name}:connections_ratio"),
                json!(d.connections_ratio()),
            );
            out.insert(
                format!("postgres:{name}:longest_query_seconds"),
                json!(d.longest_query_secs),
            );
        }
    }
    out
}

/// The judgement on a failed stage; None when the runbook has no
/// `bottleneck` branch or the stage has no readings beside it.
pub fn judge(rb: &Runbook, row: &StageRow, infra: &StageInfra) -> Option<Bottleneck> {
    let workload = infra
        .workload
        .as_ref()
        .and_then(|p| p.read())
        .map(|w| w.name.clone())
        .unwrap_or_default();
    let db = infra
        .databases
        .iter()
        .find(|(_, p)| p.read().is_some())
        .map(|(n, _)| n.clone())
        .unwrap_or_default();
    let mut params: Map<String, Value> = rb
        .params
        .iter()
        .map(|(k, p)| (k.clone(), p.default.clone().unwrap_or(Value::Null)))
        .collect();
    params.insert("workload".into(), json!(workload));
    params.insert("signal".into(), json!(LATENCY_SIGNAL));
    params.insert("db".into(), json!(db));
    let readings = series(row, infra, &workload);
    let mut steps = Map::new();
    let mut branch = None;
    for step in &rb.steps {
        let scope = Scope::from_json(&json!({ "params": params, "steps": steps }));
        if let StepBody::Branch { cases, default } = &step.body {
            if step.id == BRANCH {
                branch = Some((cases.clone(), default.clone(), scope));
                break;
            }
            continue;
        }
        let StepBody::Check(check) = &step.body else {
            continue;
        };
        let applies = step
            .when
            .as_deref()
            .is_none_or(|w| expr::eval_bool(w, &scope).unwrap_or(false));
        let (status, value) = if applies {
            check_status(check, &scope, &readings, row.passed())
        } else {
            ("skipped", Value::Null)
        };
        steps.insert(
            step.id.clone(),
            json!({ "status": status, "value": value, "output": "" }),
        );
    }
    let (cases, default, scope) = branch?;
    let goto = cases
        .iter()
        .find(|c| expr::eval_bool(&c.when, &scope).unwrap_or(false))
        .map(|c| c.goto.clone())
        .or(default)?;
    let title = rb
        .steps
        .iter()
        .find(|s| s.id == goto)
        .map_or_else(|| goto.clone(), |s| s.title.clone());
    Some(Bottleneck {
        step: goto,
        title,
        readings: super::table::infra_text(infra),
    })
}

/// The run's bottleneck in a sentence, for the report (`markdown`: the title
/// in bold, the runbook as code) and the console's view (plain), or why none
/// can be named.
pub fn sentence(rows: &[StageRow], markdown: bool) -> String {
    if let Some((r, b)) = rows
        .iter()
        .find_map(|r| r.bottleneck.as_ref().map(|b| (r, b)))
    {
        let (title, runbook) = if markdown {
            (format!("**{}**", b.title), format!("`{RUNBOOK}`"))
        } else {
            (b.title.clone(), RUNBOOK.to_string())
        };
        return format!(
            "At {}: {} → {title} (the judgement of the {runbook} runbook).\n",
            r.stage.label(),
            b.readings,
        );
    }
    let postgres = if markdown {
        "`[[postgres]]`"
    } else {
        "[[postgres]]"
    };
    if rows.iter().all(|r| r.infra.is_none()) {
        return format!("Nothing was read beside the stages (no workload named or found behind the URL, no {postgres} target), so no bottleneck can be named.\n");
    }
    if rows.iter().all(StageRow::passed) {
        return "No stage failed; the peaks beside each stage are in its table.\n".into();
    }
    "A stage failed without readings to judge it by.\n".into()
}

/// A check's status over the stage's readings: a series the stage has no
/// reading for is inconclusive, as in a run.
fn check_status(
    check: &Check,
    scope: &Scope,
    readings: &Map<String, Value>,
    stage_passed: bool,
) -> (&'static str, Value) {
    let judged = |expect: &str, vars: Value, value: Value| {
        let expect = match expr::render(expect, scope) {
            Ok(e) => e,
            Err(_) => return ("inconclusive", value),
        };
        match expr::eval_bool(&expect_expr(&expect), &Scope::from_json(&vars)) {
            Ok(true) => ("passed", value),
            Ok(false) => ("failed", value),
            Err(_) => ("inconclusive", value),
        }
    };
    match check {
        Check::Metric(m) => {
            let Ok(series) = expr::render(&m.series, scope) else {
                return ("inconclusive", Value::Null);
            };
            let Some(v) = readings.get(&series).cloned() else {
                return ("inconclusive", Value::Null);
            };
            if series == LATENCY_SIGNAL {
                // The stage's own thresholds judged its latency.
                return (if stage_passed { "passed" } else { "failed" }, v);
            }
            judged(&m.expect, json!({ "value": v }), v.clone())
        }
        // Docker workloads have no autoscaler; replica counts are not read here.
        Check::Workload(w) => {
            let vars = json!({ "hpa_min": null, "hpa_max": null, "hpa_desired": null });
            let value = w
                .value
                .as_deref()
                .and_then(|n| vars.get(n.trim()).cloned())
                .unwrap_or(Value::Null);
            judged(&w.expect, vars, value)
        }
        _ => ("inconclusive", Value::Null),
    }
}

#[cfg(test)]
#[path = "bottleneck_tests.rs"]
mod tests;
