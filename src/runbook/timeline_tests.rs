use super::*;
use serde_json::json;

fn e(at: &str, step: Option<&str>, event: Entry) -> TimelineEntry {
    TimelineEntry::new(at, step, event)
}

fn started() -> TimelineEntry {
    let params = [("workload".to_string(), json!("local/shop/api"))]
        .into_iter()
        .collect();
    e(
        "2024-05-01T03:00:00Z",
        None,
        Entry::RunStarted {
            runbook: "site-down".into(),
            mode: RunMode::Run,
            params,
            labels: BTreeMap::new(),
            alert: None,
            withheld: Vec::new(),
        },
    )
}

fn scale(n: u32) -> Action {
    Action::Scale {
        workload: "w".into(),
        replicas: n,
    }
}

fn applied(step: &str, n: u32, undo: bool) -> TimelineEntry {
    let prior = Prior {
        replicas: Some(2),
        ..Prior::default()
    };
    e(
        "t",
        Some(step),
        Entry::ActionApplied {
            action: scale(n),
            prior,
            ok: true,
            output: "done".into(),
            undo,
        },
    )
}

#[test]
fn entries_are_flat_json_lines_that_round_trip() {
    let entry = e(
        "2024-05-01T03:00:01Z",
        Some("probe"),
        Entry::StepStarted { attempt: 1 },
    );
    let line = entry.to_line();
    assert_eq!(line, "{\"at\":\"2024-05-01T03:00:01Z\",\"step\":\"probe\",\"event\":\"step_started\",\"attempt\":1}\n");
    let text = format!("{}{}", started().to_line(), line);
    assert_eq!(parse(&text).unwrap(), vec![started(), entry]);
}

#[test]
fn a_torn_last_line_is_dropped_but_a_bad_middle_line_is_an_error() {
    let good = started().to_line();
    assert_eq!(
        parse(&format!("{good}{{\"at\":\"x\",\"ev")).unwrap().len(),
        1
    );
    let err = parse(&format!("{good}garbage\n{good}")).unwrap_err();
    assert!(err.starts_with("line 2:"), "{err}");
    assert!(parse(&format!("{good}garbage\n")).is_err());
}

#[test]
fn rebuilds_params_results_and_actions_still_in_effect() {
    let entries = vec![
        started(),
        e("t", Some("probe"), Entry::StepStarted { attempt: 1 }),
        e(
            "t",
            Some("probe"),
            Entry::StepFinished {
                status: StepState::Failed,
                value: json!(503),
                output: "HTTP 503".into(),
            },
        ),
        e(
            "t",
            Some("ask"),
            Entry::InputGiven {
                param: "replicas".into(),
                value: json!(4),
                withheld: false,
            },
        ),
        applied("up", 4, false),
        applied("more", 6, false),
        applied("more", 2, true),
        e("t", Some("verify"), Entry::StepStarted { attempt: 1 }),
        e(
            "t9",
            None,
            Entry::RunFinished {
                outcome: RunOutcome::Failed {
                    step: "verify".into(),
                    reason: "timed out".into(),
                },
            },
        ),
    ];
    let snap = RunState::rebuild(&entries).unwrap();
    assert_eq!(snap.runbook, "site-down");
    assert_eq!(snap.params["replicas"], json!(4));
    assert_eq!(snap.steps["probe"].output, "HTTP 503");
    assert_eq!(snap.steps["verify"].status, StepState::Running);
    assert_eq!(snap.applied.len(), 1);
    assert_eq!(snap.applied[0].action, scale(4));
    assert_eq!(snap.resume_point().unwrap(), "verify");
    assert_eq!(
        (snap.started_at.as_deref(), snap.last_at.as_deref()),
        (Some("2024-05-01T03:00:00Z"), Some("t9"))
    );
}

#[test]
fn resume_point_after_a_crash_or_a_finished_run() {
    let crashed = vec![
        started(),
        e("t", Some("probe"), Entry::StepStarted { attempt: 1 }),
    ];
    assert_eq!(
        RunState::rebuild(&crashed).unwrap().resume_point().unwrap(),
        "probe"
    );
    let done = vec![
        started(),
        e(
            "t",
            None,
            Entry::RunFinished {
                outcome: RunOutcome::completed(),
            },
        ),
    ];
    assert!(RunState::rebuild(&done)
        .unwrap()
        .resume_point()
        .unwrap_err()
        .contains("completed"));
    let mut resumed = done.clone();
    resumed.push(e(
        "t",
        None,
        Entry::RunResumed {
            from: "probe".into(),
            mode: RunMode::Plan,
        },
    ));
    let snap = RunState::rebuild(&resumed).unwrap();
    assert_eq!((snap.outcome.clone(), snap.mode), (None, RunMode::Plan));
    assert!(snap.resume_point().unwrap_err().contains("never started"));
    assert!(RunState::rebuild(&[]).unwrap_err().contains("run_started"));
}

#[test]
fn acks_made_during_the_run_join_its_timeline_in_time_order() {
    let ack = |at: &str, unix: i64, note: &str| crate::model::Ack {
        at: at.into(),
        unix,
        who: "ana@ops-1".into(),
        source: "am".into(),
        rule: "SiteDown".into(),
        series: String::new(),
        state: "firing".into(),
        since: 0.0,
        note: note.into(),
    };
    // 2026-01-01T10:00:30Z, inside the run; then one an hour later, outside.
    let acks = vec![
        ack("2026-01-01T10:00:30Z", 1_767_261_630, "on it"),
        ack("2026-01-01T11:00:00Z", 1_767_265_200, "later"),
    ];
    let run = vec![
        e(
            "2026-01-01T10:00:00.5Z",
            None,
            Entry::Decision { text: "a".into() },
        ),
        e(
            "2026-01-01T10:01:00Z",
            None,
            Entry::Decision { text: "b".into() },
        ),
    ];
    let merged = with_acks(&run, &acks);
    assert_eq!(merged.len(), 3, "{merged:?}");
    assert_eq!(merged[1].at, "2026-01-01T10:00:30Z");
    assert_eq!(
        crate::runbook::report::describe(&merged[1].event),
        "alert SiteDown (am) acknowledged by ana@ops-1 (on it)"
    );
    let line = merged[1].to_line();
    assert_eq!(parse(&line).unwrap()[0], merged[1], "round trips as JSONL");
}
