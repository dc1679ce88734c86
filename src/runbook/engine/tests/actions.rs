use super::*;

const SCALE: &str = "[[step]]\nid = \"scale\"\nkind = \"action\"\naction = \"scale\"\nworkload = \"{{ params.workload }}\"\nreplicas = \"{{ params.replicas }}\"\n";

fn with_replicas(extra: &str) -> String {
    format!("[params.replicas]\ntype = \"int\"\ndefault = 4\n\n{SCALE}{extra}{NOTE_END}")
}

fn scale_to(n: u32) -> Action {
    Action::Scale {
        workload: "local/shop/api".into(),
        replicas: n,
    }
}

#[test]
fn an_action_is_planned_then_confirmed_then_applied() {
    let mut run = Run::start(&with_replicas(""));
    assert_eq!(
        run.planning(),
        ("scale".to_string(), run.planning().1, scale_to(4))
    );
    let prior = Prior {
        replicas: Some(2),
        ..Prior::default()
    };
    run.planned("api: 2 → 4 replicas", prior.clone());
    assert_eq!(
        run.asks(),
        vec![Effect::AskConfirm {
            step: "scale".into(),
            action: scale_to(4),
            plan: StepPlan {
                text: "api: 2 → 4 replicas".into(),
                prior: prior.clone()
            },
            undo: false
        }]
    );
    assert_eq!(run.state("scale"), StepState::WaitingForYou);
    run.confirm("scale");
    assert_eq!(run.applying().2, scale_to(4));
    assert_eq!(run.state("scale"), StepState::Running);
    run.done(true, "scaled to 4");
    assert_eq!(run.state("scale"), StepState::Passed);
    assert_eq!(run.output("scale"), "scaled to 4");
    assert_eq!(run.engine.applied().len(), 1);
    assert_eq!(run.engine.applied()[0].prior, prior);
    let kinds: Vec<_> = run
        .entries()
        .iter()
        .map(|e| serde_json::to_value(e).unwrap()["event"].clone())
        .collect();
    for k in [
        "action_planned",
        "decision",
        "action_applied",
        "step_finished",
    ] {
        assert!(kinds.contains(&json!(k)), "{k} missing from {kinds:?}");
    }
}

#[test]
fn a_confirmation_for_another_step_is_ignored() {
    let mut run = Run::start(&with_replicas(""));
    run.planned("p", Prior::default());
    assert!(run.confirm("other").is_empty());
    assert_eq!(run.state("scale"), StepState::WaitingForYou);
}

#[test]
fn declining_skips_the_action_and_changes_nothing() {
    let mut run = Run::start(&with_replicas(""));
    run.planned("p", Prior::default());
    run.send(Input::Declined {
        step: "scale".into(),
    });
    assert_eq!(run.state("scale"), StepState::Skipped);
    assert_eq!(run.output("scale"), "declined; nothing changed");
    assert!(run.engine.applied().is_empty());
    assert_eq!(run.state("end_note"), StepState::WaitingForYou);
}

#[test]
fn a_plan_that_cannot_be_made_fails_the_step() {
    let mut run = Run::start(&with_replicas(""));
    let (step, ticket, _) = run.planning();
    run.send(Input::ActionPlanned {
        step,
        ticket,
        plan: Err("no Docker target configured".into()),
    });
    assert_eq!(run.state("scale"), StepState::Failed);
    assert_eq!(
        run.output("scale"),
        "cannot plan scale local/shop/api to 4: no Docker target configured"
    );
}

#[test]
fn a_failed_apply_follows_on_failure() {
    let mut run = Run::start(&with_replicas("on_failure = \"continue\"\n"));
    run.planned("p", Prior::default());
    run.confirm("scale");
    run.done(false, "quota exceeded");
    assert_eq!(run.state("scale"), StepState::Failed);
    assert_eq!(run.output("scale"), "quota exceeded");
    assert!(run.engine.applied().is_empty());
    assert_eq!(run.state("end_note"), StepState::WaitingForYou);
}

#[test]
fn an_action_whose_fields_do_not_resolve_fails() {
    let mut run = Run::with(
        runbook(&with_replicas("")),
        RunMode::Run,
        &[("workload", " ")],
    );
    run.send(Input::Start);
    assert!(run
        .output("scale")
        .contains("`workload` resolved to an empty string"));
}

#[test]
fn a_plan_run_plans_actions_but_never_applies_them() {
    let mut run = Run::with(runbook(&with_replicas("")), RunMode::Plan, &[]);
    run.send(Input::Start);
    run.planned("api: 2 → 4 replicas", Prior::default());
    assert_eq!(run.state("scale"), StepState::Skipped);
    assert_eq!(
        run.output("scale"),
        "plan only, not applied: api: 2 → 4 replicas"
    );
    run.send(Input::Acked {
        step: "end_note".into(),
    });
    assert_eq!(run.outcome(), Some(RunOutcome::planned()));
    assert!(!run
        .all
        .iter()
        .any(|e| matches!(e, Effect::AskConfirm { .. } | Effect::ApplyAction { .. })));
}

#[test]
fn an_apply_that_times_out_fails_and_its_late_outcome_is_still_recorded() {
    let mut run = Run::start(&with_replicas(
        "timeout = \"30s\"\non_failure = \"continue\"\n",
    ));
    run.planned(
        "p",
        Prior {
            replicas: Some(2),
            ..Prior::default()
        },
    );
    run.confirm("scale");
    let (step, ticket, _) = run.applying();
    let (timer, _) = run.timer();
    run.fire(timer);
    assert_eq!(run.state("scale"), StepState::Failed);
    assert!(run.output("scale").starts_with("no outcome after 30s"));
    run.send(Input::ActionDone {
        step,
        ticket,
        ok: true,
        output: "scaled after all".into(),
    });
    assert_eq!(
        run.engine.applied().len(),
        1,
        "a late success still counts for rollback"
    );
    assert!(run
        .decisions()
        .iter()
        .any(|d| d.starts_with("late outcome")));
    assert_eq!(run.state("end_note"), StepState::WaitingForYou);
}

#[test]
fn a_plan_that_times_out_fails() {
    let mut run = Run::start(&with_replicas(
        "timeout = \"30s\"\non_failure = \"continue\"\n",
    ));
    let (timer, _) = run.timer();
    run.fire(timer);
    assert_eq!(run.output("scale"), "no plan after 30s");
}

#[test]
fn time_spent_confirming_never_times_out() {
    let mut run = Run::start(&with_replicas("timeout = \"30s\"\n"));
    let (timer, _) = run.timer();
    run.planned("p", Prior::default());
    assert!(run.fire(timer).is_empty());
    assert_eq!(run.state("scale"), StepState::WaitingForYou);
}

#[test]
fn skipping_an_action_in_flight_records_its_outcome_later() {
    let mut run = Run::start(&with_replicas(""));
    run.planned("p", Prior::default());
    run.confirm("scale");
    let (step, ticket, _) = run.applying();
    run.send(Input::Skip);
    assert_eq!(run.state("scale"), StepState::Skipped);
    run.send(Input::ActionDone {
        step,
        ticket,
        ok: false,
        output: "failed".into(),
    });
    assert!(run.engine.applied().is_empty());
    assert!(run
        .entries()
        .iter()
        .any(|e| matches!(&e.event, Entry::ActionApplied { ok: false, .. })));
}
