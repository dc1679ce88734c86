//! The path's order and refusals, with an in-memory orchestrator that
//! records what it was asked to do.

use super::*;
use crate::action::orchestrator::Revision;
use crate::action::{audit::Phase, PlanStep, StepOp, Verb};
use crate::model::{WorkloadAddr, WorkloadKind};
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Default)]
struct Recorder {
    executed: AtomicU32,
    fail: bool,
}

impl Orchestrator for Recorder {
    fn plan<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Plan, String>> {
        Box::pin(async move {
            if request.workload.name == "missing" {
                return Err("no such workload".into());
            }
            Ok(Plan {
                request: request.clone(),
                kind: WorkloadKind::ComposeService,
                summary: format!("{} {}", request.verb, request.workload),
                steps: vec![PlanStep {
                    op: StepOp::Restart,
                    subject: "c1".into(),
                    detail: "replica 1 of 1".into(),
                }],
                destructive: true,
            })
        })
    }

    fn execute<'a>(
        &'a self,
        _plan: &'a Plan,
        progress: mpsc::Sender<String>,
    ) -> BoxFuture<'a, Result<Outcome, String>> {
        Box::pin(async move {
            self.executed.fetch_add(1, Ordering::SeqCst);
            let _ = progress.send("restarting c1".into()).await;
            if self.fail {
                return Err("engine went away".into());
            }
            Ok(Outcome {
                ok: true,
                message: "restarted".into(),
                rolled_back: false,
            })
        })
    }

    fn history<'a>(&'a self, _w: &'a WorkloadAddr) -> BoxFuture<'a, Result<Vec<Revision>, String>> {
        Box::pin(async { Ok(Vec::new()) })
    }
}

fn request(name: &str) -> Request {
    Request {
        workload: WorkloadAddr::new("local", "shop", name),
        verb: Verb::Restart,
    }
}

fn options(dir: &std::path::Path, read_only: bool, dry_run: bool) -> PerformOptions {
    PerformOptions {
        read_only,
        dry_run,
        audit: AuditLog::new(dir.join("audit.jsonl")),
        actor: crate::action::Actor::named("tester@box"),
    }
}

fn declined() -> Confirm {
    Box::new(|_| Box::pin(async { false }))
}

#[tokio::test]
async fn runs_and_audits_intent_then_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let orch = Recorder::default();
    let (tx, mut rx) = mpsc::channel(16);
    let opts = options(dir.path(), false, false);
    let done = perform(&orch, &request("api"), &opts, confirmed(), &tx)
        .await
        .unwrap();
    assert!(done.is_ok());
    assert_eq!(orch.executed.load(Ordering::SeqCst), 1);
    let recs = opts.audit.read().unwrap();
    assert_eq!(
        recs.iter().map(|r| r.phase).collect::<Vec<_>>(),
        [Phase::Intent, Phase::Outcome]
    );
    assert_eq!(recs[0].actor.who, "tester@box");
    drop(tx);
    let mut events = Vec::new();
    while let Some(e) = rx.recv().await {
        events.push(e);
    }
    assert!(matches!(events[0], ActionEvent::Planned(Ok(_))));
    assert_eq!(events[1], ActionEvent::Progress("restarting c1".into()));
    assert_eq!(
        events.len(),
        2,
        "perform leaves Done to its caller: {events:?}"
    );
}

#[tokio::test]
async fn read_only_dry_run_and_no_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let orch = Recorder::default();
    let (tx, _rx) = mpsc::channel(16);
    let ro = perform(
        &orch,
        &request("api"),
        &options(dir.path(), true, false),
        confirmed(),
        &tx,
    )
    .await;
    let e = ro.unwrap_err();
    assert!(matches!(e, PerformError::ReadOnly(_)));
    assert!(e.to_string().contains("read-only"), "{e}");
    let dry = perform(
        &orch,
        &request("api"),
        &options(dir.path(), false, true),
        confirmed(),
        &tx,
    )
    .await;
    assert!(matches!(dry, Ok(Performed::DryRun(_, None))));
    let no = perform(
        &orch,
        &request("api"),
        &options(dir.path(), false, false),
        declined(),
        &tx,
    )
    .await;
    assert!(matches!(no, Ok(Performed::Declined(_))));
    assert_eq!(orch.executed.load(Ordering::SeqCst), 0);
    assert!(!dir.path().join("audit.jsonl").exists());
}

#[tokio::test]
async fn a_failed_execution_is_audited_with_its_error() {
    let dir = tempfile::tempdir().unwrap();
    let orch = Recorder {
        fail: true,
        ..Default::default()
    };
    let (tx, _rx) = mpsc::channel(16);
    let opts = options(dir.path(), false, false);
    let e = perform(&orch, &request("api"), &opts, confirmed(), &tx)
        .await
        .unwrap_err();
    assert_eq!(e, PerformError::Execute("engine went away".into()));
    let recs = opts.audit.read().unwrap();
    assert_eq!(recs[1].error.as_deref(), Some("engine went away"));
    assert_eq!(recs[1].ok, Some(false));
}

#[tokio::test]
async fn spawn_reports_a_plan_failure_as_done_err() {
    let dir = tempfile::tempdir().unwrap();
    let (tx, mut rx) = mpsc::channel(16);
    let (_yes, confirm) = tokio::sync::oneshot::channel();
    let handle = spawn(
        request("missing"),
        Arc::new(Recorder::default()),
        options(dir.path(), false, false),
        confirm,
        tx,
    );
    assert!(matches!(handle.await.unwrap(), Err(PerformError::Plan(_))));
    assert!(matches!(
        rx.recv().await,
        Some(ActionEvent::Planned(Err(_)))
    ));
    assert!(
        matches!(rx.recv().await, Some(ActionEvent::Done(Err(e))) if e.contains("no such workload"))
    );
}

#[tokio::test]
async fn a_second_action_on_a_busy_workload_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(dir.path(), false, false);
    let held = crate::action::lock::WorkloadLock::acquire(
        &dir.path().join("locks"),
        "local/shop/api",
        "other@box",
    )
    .unwrap();
    let orch = Recorder::default();
    let (tx, _rx) = mpsc::channel(16);
    let e = perform(&orch, &request("api"), &opts, confirmed(), &tx)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, PerformError::Busy(m) if m.contains("other@box")),
        "{e}"
    );
    assert_eq!(orch.executed.load(Ordering::SeqCst), 0);
    drop(held);
    assert!(perform(&orch, &request("api"), &opts, confirmed(), &tx)
        .await
        .is_ok());
}

#[tokio::test]
async fn spawn_ends_every_run_with_one_done() {
    let dir = tempfile::tempdir().unwrap();
    let (tx, mut rx) = mpsc::channel(16);
    let (yes, confirm) = tokio::sync::oneshot::channel();
    let handle = spawn(
        request("api"),
        Arc::new(Recorder::default()),
        options(dir.path(), false, false),
        confirm,
        tx,
    );
    assert!(matches!(rx.recv().await, Some(ActionEvent::Planned(Ok(_)))));
    yes.send(true).unwrap();
    assert!(matches!(handle.await.unwrap(), Ok(Performed::Done(..))));
    let rest: Vec<ActionEvent> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
    assert_eq!(rest.len(), 2, "{rest:?}");
    assert_eq!(rest[0], ActionEvent::Progress("restarting c1".into()));
    assert!(matches!(&rest[1], ActionEvent::Done(Ok(o)) if o.ok));
}
