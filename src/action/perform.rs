//! THE action path: plan → refuse if read-only → (dry run: the target's
//! own check, if it has one, then stop) →
//! confirm → audit intent → execute → audit outcome. The CLI twins, the TUI
//! and runbooks all come through [`perform`]; [`spawn`] is the TUI's face of it.

use super::audit::{AuditLog, AuditRecord};
use super::lock::WorkloadLock;
use super::orchestrator::Orchestrator;
use super::Actor;
use super::{ActionEvent, Outcome, Plan, Request};
use futures::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::mpsc;

#[derive(Debug, Clone)]
pub struct PerformOptions {
    pub read_only: bool,
    pub dry_run: bool,
    pub audit: AuditLog,
    /// Who acts, for the audit log and for whoever finds the workload busy.
    pub actor: Actor,
}

impl PerformOptions {
    /// The audit log in the data dir and the current user.
    pub fn new(read_only: bool, dry_run: bool) -> Self {
        PerformOptions {
            read_only,
            dry_run,
            audit: AuditLog::in_data_dir(),
            actor: Actor::current(),
        }
    }
}

/// Asked once the plan is known; resolves to true to go ahead. The CLI asks
/// on the terminal; the TUI waits for a key.
pub type Confirm = Box<dyn FnOnce(&Plan) -> BoxFuture<'static, bool> + Send>;

/// A `Confirm` that always says yes (`--yes`, or a runbook step already confirmed).
pub fn confirmed() -> Confirm {
    Box::new(|_| Box::pin(async { true }))
}

#[derive(Debug, Clone, PartialEq)]
pub enum Performed {
    /// `--dry-run`: the plan was shown and nothing was done; with the
    /// target's own verdict when it can check a change without making it.
    DryRun(Plan, Option<String>),
    /// The person said no; nothing was done.
    Declined(Plan),
    /// It ran; the outcome may still be a failure (`ok = false`).
    Done(Plan, Outcome),
}

#[derive(Debug, Clone, PartialEq)]
pub enum PerformError {
    /// No plan could be made (unknown workload, bad input, engine unreachable).
    Plan(String),
    /// Read-only mode: the plan was made, nothing was changed.
    ReadOnly(Box<Plan>),
    /// The audit log could not be written, so nothing was (or is) done further.
    Audit(String),
    /// Another action on the same workload is under way; nothing was done.
    Busy(String),
    /// Execution failed before reaching an outcome.
    Execute(String),
    /// `--dry-run`: the target said it would not accept the change.
    DryRunRefused(Box<Plan>, String),
}

impl std::fmt::Display for PerformError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PerformError::Plan(e) => write!(f, "cannot plan: {e}"),
            PerformError::ReadOnly(p) => write!(
                f,
                "refused: opsdeck runs read-only (--read-only or read_only = true in the config), so `{}` was not applied",
                p.summary
            ),
            PerformError::Audit(e) => write!(f, "audit log: {e}; the action was not run"),
            PerformError::Busy(e) => write!(f, "not run: {e}"),
            PerformError::Execute(e) => write!(f, "failed: {e}"),
            PerformError::DryRunRefused(_, e) => {
                write!(f, "dry run refused: {e}; nothing was changed")
            }
        }
    }
}

impl Performed {
    pub fn is_ok(&self) -> bool {
        match self {
            Performed::Done(_, o) => o.ok,
            _ => true,
        }
    }
}

/// Runs `request` through the one action path, reporting the plan and each
/// step on `events` (the caller reports the end; [`spawn`] sends `Done`).
pub async fn perform(
    orch: &dyn Orchestrator,
    request: &Request,
    opts: &PerformOptions,
    confirm: Confirm,
    events: &mpsc::Sender<ActionEvent>,
) -> Result<Performed, PerformError> {
    let planned = orch.plan(request).await;
    let _ = events.send(ActionEvent::Planned(planned.clone())).await;
    let plan = planned.map_err(PerformError::Plan)?;
    if opts.read_only {
        return Err(PerformError::ReadOnly(Box::new(plan)));
    }
    if opts.dry_run {
        return match orch.dry_run(&plan).await {
            Ok(verdict) => Ok(Performed::DryRun(plan, verdict)),
            Err(e) => Err(PerformError::DryRunRefused(Box::new(plan), e)),
        };
    }
    if !confirm(&plan).await {
        return Ok(Performed::Declined(plan));
    }
    let _lock = if plan.request.verb.holds_lock() {
        Some(
            WorkloadLock::acquire(
                &opts.audit.path().with_file_name("locks"),
                &plan.request.workload.to_string(),
                &opts.actor.describe(),
            )
            .map_err(PerformError::Busy)?,
        )
    } else {
        None
    };
    opts.audit
        .append(&AuditRecord::intent(&plan, &opts.actor))
        .map_err(PerformError::Audit)?;

    let (tx, mut rx) = mpsc::channel::<String>(64);
    let forward_to = events.clone();
    let forward = tokio::spawn(async move {
        while let Some(line) = rx.recv().await {
            let _ = forward_to.send(ActionEvent::Progress(line)).await;
        }
    });
    let result = orch.execute(&plan, tx).await;
    let _ = forward.await;

    let audited = opts
        .audit
        .append(&AuditRecord::outcome(&plan, &opts.actor, &result));
    audited.map_err(PerformError::Audit)?;
    match result {
        Ok(outcome) => Ok(Performed::Done(plan, outcome)),
        Err(e) => Err(PerformError::Execute(e)),
    }
}

/// For the TUI: runs `request` on its own task and reports every step as an
/// [`ActionEvent`]; the confirmation is the TUI's answer on `confirm`
/// (dropping the sender means no). The final `Done` carries the outcome; a
/// refusal or a failure to plan arrives as `Done(Err(..))`.
pub fn spawn(
    request: Request,
    orch: Arc<dyn Orchestrator>,
    opts: PerformOptions,
    confirm: tokio::sync::oneshot::Receiver<bool>,
    events: mpsc::Sender<ActionEvent>,
) -> tokio::task::JoinHandle<Result<Performed, PerformError>> {
    tokio::spawn(async move {
        let ask: Confirm =
            Box::new(move |_| Box::pin(async move { confirm.await.unwrap_or(false) }));
        let result = perform(orch.as_ref(), &request, &opts, ask, &events).await;
        let done = match &result {
            Ok(Performed::Done(_, outcome)) => Ok(outcome.clone()),
            Ok(Performed::DryRun(_, None)) => Err("dry run: nothing was changed".to_string()),
            Ok(Performed::DryRun(_, Some(verdict))) => {
                Err(format!("dry run: {verdict}; nothing was changed"))
            }
            Ok(Performed::Declined(_)) => Err("declined: nothing was changed".to_string()),
            Err(PerformError::Execute(e)) => Err(e.clone()),
            Err(e) => Err(e.to_string()),
        };
        let _ = events.send(ActionEvent::Done(done)).await;
        result
    })
}

#[cfg(test)]
#[path = "perform_tests.rs"]
mod tests;
