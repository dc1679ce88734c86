use super::*;
use crate::runbook::timeline;

const STEPS: &str = r#"
[params.replicas]
type = "int"

[[step]]
id = "ask"
kind = "input"
param = "replicas"

[[step]]
id = "scale"
kind = "action"
action = "scale"
workload = "{{ params.workload }}"
replicas = "{{ params.replicas }}"

[[step]]
id = "verify"
kind = "check"
metric = { series = "s", expect = "< 1" }

[[step]]
id = "report"
kind = "note"
text = "verify said {{ steps.verify.output }} after scaling to {{ params.replicas }}"
"#;

/// A run that scaled, then failed verify and was aborted; its timeline as JSONL.
fn failed_run() -> String {
    let mut run = Run::start(STEPS);
    run.send(Input::InputGiven {
        step: "ask".into(),
        value: "5".into(),
    });
    run.approve(Prior {
        replicas: Some(2),
        ..Prior::default()
    });
    run.check_done(false, json!(3), "value = 3");
    run.send(Input::Abort);
    run.entries().iter().map(TimelineEntry::to_line).collect()
}

fn resumed(jsonl: &str, mode: RunMode) -> Run {
    let entries = timeline::parse(jsonl).unwrap();
    Run::from_engine(Engine::resume(runbook(STEPS), &entries, mode, &Default::default()).unwrap())
}

#[test]
fn resume_restarts_at_the_failed_step_with_params_and_results_restored() {
    let mut run = resumed(&failed_run(), RunMode::Run);
    assert_eq!(run.state("ask"), StepState::Passed);
    assert_eq!(run.state("verify"), StepState::Pending);
    assert_eq!(run.engine.params()["replicas"], json!(5));
    assert_eq!(run.engine.applied().len(), 1);
    run.send(Input::Start);
    assert!(
        matches!(&run.entries()[0].event, Entry::RunResumed { from, mode: RunMode::Run } if from == "verify")
    );
    assert_eq!(run.check().0, "verify");
    run.check_done(true, json!(0.2), "value = 0.2");
    assert_eq!(
        run.asks(),
        vec![Effect::AskAck {
            step: "report".into(),
            text: "verify said value = 0.2 after scaling to 5".into()
        }]
    );
}

#[test]
fn a_resumed_run_can_still_roll_back_what_the_first_run_did() {
    let steps = STEPS.replace(
        "expect = \"< 1\" }",
        "expect = \"< 1\" }\non_failure = \"rollback\"",
    );
    let mut run = Run::start(&steps);
    run.send(Input::InputGiven {
        step: "ask".into(),
        value: "5".into(),
    });
    run.approve(Prior {
        replicas: Some(2),
        ..Prior::default()
    });
    run.send(Input::Abort);
    let jsonl: String = run.entries().iter().map(TimelineEntry::to_line).collect();
    let entries = timeline::parse(&jsonl).unwrap();
    let mut run = Run::from_engine(
        Engine::resume(runbook(&steps), &entries, RunMode::Run, &Default::default()).unwrap(),
    );
    run.send(Input::Start);
    run.fail();
    assert_eq!(
        run.planning().2,
        Action::Scale {
            workload: "local/shop/api".into(),
            replicas: 2
        }
    );
}

#[test]
fn resume_refuses_other_runbooks_finished_runs_and_vanished_steps() {
    let entries = timeline::parse(&failed_run()).unwrap();
    let mut other = runbook(STEPS);
    other.id = "other".into();
    assert!(
        Engine::resume(other, &entries, RunMode::Run, &Default::default())
            .err()
            .unwrap()
            .contains("run of `t`, not `other`")
    );

    let mut renamed = runbook(STEPS);
    renamed.steps[2].id = "check".into();
    assert!(
        Engine::resume(renamed, &entries, RunMode::Run, &Default::default())
            .err()
            .unwrap()
            .contains("`verify` is no longer")
    );

    let mut run = Run::start(NOTE_END);
    run.send(Input::Acked {
        step: "end_note".into(),
    });
    let done = run.entries();
    assert!(
        Engine::resume(runbook(NOTE_END), &done, RunMode::Run, &Default::default())
            .err()
            .unwrap()
            .contains("nothing to resume")
    );
}

#[test]
fn resume_in_plan_mode_and_new_params_get_their_defaults() {
    let steps = format!("[params.extra]\ndefault = \"x\"\n{STEPS}");
    let entries = timeline::parse(&failed_run()).unwrap();
    let mut run = Run::from_engine(
        Engine::resume(
            runbook(&steps),
            &entries,
            RunMode::Plan,
            &Default::default(),
        )
        .unwrap(),
    );
    assert_eq!(run.engine.params()["extra"], json!("x"));
    assert_eq!(run.engine.mode(), RunMode::Plan);
    run.send(Input::Start);
    run.pass();
    run.send(Input::Acked {
        step: "report".into(),
    });
    assert_eq!(run.outcome(), Some(RunOutcome::planned()));
}

const PROBE: &str = r#"
[params.url]

[[step]]
id = "probe"
kind = "check"
probe = { url = "{{ params.url }}" }
"#;

#[test]
fn credentials_stay_out_of_the_timeline_and_a_resume_asks_for_them_again() {
    let secret = "http://ops:hunter2@127.0.0.1:9/health?token=tk-77";
    let mut run = Run::with(runbook(PROBE), RunMode::Run, &[("url", secret)]);
    run.send(Input::Start);
    // The check itself goes out with the real URL.
    let (_, _, check) = run.check();
    assert!(format!("{check:?}").contains("hunter2"));
    run.check_done(false, Value::Null, "connection failed");
    let jsonl: String = run.entries().iter().map(TimelineEntry::to_line).collect();
    assert!(
        !jsonl.contains("hunter2") && !jsonl.contains("tk-77"),
        "{jsonl}"
    );
    assert!(
        jsonl.contains("http://127.0.0.1:9/health?token=***"),
        "{jsonl}"
    );
    assert!(jsonl.contains(r#""withheld":["url"]"#), "{jsonl}");

    let entries = timeline::parse(&jsonl).unwrap();
    let again = |given: &[(&str, &str)]| {
        let given = given
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Engine::resume(runbook(PROBE), &entries, RunMode::Run, &given)
    };
    let e = again(&[]).err().unwrap();
    assert!(e.contains("give it again with --param url=..."), "{e}");
    let e = again(&[("url", secret), ("workload", "x/y/z")])
        .err()
        .unwrap();
    assert!(e.contains("param `workload` is kept"), "{e}");
    let mut resumed = Run::from_engine(again(&[("url", secret)]).unwrap());
    assert_eq!(resumed.engine.params()["url"], json!(secret));
    resumed.send(Input::Start);
    let (_, _, check) = resumed.check();
    assert!(format!("{check:?}").contains("hunter2"));
}
