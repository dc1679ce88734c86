use super::*;
use crate::runbook::spec::check::ProbeCheck;

#[test]
fn start_records_the_run_and_runs_the_first_check_with_templates_resolved() {
    let mut run = Run::new(
        "[[step]]\nid = \"probe\"\nkind = \"check\"\nprobe = { url = \"http://{{ params.workload }}/health\", expect_status = 200 }\n",
    );
    run.send(Input::Start);
    let (step, _, check) = run.check();
    assert_eq!(step, "probe");
    assert_eq!(
        check,
        Check::Probe(ProbeCheck {
            url: "http://local/shop/api/health".into(),
            timeout: None,
            expect_status: Some(200),
            expect_body: None
        })
    );
    assert_eq!(run.state("probe"), StepState::Running);
    let entries = run.entries();
    assert!(
        matches!(&entries[0].event, Entry::RunStarted { runbook, mode: RunMode::Run, .. } if runbook == "t")
    );
    assert_eq!(entries[0].at, "2024-05-01T03:00:01Z");
    assert!(matches!(
        entries[1].event,
        Entry::StepStarted { attempt: 1 }
    ));
    assert!(matches!(entries[2].event, Entry::CheckRequested { .. }));
    assert_eq!(run.engine.current(), Some(0));
}

#[test]
fn a_passing_check_moves_on_and_the_last_step_completes_the_run() {
    let mut run = Run::start(&format!("{PROBE}{NOTE_END}"));
    run.check_done(true, json!(200), "HTTP 200");
    assert_eq!(run.state("probe"), StepState::Passed);
    assert_eq!(run.output("probe"), "HTTP 200");
    assert_eq!(
        run.asks(),
        vec![Effect::AskAck {
            step: "end_note".into(),
            text: "done".into()
        }]
    );
    run.send(Input::Acked {
        step: "end_note".into(),
    });
    assert_eq!(finished(&run.last), Some(RunOutcome::completed()));
    assert_eq!(run.outcome(), Some(RunOutcome::completed()));
    assert_eq!(run.engine.current(), None);
}

#[test]
fn results_are_visible_to_later_templates() {
    let steps = format!(
        "{PROBE}[[step]]\nid = \"n\"\nkind = \"note\"\ntext = \"probe said {{{{ steps.probe.output }}}} ({{{{ steps.probe.value }}}}, {{{{ steps.probe.status }}}})\"\n"
    );
    let mut run = Run::start(&steps);
    run.check_done(true, json!(200), "HTTP 200");
    assert_eq!(
        run.asks(),
        vec![Effect::AskAck {
            step: "n".into(),
            text: "probe said HTTP 200 (200, passed)".into()
        }]
    );
}

#[test]
fn a_failing_check_halts_and_retry_runs_it_again() {
    let mut run = Run::start(&format!("{PROBE}{NOTE_END}"));
    run.check_done(false, json!(503), "HTTP 503");
    assert_eq!(
        run.asks(),
        vec![Effect::Halted {
            step: "probe".into(),
            reason: "HTTP 503".into()
        }]
    );
    assert_eq!(run.state("probe"), StepState::Failed);
    assert_eq!(run.engine.current(), Some(0));
    run.send(Input::Retry);
    run.pass();
    assert_eq!(run.state("probe"), StepState::Passed);
    assert!(run.decisions().contains(&"retry requested".to_string()));
}

#[test]
fn a_halted_run_can_skip_the_step_or_abort() {
    let mut run = Run::start(&format!("{PROBE}{NOTE_END}"));
    run.fail();
    run.send(Input::Skip);
    assert_eq!(run.state("probe"), StepState::Skipped);
    assert!(run.output("probe").contains("skipped after failure: bad"));
    assert_eq!(run.state("end_note"), StepState::WaitingForYou);

    let mut run = Run::start(&format!("{PROBE}{NOTE_END}"));
    run.fail();
    run.send(Input::Abort);
    assert_eq!(
        finished(&run.last),
        Some(RunOutcome::Failed {
            step: "probe".into(),
            reason: "bad".into()
        })
    );
}

#[test]
fn a_check_that_times_out_fails_and_its_late_result_is_ignored() {
    let mut run = Run::start(&format!(
        "[[step]]\nid = \"probe\"\nkind = \"check\"\ntimeout = \"10s\"\non_failure = \"continue\"\nprobe = {{ url = \"u\" }}\n{NOTE_END}"
    ));
    let (step, ticket, _) = run.check();
    let (timer, after) = run.timer();
    assert_eq!(after, Duration::from_secs(10));
    run.fire(timer);
    assert_eq!(run.state("probe"), StepState::Failed);
    assert_eq!(run.output("probe"), "no result after 10s");
    let late = run
        .send(Input::CheckDone {
            step,
            ticket,
            passed: true,
            inconclusive: false,
            value: json!(1),
            output: "late".into(),
        })
        .to_vec();
    assert!(late.is_empty(), "{late:?}");
    assert_eq!(run.state("probe"), StepState::Failed);
}

#[test]
fn stale_tickets_and_stale_timers_are_ignored() {
    let mut run = Run::start(&format!(
        "[[step]]\nid = \"probe\"\nkind = \"check\"\ntimeout = \"10s\"\nprobe = {{ url = \"u\" }}\n{NOTE_END}"
    ));
    let (step, ticket, _) = run.check();
    let (timer, _) = run.timer();
    assert!(run
        .send(Input::CheckDone {
            step,
            ticket: ticket + 100,
            passed: true,
            inconclusive: false,
            value: Value::Null,
            output: String::new()
        })
        .is_empty());
    run.pass();
    assert!(
        run.fire(timer).is_empty(),
        "the timeout was cancelled when the check passed"
    );
    assert_eq!(run.state("end_note"), StepState::WaitingForYou);
}

#[test]
fn a_template_that_cannot_resolve_fails_the_step() {
    let run = Run::start(
        "[[step]]\nid = \"p\"\nkind = \"check\"\nprobe = { url = \"{{ params.nope }}\" }\n",
    );
    assert!(
        matches!(&run.asks()[..], [Effect::Halted { step, reason }] if step == "p" && reason.contains("template `{{ params.nope }}`"))
    );
}

const WAIT: &str = "[[step]]\nid = \"ready\"\nkind = \"wait\"\ninterval = \"5s\"\ntimeout = \"1m\"\nworkload = \"{{ params.workload }}\"\nexpect = \"ready >= 3\"\n";

#[test]
fn a_wait_polls_until_the_check_passes() {
    let mut run = Run::start(&format!("{WAIT}{NOTE_END}"));
    let (_, _, check) = run.check();
    assert!(matches!(check, Check::Workload(w) if w.workload == "local/shop/api"));
    let (timeout, after) = run.timer();
    assert_eq!(after, Duration::from_secs(60));
    run.check_done(false, json!(1), "1/3 ready");
    let (poll, every) = run.timer();
    assert_eq!(every, Duration::from_secs(5));
    assert_ne!(poll, timeout);
    assert_eq!(run.state("ready"), StepState::Running);
    assert_eq!(run.output("ready"), "1/3 ready");
    run.fire(poll);
    run.check_done(false, json!(2), "2/3 ready");
    let (poll, _) = run.timer();
    run.fire(poll);
    run.check_done(true, json!(3), "3/3 ready");
    assert_eq!(run.state("ready"), StepState::Passed);
    let polls = run
        .entries()
        .into_iter()
        .filter(|e| matches!(e.event, Entry::Polled { .. }))
        .count();
    assert_eq!(polls, 2);
    assert!(run.fire(timeout).is_empty());
}

#[test]
fn a_wait_that_never_passes_times_out_with_the_last_reading() {
    let mut run = Run::start(&format!("{WAIT}{NOTE_END}"));
    let (timeout, _) = run.timer();
    run.check_done(false, json!(1), "1/3 ready");
    let (poll, _) = run.timer();
    run.fire(timeout);
    assert_eq!(run.state("ready"), StepState::Failed);
    assert_eq!(
        run.output("ready"),
        "did not pass within 1m; last: 1/3 ready"
    );
    assert!(run.fire(poll).is_empty(), "polling stops with the step");
}

#[test]
fn a_wait_timing_out_mid_poll_says_so() {
    let mut run = Run::start(&format!("{WAIT}{NOTE_END}"));
    let (timeout, _) = run.timer();
    run.fire(timeout);
    assert_eq!(run.output("ready"), "did not pass within 1m");
}

#[test]
fn a_plan_run_reads_a_wait_once_and_does_not_wait() {
    let mut run = Run::with(runbook(&format!("{WAIT}{NOTE_END}")), RunMode::Plan, &[]);
    run.send(Input::Start);
    assert!(!run
        .last
        .iter()
        .any(|e| matches!(e, Effect::StartTimer { .. })));
    run.check_done(false, json!(1), "1/3 ready");
    assert_eq!(run.state("ready"), StepState::Skipped);
    assert!(run
        .output("ready")
        .contains("not waiting (a run would poll every 5s for up to 1m); now: 1/3 ready"));
    run.send(Input::Acked {
        step: "end_note".into(),
    });
    assert_eq!(run.outcome(), Some(RunOutcome::planned()));
}

#[test]
fn a_plan_run_passes_a_wait_that_already_holds() {
    let mut run = Run::with(runbook(&format!("{WAIT}{NOTE_END}")), RunMode::Plan, &[]);
    run.send(Input::Start);
    run.pass();
    assert_eq!(run.state("ready"), StepState::Passed);
}
