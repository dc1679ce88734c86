//! The built-ins must lint clean, and each must walk its main path the way
//! an on-call engineer would see it, driven by a simulated runner.

use super::*;
use crate::runbook::engine::{Effect, Engine, Input, StepPlan};
use crate::runbook::judge::{judge, Deploy, Facts};
use crate::runbook::lint::lint;
use crate::runbook::spec::{Action, Prior};
use crate::runbook::status::{RunMode, RunOutcome};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

#[test]
fn every_builtin_lints_clean() {
    for (name, text) in BUILTIN {
        let errors = lint(Path::new(name), text);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    let ids: Vec<String> = builtin().unwrap().into_iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        [
            "site-down",
            "degraded-performance",
            "database",
            "failed-deploy",
            "node",
            "backup"
        ]
    );
}

/// What the simulated runner saw: steps in the order they started, actions applied.
struct Trace {
    outcome: RunOutcome,
    started: Vec<String>,
    applied: Vec<Action>,
    prompts: Vec<String>,
}

/// Plays the runner: answers checks from `facts`, confirms every action,
/// acknowledges notes, answers inputs, and fires timers in due order.
fn drive(
    id: &str,
    mode: RunMode,
    params: &[(&str, &str)],
    inputs: &[(&str, &str)],
    facts: impl Fn(&str) -> Facts,
) -> Trace {
    let rb = builtin().unwrap().into_iter().find(|r| r.id == id).unwrap();
    let given: BTreeMap<String, String> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let bound = rb.bind_params(&given, &BTreeMap::new()).unwrap();
    let mut engine = Engine::new(rb, bound, BTreeMap::new(), mode);
    let mut queue = vec![Input::Start];
    let mut timers: Vec<(u64, u64)> = Vec::new();
    let mut now = 0u64;
    let mut trace = Trace {
        outcome: RunOutcome::completed(),
        started: vec![],
        applied: vec![],
        prompts: vec![],
    };
    for _ in 0..2000 {
        let event = match queue.pop() {
            Some(e) => e,
            None => {
                let Some(k) = (0..timers.len()).min_by_key(|&k| timers[k].0) else {
                    panic!("stuck: {:?}", trace.started)
                };
                let (due, timer) = timers.remove(k);
                now = now.max(due);
                Input::TimerFired { timer }
            }
        };
        let at = format!("2024-05-01T03:{:02}:{:02}Z", now / 60 % 60, now % 60);
        for effect in engine.handle(&at, event) {
            match effect {
                Effect::RunCheck {
                    step,
                    ticket,
                    check,
                } => queue.push(Input::check_done(
                    &step,
                    ticket,
                    judge(&check, &facts(&step)),
                )),
                Effect::PlanAction {
                    step,
                    ticket,
                    action,
                } => {
                    let prior = Prior {
                        replicas: Some(3),
                        image: Some("api:1".into()),
                        revision: Some("4".into()),
                    };
                    let plan = Ok(StepPlan {
                        text: action.describe(),
                        prior,
                    });
                    queue.push(Input::ActionPlanned { step, ticket, plan });
                }
                Effect::AskConfirm { step, .. } => queue.push(Input::Confirmed { step }),
                Effect::ApplyAction {
                    step,
                    ticket,
                    action,
                } => {
                    trace.applied.push(action);
                    queue.push(Input::ActionDone {
                        step,
                        ticket,
                        ok: true,
                        output: "done".into(),
                    });
                }
                Effect::AskInput {
                    step,
                    prompt,
                    param,
                    ..
                } => {
                    trace.prompts.push(prompt);
                    let value = inputs
                        .iter()
                        .find(|(p, _)| *p == param)
                        .map(|(_, v)| v.to_string())
                        .unwrap();
                    queue.push(Input::InputGiven { step, value });
                }
                Effect::AskAck { step, text } => {
                    trace.prompts.push(text);
                    queue.push(Input::Acked { step });
                }
                Effect::StartTimer { timer, after, .. } => {
                    timers.push((now + after.as_secs(), timer))
                }
                Effect::Halted { .. } => queue.push(Input::Abort),
                Effect::Record(entry) => {
                    if let crate::runbook::timeline::Entry::StepStarted { .. } = entry.event {
                        trace.started.push(entry.step.unwrap());
                    }
                }
                Effect::Finished { outcome } => {
                    trace.outcome = outcome;
                    return trace;
                }
            }
        }
    }
    panic!("the run did not finish: {:?}", trace.started)
}

fn http(status: u16) -> Facts {
    Facts::Probe {
        status: Some(status),
        body: String::new(),
        error: None,
        latency: Duration::from_millis(40),
    }
}

fn workload(ready: u32, desired: u32) -> Facts {
    Facts::Workload {
        ready,
        desired,
        running: desired,
        updated: desired,
        image: "api:2".into(),
        autoscaler: None,
    }
}

fn rows(columns: &[&str], rows: Vec<Vec<serde_json::Value>>) -> Facts {
    Facts::Rows {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows,
    }
}

fn recent_deploy() -> Facts {
    Facts::LastDeploy(Some(Deploy {
        age: Duration::from_secs(600),
        revision: "5".into(),
        has_previous: true,
    }))
}

const W: &str = "local/shop/api";

const URL: &str = "http://127.0.0.1:8080/health";

fn site_down_facts(step: &str) -> Facts {
    match step {
        "probe" => http(503),
        "verify_probe" => http(200),
        "verify_ready" => workload(3, 3),
        "replicas" => workload(0, 3),
        "deployed" => recent_deploy(),
        other => panic!("unexpected check {other}"),
    }
}

#[test]
fn site_down_rolls_back_a_recent_deploy() {
    let t = drive(
        "site-down",
        RunMode::Run,
        &[
            ("workload", W),
            ("health_url", URL),
            ("signal", "probe:site:up"),
        ],
        &[],
        site_down_facts,
    );
    assert_eq!(t.outcome, RunOutcome::completed());
    assert_eq!(
        t.applied,
        [Action::Rollback {
            workload: W.into(),
            to: None
        }]
    );
    let path: Vec<&str> = t.started.iter().map(String::as_str).collect();
    assert_eq!(
        path,
        [
            "probe",
            "probe",
            "probe",
            "errors",
            "decide",
            "replicas",
            "deployed",
            "suspect",
            "rollback",
            "verify_ready",
            "verify_probe",
            "verify_errors",
            "recovered"
        ]
    );
}

#[test]
fn site_down_from_an_error_rate_verifies_against_the_series_that_fired() {
    let t = drive(
        "site-down",
        RunMode::Run,
        &[("workload", W), ("signal", "scrape:api:error_ratio")],
        &[],
        |step| match step {
            // The alert's own series: failing now, fine after the rollback.
            "errors" => Facts::Number(Some(0.4)),
            "verify_errors" => Facts::Number(Some(0.0)),
            "replicas" => workload(2, 2),
            "deployed" => recent_deploy(),
            "verify_ready" => workload(2, 2),
            other => panic!("unexpected check {other}"),
        },
    );
    assert_eq!(t.outcome, RunOutcome::completed());
    assert_eq!(t.applied.len(), 1);
    assert_eq!(t.started.last().unwrap(), "recovered");
    assert!(t.started.contains(&"verify_errors".to_string()));
}

#[test]
fn site_down_restarts_then_escalates_when_nothing_helps() {
    let t = drive(
        "site-down",
        RunMode::Run,
        &[("workload", W), ("health_url", URL), ("db", "main-db")],
        &[],
        |step| match step {
            "probe" | "verify_probe" => http(503),
            "replicas" | "unhealthy" | "verify_ready" => workload(1, 3),
            "deployed" => Facts::LastDeploy(None),
            "dependencies" => Facts::Unavailable("connection refused".into()),
            other => panic!("unexpected check {other}"),
        },
    );
    assert_eq!(t.applied, [Action::Restart { workload: W.into() }]);
    assert!(
        t.started.ends_with(&[
            "restart".into(),
            "verify_ready".into(),
            "not_fixed".into(),
            "dependencies".into(),
            "escalate".into()
        ]),
        "{:?}",
        t.started
    );
    // Escalating is not resolving; the database check could not read.
    let RunOutcome::Unresolved { step, problems } = &t.outcome else {
        panic!("{:?}", t.outcome)
    };
    assert_eq!(step, "escalate");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`dependencies` could not read")),
        "{problems:?}"
    );
    let escalation = t.prompts.last().unwrap();
    assert!(
        escalation.contains("database main-db: connection refused"),
        "{escalation}"
    );
    assert!(
        escalation.contains("recent deploy: no deploy on record"),
        "{escalation}"
    );
}

#[test]
fn site_down_in_plan_mode_changes_nothing() {
    let t = drive(
        "site-down",
        RunMode::Plan,
        &[("workload", W), ("health_url", URL)],
        &[],
        site_down_facts,
    );
    assert_eq!(t.outcome, RunOutcome::planned());
    assert!(t.applied.is_empty());
}

#[test]
fn degraded_performance_scales_out_when_cpu_bound() {
    let t = drive(
        "degraded-performance",
        RunMode::Run,
        &[
            ("workload", W),
            ("signal", "probe:site:latency_p95"),
            ("health_url", URL),
            ("db", "main-db"),
        ],
        &[],
        |step| match step {
            "latency" => Facts::Number(Some(2.3)),
            "verify" => Facts::Number(Some(0.4)),
            "held" => Facts::Number(Some(0.6)),
            "replicas" | "scaled" | "autoscaler" => workload(3, 3),
            "cpu" => Facts::Number(Some(95.0)),
            "memory" => Facts::Number(Some(0.5)),
            "db_connections" => Facts::Number(Some(0.2)),
            "db_slow" => Facts::Number(Some(0.5)),
            other => panic!("unexpected check {other}"),
        },
    );
    assert_eq!(t.outcome, RunOutcome::completed());
    // Scaled out, then verified under 2-3x traffic before calling it recovered.
    assert_eq!(
        t.applied,
        [
            Action::Scale {
                workload: W.into(),
                replicas: 5
            },
            Action::Load {
                url: "http://127.0.0.1:8080/health".into(),
                rate: 50.0,
                duration_secs: 30,
                connections: crate::runbook::spec::action::DEFAULT_LOAD_CONNECTIONS,
            }
        ]
    );
    assert!(
        t.prompts
            .last()
            .unwrap()
            .contains("At 50.0 requests/s: done"),
        "{:?}",
        t.prompts.last()
    );
}

/// A workload an autoscaler holds at `max` (it wants `max` and is there).
fn autoscaled(max: u32) -> Facts {
    Facts::Workload {
        ready: max,
        desired: max,
        running: max,
        updated: max,
        image: "api:2".into(),
        autoscaler: Some(crate::runbook::judge::Bounds {
            min: 1,
            max,
            desired: Some(max),
        }),
    }
}

#[test]
fn degraded_performance_raises_the_autoscalers_max_when_cpu_bound_at_it() {
    let t = drive(
        "degraded-performance",
        RunMode::Run,
        &[("workload", W)],
        &[],
        |step| match step {
            "replicas" | "autoscaler" => autoscaled(3),
            "scaled" => autoscaled(5),
            "cpu" => Facts::Number(Some(270.0)),
            "memory" => Facts::Number(Some(0.5)),
            other => panic!("unexpected check {other}"),
        },
    );
    // Not a scale the autoscaler would undo: its ceiling, raised by the step.
    assert_eq!(
        t.applied,
        [Action::Autoscale {
            workload: W.into(),
            min: None,
            max: Some(5)
        }]
    );
    assert!(t.started.iter().any(|s| s == "scaled"), "{:?}", t.started);
}

#[test]
fn degraded_performance_points_at_the_database() {
    let t = drive(
        "degraded-performance",
        RunMode::Run,
        &[
            ("workload", W),
            ("signal", "probe:site:latency_p95"),
            ("db", "main-db"),
        ],
        &[],
        |step| match step {
            "latency" => Facts::Number(Some(2.3)),
            "replicas" | "autoscaler" => workload(3, 3),
            "cpu" => Facts::Number(Some(30.0)),
            "memory" => Facts::Number(Some(0.5)),
            "db_connections" => Facts::Number(Some(0.97)),
            "db_slow" => Facts::Number(Some(120.0)),
            other => panic!("unexpected check {other}"),
        },
    );
    assert!(t.applied.is_empty());
    assert_eq!(t.started.last().unwrap(), "database");
}

#[test]
fn failed_deploy_rolls_back_verifies_and_freezes() {
    let t = drive(
        "failed-deploy",
        RunMode::Run,
        &[
            ("workload", W),
            ("health_url", URL),
            ("signal", "probe:site:error_ratio"),
        ],
        &[],
        |step| match step {
            "deployed" => recent_deploy(),
            "current_health" => workload(1, 3),
            "probe" => http(500),
            "errors" => Facts::Number(Some(0.2)),
            "rollout" => workload(3, 3),
            "verify" => http(200),
            "verify_errors" => Facts::Number(Some(0.001)),
            other => panic!("unexpected check {other}"),
        },
    );
    assert_eq!(t.outcome, RunOutcome::completed());
    assert_eq!(
        t.applied,
        [Action::Rollback {
            workload: W.into(),
            to: None
        }]
    );
    assert_eq!(t.started.last().unwrap(), "freeze");
}

#[test]
fn failed_deploy_dumps_a_migrated_database_before_it_rolls_back() {
    let t = drive(
        "failed-deploy",
        RunMode::Run,
        &[
            ("workload", W),
            ("health_url", URL),
            ("signal", "probe:site:error_ratio"),
            ("database", "main-db"),
        ],
        &[],
        |step| match step {
            "deployed" => recent_deploy(),
            "current_health" => workload(1, 3),
            "probe" => http(500),
            "errors" => Facts::Number(Some(0.2)),
            "rollout" => workload(3, 3),
            "verify" => http(200),
            "verify_errors" => Facts::Number(Some(0.001)),
            other => panic!("unexpected check {other}"),
        },
    );
    assert_eq!(t.outcome, RunOutcome::completed());
    assert_eq!(
        t.applied,
        [
            Action::Backup {
                target: "main-db".into()
            },
            Action::Rollback {
                workload: W.into(),
                to: None
            }
        ]
    );
}

#[test]
fn failed_deploy_leaves_a_healthy_revision_alone() {
    let t = drive(
        "failed-deploy",
        RunMode::Run,
        &[
            ("workload", W),
            ("health_url", URL),
            ("signal", "probe:site:error_ratio"),
        ],
        &[],
        |step| match step {
            "deployed" => recent_deploy(),
            "current_health" => workload(3, 3),
            "probe" => http(200),
            "errors" => Facts::Number(Some(0.001)),
            other => panic!("unexpected check {other}"),
        },
    );
    assert!(t.applied.is_empty());
    assert_eq!(t.started.last().unwrap(), "healthy");
}

#[test]
fn a_missing_workload_param_is_reported_before_the_run() {
    let rb = builtin()
        .unwrap()
        .into_iter()
        .find(|r| r.id == "site-down")
        .unwrap();
    let errors = rb
        .bind_params(&BTreeMap::new(), &BTreeMap::new())
        .unwrap_err();
    assert!(
        errors[0].contains("param `workload`") && errors[0].contains("label `workload`"),
        "{errors:?}"
    );
    let labels: BTreeMap<String, String> = [("workload".to_string(), W.to_string())].into();
    assert_eq!(
        rb.bind_params(&BTreeMap::new(), &labels).unwrap()["workload"],
        json!(W)
    );
}

#[path = "builtin_db_tests.rs"]
mod database;

#[path = "builtin_node_tests.rs"]
mod node;

#[path = "builtin_backup_tests.rs"]
mod backup;
