use super::*;

const STEPS: &str = r#"
[[step]]
id = "scale"
kind = "action"
action = "scale"
workload = "{{ params.workload }}"
replicas = 6

[[step]]
id = "restart"
kind = "action"
action = "restart"
workload = "{{ params.workload }}"

[[step]]
id = "deploy"
kind = "action"
action = "deploy"
workload = "{{ params.workload }}"
image = "api:2"

[[step]]
id = "verify"
kind = "check"
metric = { series = "probe:site:error_ratio", expect = "< 0.05" }
on_failure = "rollback"
"#;

const W: &str = "local/shop/api";

fn prior(replicas: u32, image: &str, revision: &str) -> Prior {
    Prior {
        replicas: Some(replicas),
        image: Some(image.into()),
        revision: Some(revision.into()),
    }
}

/// Applies the three actions and fails the verify step.
fn failed_verify() -> Run {
    let mut run = Run::start(STEPS);
    run.approve(prior(2, "api:1", "4"));
    run.approve(Prior::default());
    run.approve(prior(6, "api:1", "4"));
    assert_eq!(run.engine.applied().len(), 3);
    run.check_done(false, json!(0.3), "value = 0.3");
    run
}

#[test]
fn rollback_undoes_applied_actions_newest_first() {
    let mut run = failed_verify();
    assert_eq!(
        run.planning().2,
        Action::Rollback {
            workload: W.into(),
            to: Some("4".into())
        }
    );
    assert!(run
        .decisions()
        .iter()
        .any(|d| d == "on_failure = rollback: 3 action(s) to undo"));
    run.planned("roll back api to revision 4", Prior::default());
    assert!(
        matches!(&run.asks()[..], [Effect::AskConfirm { undo: true, step, .. }] if step == "deploy")
    );
    run.confirm("deploy");
    run.done(true, "rolled back");
    // The restart cannot be undone; the scale can.
    assert!(run
        .decisions()
        .iter()
        .any(|d| d == "cannot undo `restart local/shop/api`: nothing to put back"));
    assert_eq!(
        run.planning().2,
        Action::Scale {
            workload: W.into(),
            replicas: 2
        }
    );
    run.planned("api: 6 → 2", Prior::default());
    run.confirm("scale");
    run.done(true, "scaled");
    assert_eq!(
        run.outcome(),
        Some(RunOutcome::RolledBack {
            step: "verify".into(),
            reason: "value = 0.3".into(),
            undone: 2,
            kept: 1
        })
    );
    assert_eq!(
        run.engine.applied().len(),
        1,
        "only the restart remains in effect"
    );
    let undos = run
        .entries()
        .iter()
        .filter(|e| matches!(e.event, Entry::ActionApplied { undo: true, .. }))
        .count();
    assert_eq!(undos, 2);
    assert_eq!(run.state("verify"), StepState::Failed);
}

#[test]
fn undos_can_be_declined_skipped_unplannable_or_fail() {
    let mut run = failed_verify();
    run.send(Input::Declined {
        step: "deploy".into(),
    });
    assert!(run.last.is_empty(), "declining before the plan is ignored");
    run.planned("p", Prior::default());
    run.send(Input::Declined {
        step: "deploy".into(),
    });
    assert!(run
        .decisions()
        .iter()
        .any(|d| d.starts_with("declined undo: roll back")));
    let (step, ticket, _) = run.planning();
    run.send(Input::ActionPlanned {
        step,
        ticket,
        plan: Err("no history".into()),
    });
    assert!(run
        .decisions()
        .iter()
        .any(|d| d == "cannot plan undo: no history"));
    assert_eq!(
        run.outcome(),
        Some(RunOutcome::RolledBack {
            step: "verify".into(),
            reason: "value = 0.3".into(),
            undone: 0,
            kept: 3
        })
    );

    let mut run = failed_verify();
    run.send(Input::Skip);
    assert!(run.decisions().iter().any(|d| d == "undo skipped by you"));
    run.planned("p", Prior::default());
    run.confirm("scale");
    run.done(false, "quota");
    assert_eq!(
        run.outcome(),
        Some(RunOutcome::RolledBack {
            step: "verify".into(),
            reason: "value = 0.3".into(),
            undone: 0,
            kept: 3
        })
    );
    assert_eq!(run.engine.applied().len(), 3);
}

#[test]
fn abort_during_rollback_stops_it() {
    let mut run = failed_verify();
    run.send(Input::Abort);
    assert_eq!(
        run.outcome(),
        Some(RunOutcome::Aborted {
            step: Some("verify".into())
        })
    );
}

#[test]
fn a_late_undo_outcome_is_recorded_after_abort() {
    let mut run = failed_verify();
    run.planned("p", Prior::default());
    run.confirm("deploy");
    let (step, ticket, _) = run.applying();
    run.send(Input::Abort);
    run.send(Input::ActionDone {
        step,
        ticket,
        ok: true,
        output: "done".into(),
    });
    assert!(run.entries().iter().any(|e| matches!(
        e.event,
        Entry::ActionApplied {
            undo: true,
            ok: true,
            ..
        }
    )));
    assert_eq!(
        run.engine.applied().len(),
        2,
        "a late undo still takes its action out of effect"
    );
}

#[test]
fn rollback_with_nothing_applied_finishes_at_once() {
    let mut run = Run::start("[[step]]\nid = \"v\"\nkind = \"check\"\nprobe = { url = \"u\" }\non_failure = \"rollback\"\n");
    run.fail();
    assert_eq!(
        run.outcome(),
        Some(RunOutcome::RolledBack {
            step: "v".into(),
            reason: "bad".into(),
            undone: 0,
            kept: 0
        })
    );
}
