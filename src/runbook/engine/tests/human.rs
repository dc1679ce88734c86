use super::*;

const INPUT: &str = "[params.replicas]\ntype = \"int\"\nchoices = [2, 4, 8]\n\n[[step]]\nid = \"ask\"\nkind = \"input\"\nparam = \"replicas\"\nprompt = \"How many replicas for {{ params.workload }}?\"\n\n[[step]]\nid = \"n\"\nkind = \"note\"\ntext = \"will scale to {{ params.replicas }}\"\n";

#[test]
fn a_note_waits_for_an_acknowledgement() {
    let mut run = Run::start(NOTE_END);
    assert_eq!(run.state("end_note"), StepState::WaitingForYou);
    assert!(run
        .send(Input::Acked {
            step: "other".into()
        })
        .is_empty());
    run.send(Input::Acked {
        step: "end_note".into(),
    });
    assert_eq!(run.state("end_note"), StepState::Passed);
    assert_eq!(run.output("end_note"), "acknowledged");
}

#[test]
fn an_input_asks_with_choices_and_stores_the_value_in_params() {
    let mut run = Run::start(INPUT);
    assert_eq!(
        run.asks(),
        vec![Effect::AskInput {
            step: "ask".into(),
            param: "replicas".into(),
            prompt: "How many replicas for local/shop/api?".into(),
            choices: vec![json!(2), json!(4), json!(8)],
            current: Value::Null,
            error: None,
        }]
    );
    assert_eq!(run.state("ask"), StepState::WaitingForYou);
    run.send(Input::InputGiven {
        step: "ask".into(),
        value: "4".into(),
    });
    assert_eq!(run.engine.params()["replicas"], json!(4));
    assert_eq!(run.state("ask"), StepState::Passed);
    assert_eq!(
        run.asks(),
        vec![Effect::AskAck {
            step: "n".into(),
            text: "will scale to 4".into()
        }]
    );
    assert!(run.entries().iter().any(|e| matches!(&e.event, Entry::InputGiven { param, value, .. } if param == "replicas" && *value == json!(4))));
}

#[test]
fn a_refused_input_asks_again_with_the_reason() {
    let mut run = Run::start(INPUT);
    run.send(Input::InputGiven {
        step: "ask".into(),
        value: "5".into(),
    });
    match &run.asks()[..] {
        [Effect::AskInput {
            error: Some(e),
            prompt,
            ..
        }] => {
            assert!(e.contains("not one of: 2, 4, 8"), "{e}");
            assert_eq!(prompt, "How many replicas for local/shop/api?");
        }
        other => panic!("{other:?}"),
    }
    run.send(Input::InputGiven {
        step: "ask".into(),
        value: "many".into(),
    });
    assert!(
        matches!(&run.asks()[..], [Effect::AskInput { error: Some(e), .. }] if e.contains("not a valid int"))
    );
    assert!(run
        .send(Input::InputGiven {
            step: "other".into(),
            value: "4".into()
        })
        .is_empty());
    assert_eq!(run.state("ask"), StepState::WaitingForYou);
}

#[test]
fn an_input_without_a_prompt_asks_with_the_title() {
    let mut run = Run::start("[params.reason]\n\n[[step]]\nid = \"why\"\nkind = \"input\"\ntitle = \"Why?\"\nparam = \"reason\"\n");
    assert!(matches!(&run.asks()[..], [Effect::AskInput { prompt, .. }] if prompt == "Why?"));
    run.send(Input::InputGiven {
        step: "why".into(),
        value: "disk full".into(),
    });
    assert_eq!(run.outcome(), Some(RunOutcome::completed()));
}

#[test]
fn params_can_be_edited_mid_run() {
    let mut run = Run::start(INPUT);
    run.send(Input::SetParam {
        name: "workload".into(),
        value: "prod/pay/checkout".into(),
    });
    assert_eq!(run.engine.params()["workload"], json!("prod/pay/checkout"));
    run.send(Input::SetParam {
        name: "replicas".into(),
        value: "3".into(),
    });
    run.send(Input::SetParam {
        name: "nope".into(),
        value: "3".into(),
    });
    let d = run.decisions();
    assert!(d.iter().any(|t| t.contains("refused param replicas=3")));
    assert!(d.iter().any(|t| t.contains("no param named `nope`")));
    assert_eq!(
        run.state("ask"),
        StepState::WaitingForYou,
        "editing does not move the run"
    );
}

fn branch(cases: &str, default: Option<&str>) -> String {
    let default = default
        .map(|d| format!("default = \"{d}\"\n"))
        .unwrap_or_default();
    format!(
        "{PROBE}[[step]]\nid = \"decide\"\nkind = \"branch\"\ncases = [{cases}]\n{default}\n[[step]]\nid = \"below\"\nkind = \"note\"\n\n[[step]]\nid = \"up\"\nkind = \"note\"\n\n[[step]]\nid = \"down\"\nkind = \"note\"\n"
    )
}

#[test]
fn a_branch_takes_the_first_case_that_holds() {
    let cases = "{ when = \"steps.probe.status == 'failed'\", goto = \"down\" }, { when = \"steps.probe.value == 200\", goto = \"up\" }, { when = \"true\", goto = \"below\" }";
    let mut run = Run::start(&branch(cases, None));
    run.check_done(true, json!(200), "HTTP 200");
    assert_eq!(run.state("decide"), StepState::Passed);
    assert_eq!(run.state("up"), StepState::WaitingForYou);
    assert_eq!(run.state("below"), StepState::Pending);
    assert!(run
        .decisions()
        .iter()
        .any(|d| d == "case 2: `steps.probe.value == 200` holds → up"));
    assert_eq!(run.engine.records()[1].value, json!("up"));
}

#[test]
fn a_branch_falls_back_to_default_then_to_the_next_step() {
    let cases = "{ when = \"steps.probe.value == 1\", goto = \"up\" }";
    let mut run = Run::start(&branch(cases, Some("down")));
    run.check_done(true, json!(200), "HTTP 200");
    assert_eq!(run.state("down"), StepState::WaitingForYou);

    let mut run = Run::start(&branch(cases, None));
    run.check_done(true, json!(200), "HTTP 200");
    assert_eq!(run.state("below"), StepState::WaitingForYou);
}

#[test]
fn a_branch_whose_condition_errors_fails() {
    let mut run = Run::start(&branch(
        "{ when = \"steps.nope.status == 'x'\", goto = \"up\" }",
        None,
    ));
    run.pass();
    assert_eq!(run.state("decide"), StepState::Failed);
    assert!(run
        .output("decide")
        .starts_with("condition `steps.nope.status == 'x'`"));
}

#[test]
fn goto_end_and_next_steer_the_run() {
    let mut run = Run::start(&branch("{ when = \"true\", goto = \"end\" }", None));
    run.pass();
    assert_eq!(run.outcome(), Some(RunOutcome::completed()));
    assert_eq!(run.state("below"), StepState::Pending);

    let steps = format!("[[step]]\nid = \"a\"\nkind = \"note\"\nnext = \"c\"\n\n[[step]]\nid = \"b\"\nkind = \"note\"\n\n[[step]]\nid = \"c\"\nkind = \"note\"\nnext = \"end\"\n\n{NOTE_END}");
    let mut run = Run::start(&steps);
    run.send(Input::Acked { step: "a".into() });
    assert_eq!(run.state("c"), StepState::WaitingForYou);
    run.send(Input::Acked { step: "c".into() });
    assert_eq!(run.outcome(), Some(RunOutcome::completed()));
    assert_eq!(run.state("b"), StepState::Pending);
}
