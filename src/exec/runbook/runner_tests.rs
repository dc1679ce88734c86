use super::*;
use crate::runbook::spec::Runbook;
use crate::runbook::status::RunMode;
use crate::runbook::timeline::Entry;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// Answers from a script and remembers what it was asked.
#[derive(Default)]
struct Scripted {
    input: Option<String>,
    confirm: bool,
    asked: Mutex<Vec<String>>,
}

impl Person for Scripted {
    fn confirm(&self, step: &str, _: &Action, _: &StepPlan, _: bool) -> bool {
        self.asked.lock().unwrap().push(format!("confirm {step}"));
        self.confirm
    }
    fn input(&self, ask: &Ask) -> Option<String> {
        self.asked
            .lock()
            .unwrap()
            .push(format!("input {}", ask.param));
        self.input.clone()
    }
    fn ack(&self, step: &str, text: &str) -> bool {
        self.asked
            .lock()
            .unwrap()
            .push(format!("ack {step}: {text}"));
        true
    }
    fn halted(&self, step: &str, _: &str) -> Input {
        self.asked.lock().unwrap().push(format!("halted {step}"));
        Input::Abort
    }
}

#[derive(Default)]
struct Seen(Vec<TimelineEntry>);

impl Observer for Seen {
    fn entry(&mut self, entry: &TimelineEntry) {
        self.0.push(entry.clone());
    }
    fn progress(&mut self, _: &str) {}
}

/// Nothing listens on port 1 of loopback, so probes there fail at once.
const RUNBOOK: &str = r#"
id = "runner-test"
title = "Runner test"

[params.who]
description = "Who is on call"

[[step]]
id = "ask"
kind = "input"
title = "Who is on call?"
param = "who"

[[step]]
id = "hello"
kind = "note"
title = "Greet"
text = "on call: {{ params.who }}"

[[step]]
id = "shell"
kind = "action"
title = "A shell action"
action = "shell"
command = "true"
on_failure = "continue"

[[step]]
id = "poll"
kind = "wait"
title = "Wait for a closed port"
probe = { url = "http://127.0.0.1:1/health", timeout = "1s" }
interval = "200ms"
timeout = "1s"
on_failure = "continue"

[[step]]
id = "probe"
kind = "check"
title = "Probe a closed port"
probe = { url = "http://127.0.0.1:1/health", timeout = "1s" }
"#;

async fn run(person: Arc<Scripted>) -> (Result<RunOutcome, String>, Vec<TimelineEntry>, String) {
    let rb = Runbook::parse(std::path::Path::new("runner-test.toml"), RUNBOOK).unwrap();
    let params = rb.bind_params(&BTreeMap::new(), &BTreeMap::new()).unwrap();
    let engine = Engine::new(rb, params, BTreeMap::new(), RunMode::Run);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.jsonl");
    let mut file = TimelineFile::open(&path).unwrap();
    let exec = Arc::new(Executor::new(crate::config::Config::default(), true));
    let mut seen = Seen::default();
    let outcome = drive(engine, exec, person, &mut file, &mut seen).await;
    let text = std::fs::read_to_string(&path).unwrap();
    (outcome, seen.0, text)
}

#[tokio::test]
async fn every_effect_is_answered_and_recorded_until_the_run_fails() {
    let person = Arc::new(Scripted {
        input: Some("alice".into()),
        ..Scripted::default()
    });
    let (outcome, seen, file) = tokio::time::timeout(Duration::from_secs(60), run(person.clone()))
        .await
        .expect("the run hung");
    let outcome = outcome.unwrap();
    assert!(
        matches!(&outcome, RunOutcome::Failed { step, .. } if step == "probe"),
        "{outcome:?}"
    );
    let asked = person.asked.lock().unwrap().clone();
    assert_eq!(
        asked,
        ["input who", "ack hello: on call: alice", "halted probe"]
    );
    // The shell action could not be planned, so nobody was asked to confirm it.
    let shell = seen
        .iter()
        .find(|e| {
            e.step.as_deref() == Some("shell") && matches!(e.event, Entry::StepFinished { .. })
        })
        .unwrap();
    let Entry::StepFinished { output, .. } = &shell.event else {
        unreachable!()
    };
    assert!(output.contains("not supported"), "{output}");
    // The wait polled on its timers and then gave up.
    assert!(seen.iter().any(|e| matches!(e.event, Entry::Polled { .. })));
    let wait = seen
        .iter()
        .find(|e| {
            e.step.as_deref() == Some("poll") && matches!(e.event, Entry::StepFinished { .. })
        })
        .unwrap();
    let Entry::StepFinished { output, .. } = &wait.event else {
        unreachable!()
    };
    assert!(output.contains("did not pass within 1s"), "{output}");
    // The file holds exactly what was shown, in order.
    let parsed = crate::runbook::timeline::parse(&file).unwrap();
    assert_eq!(parsed, seen);
    assert!(matches!(
        parsed.last().unwrap().event,
        Entry::RunFinished { .. }
    ));
}

#[tokio::test]
async fn no_answer_to_an_input_aborts_the_run() {
    let person = Arc::new(Scripted::default());
    let (outcome, _, _) = tokio::time::timeout(Duration::from_secs(60), run(person))
        .await
        .expect("the run hung");
    assert_eq!(
        outcome.unwrap(),
        RunOutcome::Aborted {
            step: Some("ask".into())
        }
    );
}
