//! Action steps through THE action path (`action::perform`): planning is
//! perform's dry run, applying is perform with the run's confirmation
//! already given; both audited and refused under `--read-only` by perform.

use crate::action::docker::HealthGate;
use crate::action::perform::confirmed;
use crate::action::{
    orchestrator_for, perform, ActionEvent, Orchestrator, PerformOptions, Performed, Request, Verb,
};
use crate::config::Config;
use crate::load::{Endpoint, LoadOrchestrator, LoadSpec, Profile, Stop};
use crate::model::WorkloadAddr;
use crate::runbook::engine::StepPlan;
use crate::runbook::spec::{Action, Prior};
use std::fmt::Write as _;
use std::sync::Arc;
use tokio::sync::mpsc;

/// The workload request for an action, or why it cannot run here yet.
pub fn request(action: &Action) -> Result<Request, String> {
    let (workload, verb) = match action {
        Action::Scale { workload, replicas } => (
            workload,
            Verb::Scale {
                replicas: *replicas,
            },
        ),
        Action::Restart { workload } => (workload, Verb::Restart),
        Action::Rollback { workload, to } => (workload, Verb::Rollback { to: to.clone() }),
        Action::Deploy { workload, image } => (
            workload,
            Verb::Deploy {
                image: image.clone(),
            },
        ),
        Action::Autoscale { workload, min, max } => (
            workload,
            Verb::Autoscale {
                min: *min,
                max: *max,
            },
        ),
        Action::DbCancel { target, pids } | Action::DbTerminate { target, pids } => {
            let verb = if matches!(action, Action::DbCancel { .. }) {
                Verb::Cancel
            } else {
                Verb::Terminate
            };
            let pids = pids
                .iter()
                .map(|p| i32::try_from(*p).map_err(|_| format!("{p} is not a backend PID")))
                .collect::<Result<Vec<i32>, String>>()?;
            let workload = crate::action::postgres::backends_addr(target, &pids);
            return Ok(Request { workload, verb });
        }
        Action::Backup { target } => {
            return Ok(Request {
                workload: crate::action::postgres::dump_addr(target),
                verb: Verb::Dump,
            })
        }
        Action::VerifyBackup { backup } => {
            return Ok(Request {
                workload: crate::exec::backup_drill::drill_addr(backup)?,
                verb: Verb::Verify,
            })
        }
        Action::Shell { .. } => {
            return Err("shell actions are not supported by runbooks yet; run it by hand".into())
        }
        Action::Load { .. } => return load_spec(action).map(|s| s.request()),
        Action::Maxmemory { target, bytes } => {
            return Ok(Request {
                workload: crate::action::redis::maxmemory_addr(target),
                verb: Verb::Maxmemory { bytes: *bytes },
            })
        }
    };
    let workload: WorkloadAddr = workload.parse()?;
    Ok(Request { workload, verb })
}

/// How long one request of a runbook's load run may take.
const LOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A runbook's load step as a load run: GET, open model at a constant rate.
fn load_spec(action: &Action) -> Result<LoadSpec, String> {
    let Action::Load {
        url,
        rate,
        duration_secs,
        connections,
    } = action
    else {
        return Err(format!("internal: {} is not a load run", action.describe()));
    };
    let spec = LoadSpec {
        endpoint: Endpoint::parse(url)?,
        url: url.clone(),
        method: hyper::Method::GET,
        headers: Vec::new(),
        body: Vec::new(),
        connections: *connections as usize,
        stop: Stop::After(std::time::Duration::from_secs(*duration_secs)),
        profile: Profile::Constant { rate: *rate },
        http2: false,
        timeout: LOAD_TIMEOUT,
    };
    spec.validate()?;
    Ok(spec)
}

/// The orchestrator that carries the action out: a load run's own, a
/// restore drill's, or the one configured for the subject's target.
async fn orchestrator(
    config: &Config,
    action: &Action,
    req: &Request,
) -> Result<Arc<dyn Orchestrator>, String> {
    if let Action::Load { .. } = action {
        // Its live figures are not watched here; the outcome carries the summary.
        let (orch, _live) = LoadOrchestrator::new(load_spec(action)?);
        return Ok(Arc::new(orch));
    }
    if let Action::VerifyBackup { backup } = action {
        return Ok(Arc::new(crate::exec::backup_drill::DrillOrchestrator::of(
            config, backup,
        )?));
    }
    orchestrator_for(config, &req.workload.target, HealthGate::default()).await
}

pub async fn plan(config: &Config, action: &Action) -> Result<StepPlan, String> {
    let req = request(action)?;
    let orch = orchestrator(config, action, &req).await?;
    // A dry run changes nothing, so it may preview even under --read-only.
    let opts = PerformOptions::new(false, true);
    let (tx, _rx) = mpsc::channel(64);
    match perform(orch.as_ref(), &req, &opts, confirmed(), &tx).await {
        Ok(Performed::DryRun(p, _)) => Ok(StepPlan {
            text: plan_text(&p),
            prior: prior(config, &req).await,
        }),
        Ok(other) => Err(format!("internal: a dry run went past planning: {other:?}")),
        Err(e) => Err(e.to_string()),
    }
}

/// `approved` is the plan text the person confirmed: perform plans afresh,
/// and if that plan differs (a replica died, someone else deployed) nothing
/// is done, so what runs is always what was shown.
pub async fn apply(
    config: &Config,
    read_only: bool,
    action: &Action,
    approved: Option<String>,
    progress: &mpsc::Sender<ActionEvent>,
) -> (bool, String) {
    let req = match request(action) {
        Ok(r) => r,
        Err(e) => return (false, e),
    };
    let orch = match orchestrator(config, action, &req).await {
        Ok(o) => o,
        Err(e) => return (false, e),
    };
    let opts = PerformOptions::new(read_only, false);
    let confirm = match approved.clone() {
        Some(text) => Box::new(move |plan: &crate::action::Plan| {
            let same = plan_text(plan) == text;
            Box::pin(async move { same }) as futures::future::BoxFuture<'static, bool>
        }) as crate::action::perform::Confirm,
        None => confirmed(),
    };
    match perform(orch.as_ref(), &req, &opts, confirm, progress).await {
        Ok(Performed::Done(_, outcome)) => (outcome.ok, outcome.message),
        Ok(Performed::Declined(now)) => (
            false,
            format!(
                "not applied: the plan changed since it was confirmed; nothing was changed. Now:\n{}",
                plan_text(&now)
            ),
        ),
        Ok(Performed::DryRun(..)) => (false, "not applied: nothing was changed".into()),
        // Read-only refusals, a busy workload, audit failures: each says why.
        Err(e) => (false, e.to_string()),
    }
}

/// The plan as the runner shows it and the timeline keeps it.
pub fn plan_text(p: &crate::action::Plan) -> String {
    let mut text = p.summary.clone();
    if p.steps.is_empty() {
        text.push_str("\n(nothing to change)");
    }
    for (i, s) in p.steps.iter().enumerate() {
        let op = serde_json::to_value(s.op)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = write!(text, "\n{:>2}. {op} {}: {}", i + 1, s.subject, s.detail);
    }
    text
}

/// What runs now, read from the target's inventory, so a later
/// `on_failure = rollback` can propose the inverse (scale back to this count).
async fn prior(config: &Config, req: &Request) -> Prior {
    match super::collect::workload(config, &req.workload.to_string()).await {
        crate::runbook::judge::Facts::Workload { running, image, .. } => Prior {
            replicas: Some(running),
            image: (!image.is_empty()).then_some(image),
            revision: None,
        },
        _ => Prior::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workload_actions_map_to_requests_and_the_rest_say_not_yet() {
        let r = request(&Action::Scale {
            workload: "local/shop/api".into(),
            replicas: 3,
        })
        .unwrap();
        assert_eq!(r.workload.to_string(), "local/shop/api");
        assert_eq!(r.verb, Verb::Scale { replicas: 3 });
        let r = request(&Action::Rollback {
            workload: "local/shop/api".into(),
            to: Some("2".into()),
        })
        .unwrap();
        assert_eq!(
            r.verb,
            Verb::Rollback {
                to: Some("2".into())
            }
        );
        let e = request(&Action::Shell {
            command: "true".into(),
            undo: None,
        })
        .unwrap_err();
        assert!(e.contains("not supported"), "{e}");
        assert!(request(&Action::Restart {
            workload: "nope".into()
        })
        .is_err());
    }
}
