use super::*;

fn probe_with(extra: &str) -> String {
    format!("[[step]]\nid = \"probe\"\nkind = \"check\"\nprobe = {{ url = \"u\" }}\n{extra}\n[[step]]\nid = \"fix\"\nkind = \"note\"\n\n{NOTE_END}")
}

#[test]
fn retry_runs_the_step_again_before_giving_up() {
    let mut run = Run::start(&probe_with("retry = 2\non_failure = \"continue\"\n"));
    run.fail();
    assert_eq!(run.state("probe"), StepState::Running);
    run.fail();
    run.fail();
    assert_eq!(run.state("probe"), StepState::Failed);
    assert_eq!(run.engine.records()[0].attempts, 3);
    let d = run.decisions();
    assert_eq!(
        &d[..2],
        [
            "attempt 1 of 3 failed: bad; retrying",
            "attempt 2 of 3 failed: bad; retrying"
        ]
    );
    let starts = run
        .entries()
        .iter()
        .filter(|e| {
            matches!(e.event, Entry::StepStarted { .. }) && e.step.as_deref() == Some("probe")
        })
        .count();
    assert_eq!(starts, 3);
}

#[test]
fn a_retry_that_passes_ends_the_failure() {
    let mut run = Run::start(&probe_with("retry = 1\n"));
    run.fail();
    run.pass();
    assert_eq!(run.state("probe"), StepState::Passed);
    assert_eq!(run.state("fix"), StepState::WaitingForYou);
}

#[test]
fn retry_delay_waits_on_a_timer() {
    let mut run = Run::start(&probe_with("retry = 1\nretry_delay = \"10s\"\n"));
    run.fail();
    let (timer, after) = run.timer();
    assert_eq!(after, Duration::from_secs(10));
    assert!(!run
        .last
        .iter()
        .any(|e| matches!(e, Effect::RunCheck { .. })));
    assert!(run.decisions().last().unwrap().ends_with("retrying in 10s"));
    assert!(run.fire(timer + 1).is_empty());
    run.fire(timer);
    run.pass();
    assert_eq!(run.state("probe"), StepState::Passed);
}

#[test]
fn skipping_during_a_retry_delay_moves_on() {
    let mut run = Run::start(&probe_with("retry = 1\nretry_delay = \"10s\"\n"));
    run.fail();
    let (timer, _) = run.timer();
    run.send(Input::Skip);
    assert_eq!(run.state("probe"), StepState::Skipped);
    assert!(run.fire(timer).is_empty());
}

#[test]
fn on_failure_continue_goes_to_the_next_step() {
    let mut run = Run::start(&probe_with("on_failure = \"continue\"\n"));
    run.fail();
    assert_eq!(run.state("fix"), StepState::WaitingForYou);
    assert!(run
        .decisions()
        .contains(&"on_failure = continue".to_string()));
}

#[test]
fn on_failure_goto_jumps() {
    let mut run = Run::start(&probe_with("on_failure = \"goto:end_note\"\n"));
    run.fail();
    assert_eq!(run.state("fix"), StepState::Pending);
    assert_eq!(run.state("end_note"), StepState::WaitingForYou);
    assert!(run
        .decisions()
        .contains(&"on_failure → end_note".to_string()));
}

#[test]
fn on_failure_goto_end_completes() {
    let mut run = Run::start(&probe_with("on_failure = \"goto:end\"\n"));
    run.fail();
    assert_eq!(run.outcome(), Some(RunOutcome::completed()));
}

#[test]
fn a_loop_that_never_settles_is_stopped() {
    let steps = "[[step]]\nid = \"w\"\nkind = \"wait\"\ntimeout = \"1s\"\nmetric = { series = \"s\", expect = \"< 1\" }\non_failure = \"goto:w\"\n";
    let mut run = Run::start(steps);
    for _ in 0..MAX_VISITS {
        let (timer, _) = run.timer();
        run.fire(timer);
    }
    match run.outcome() {
        Some(RunOutcome::Failed { step, reason }) => {
            assert_eq!(step, "w");
            assert!(reason.contains("does not settle"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn abort_ends_the_run_wherever_it_is() {
    let mut run = Run::start(&probe_with(""));
    run.send(Input::Abort);
    assert_eq!(
        finished(&run.last),
        Some(RunOutcome::Aborted {
            step: Some("probe".into())
        })
    );
    assert!(
        run.send(Input::Start).is_empty(),
        "a finished run ignores events"
    );
    assert!(run.send(Input::Retry).is_empty());

    let mut run = Run::new(&probe_with(""));
    run.send(Input::Abort);
    assert_eq!(run.outcome(), Some(RunOutcome::Aborted { step: None }));
}

#[test]
fn events_before_start_and_retry_outside_a_halt_are_ignored() {
    let mut run = Run::new(&probe_with(""));
    assert!(run.send(Input::Skip).is_empty());
    run.send(Input::Start);
    assert!(run.send(Input::Retry).is_empty());
    assert_eq!(run.state("probe"), StepState::Running);
}

#[test]
fn skip_passes_over_a_running_step() {
    let mut run = Run::start(&probe_with(""));
    run.send(Input::Skip);
    assert_eq!(run.state("probe"), StepState::Skipped);
    assert_eq!(run.output("probe"), "skipped by you");
    assert_eq!(run.state("fix"), StepState::WaitingForYou);
}

#[test]
fn a_goto_to_a_missing_step_fails_the_run_instead_of_panicking() {
    let rb = runbook(&probe_with("on_failure = \"goto:nowhere\"\n"));
    let mut run = Run::with(rb, RunMode::Run, &[]);
    run.send(Input::Start);
    run.fail();
    assert_eq!(
        run.outcome(),
        Some(RunOutcome::Failed {
            step: "probe".into(),
            reason: "goto to unknown step `nowhere`".into()
        })
    );
}
