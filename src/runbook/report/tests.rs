use super::*;
use crate::runbook::engine::{Effect, Engine, Input, StepPlan};
use crate::runbook::spec::Prior;
use crate::runbook::status::RunMode;
use crate::runbook::timeline::Entry;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;

const RB: &str = r#"
id = "scale-out"
title = "Scale out"
severity = "warning"

[params.workload]
default = "local/shop/api"

[[step]]
id = "probe"
kind = "check"
title = "Health | status"
probe = { url = "http://x/health" }
on_failure = "continue"

[[step]]
id = "scale"
kind = "action"
title = "Scale to 4"
action = "scale"
workload = "{{ params.workload }}"
replicas = 4

[[step]]
id = "again"
kind = "action"
title = "Scale to 6"
action = "scale"
workload = "{{ params.workload }}"
replicas = 6

[[step]]
id = "done"
kind = "note"
title = "Done"
"#;

/// Records every effect and answers requests by their newest ticket.
struct Driver {
    engine: Engine,
    effects: Vec<Effect>,
    t: u32,
}

impl Driver {
    fn send(&mut self, e: Input) {
        self.t += 30;
        let at = format!("2024-05-01T03:{:02}:{:02}Z", self.t / 60, self.t % 60);
        let fx = self.engine.handle(&at, e);
        self.effects.extend(fx);
    }

    fn ticket(&self, want: fn(&Effect) -> Option<u64>) -> u64 {
        self.effects
            .iter()
            .rev()
            .find_map(want)
            .expect("no such request")
    }

    fn entries(&self) -> Vec<TimelineEntry> {
        self.effects
            .iter()
            .filter_map(|e| match e {
                Effect::Record(r) => Some(r.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Runs the runbook: the probe fails, the first scale is applied, the second declined.
fn run() -> (Runbook, Vec<TimelineEntry>) {
    let rb = Runbook::parse(Path::new("r.toml"), RB).unwrap();
    let params = rb.bind_params(&BTreeMap::new(), &BTreeMap::new()).unwrap();
    let engine = Engine::new(rb.clone(), params, BTreeMap::new(), RunMode::Run);
    let mut d = Driver {
        engine,
        effects: Vec::new(),
        t: 0,
    };
    d.send(Input::Start);
    let ticket = d.ticket(|e| match e {
        Effect::RunCheck { ticket, .. } => Some(*ticket),
        _ => None,
    });
    let output = "HTTP 503".to_string();
    d.send(Input::CheckDone {
        step: "probe".into(),
        ticket,
        passed: false,
        inconclusive: false,
        value: json!(503),
        output,
    });
    for (step, replicas, confirm) in [("scale", 4, true), ("again", 6, false)] {
        let ticket = d.ticket(|e| match e {
            Effect::PlanAction { ticket, .. } => Some(*ticket),
            _ => None,
        });
        let plan = StepPlan {
            text: format!("api: 2 → {replicas} replicas"),
            prior: Prior::default(),
        };
        d.send(Input::ActionPlanned {
            step: step.into(),
            ticket,
            plan: Ok(plan),
        });
        if confirm {
            d.send(Input::Confirmed { step: step.into() });
            let ticket = d.ticket(|e| match e {
                Effect::ApplyAction { ticket, .. } => Some(*ticket),
                _ => None,
            });
            d.send(Input::ActionDone {
                step: step.into(),
                ticket,
                ok: true,
                output: "scaled | ok".into(),
            });
        } else {
            d.send(Input::Declined { step: step.into() });
        }
    }
    d.send(Input::Acked {
        step: "done".into(),
    });
    (rb, d.entries())
}

#[test]
fn report_has_summary_timeline_actions_steps_and_series() {
    let (rb, entries) = run();
    let series = vec![
        (
            "probe:site:latency_p95".to_string(),
            vec![0.1, 0.2, 2.5, 2.4, f64::NAN, 0.3],
        ),
        ("workload:local/shop/api:ready".to_string(), vec![]),
    ];
    let md = render(&rb, &entries, &series);
    assert!(
        md.starts_with("# Incident report: Scale out\n\n## Summary\n"),
        "{md}"
    );
    for line in [
        "- **Verdict:** completed\n",
        "- **What fired:** no alert: the run was started by hand\n",
        "- **Run:** `scale-out` (Scale out), run mode, 2024-05-01T03:00:30Z to 2024-05-01T03:04:00Z (3m30s)\n",
        "- **Time to mitigate:** not verified: no check after the action passed\n",
        "- **Params:** `workload` = `local/shop/api`\n",
        "### What the checks found\n\n- Health | status: failed — HTTP 503\n",
        "### What was done\n\n- scale local/shop/api to 4: scaled | ok at 03:02:30\n- declined: scale local/shop/api to 6 at 03:03:30\n",
        "### State now\n\n- completed\n",
    ] {
        assert!(md.contains(line), "{line} in {md}");
    }
    assert!(
        md.contains("| 03:00:30 |  | run of `scale-out` started (run) |"),
        "{md}"
    );
    assert!(
        md.contains("| Health \\| status | failed: HTTP 503 |"),
        "{md}"
    );
    assert!(
        md.contains("| 03:00:30 | Health \\| status | check: GET http://x/health |"),
        "{md}"
    );
    assert!(
        md.contains("### Scale to 4\n\n- **Action:** scale local/shop/api to 4"),
        "{md}"
    );
    assert!(md.contains("```text\napi: 2 → 4 replicas\n```"), "{md}");
    assert!(md.contains("- **Decision:** confirmed\n- **Outcome:** applied at 2024-05-01T03:02:30Z: scaled | ok"), "{md}");
    assert!(md.contains("### Scale to 6"), "{md}");
    assert!(
        md.contains("- **Decision:** declined\n- **Outcome:** not applied\n\n## Steps\n\n"),
        "{md}"
    );
    assert!(
        md.contains("| Scale to 6 | action | skipped | declined; nothing changed |"),
        "{md}"
    );
    assert!(
        md.contains("probe:site:latency_p95         ▁▁██ ▂  min 0.1  max 2.5  last 0.3"),
        "{md}"
    );
    assert!(
        md.contains("workload:local/shop/api:ready    no data"),
        "{md}"
    );
}

#[test]
fn a_run_without_actions_or_series_says_so() {
    let rb = Runbook::parse(Path::new("r.toml"), RB).unwrap();
    let started = TimelineEntry::new(
        "2024-05-01T03:00:00Z",
        None,
        Entry::RunStarted {
            runbook: "scale-out".into(),
            mode: RunMode::Plan,
            params: BTreeMap::new(),
            labels: [("alertname".to_string(), "X".to_string())].into(),
            alert: None,
            withheld: Vec::new(),
        },
    );
    let md = render(&rb, &[started], &[]);
    assert!(md.contains("No actions were planned or taken."));
    assert!(md.contains("- **Verdict:** unfinished"), "{md}");
    assert!(md.contains(", plan mode, "), "{md}");
    assert!(
        md.contains("- **What fired:** X (the run was opened from it)"),
        "{md}"
    );
    assert!(md.contains("- **Alert labels:** `alertname` = `X`"), "{md}");
    assert!(md.contains("- Nothing was changed."), "{md}");
    assert!(md.contains("| Scale to 4 | action | not run |  |"));
    assert!(!md.contains("## Key series"));
}

#[test]
fn helpers_format_cells_clocks_and_durations() {
    assert_eq!(cell(" a|b\nc "), "a\\|b<br>c");
    assert_eq!(clock("2024-05-01T03:04:05.123Z"), "03:04:05");
    assert_eq!(clock("yesterday"), "yesterday");
    assert_eq!(
        elapsed("2024-05-01T03:00:00Z", "2024-05-01T04:01:01.5Z"),
        Some(Duration::from_secs(3661))
    );
    assert_eq!(elapsed("x", "2024-05-01T04:01:01Z"), None);
}

#[test]
fn the_summary_says_what_fired_and_when_a_fix_was_verified_and_polls_collapse() {
    use crate::runbook::timeline::FiredAlert;
    let rb = Runbook::parse(
        Path::new("r.toml"),
        "id = \"r\"\ntitle = \"R\"\n[[step]]\nid = \"fix\"\nkind = \"action\"\naction = \"restart\"\nworkload = \"local/shop/api\"\n[[step]]\nid = \"ok\"\nkind = \"wait\"\ntitle = \"Answering?\"\nprobe = { url = \"http://x/h\" }\n",
    )
    .unwrap();
    let at = |s: u32| format!("2024-05-01T03:{:02}:{:02}Z", s / 60, s % 60);
    let mut entries = vec![TimelineEntry::new(
        &at(0),
        None,
        Entry::RunStarted {
            runbook: "r".into(),
            mode: RunMode::Run,
            params: BTreeMap::new(),
            labels: BTreeMap::new(),
            alert: Some(FiredAlert {
                name: "SiteDown".into(),
                severity: "critical".into(),
                series: "probe:site:up".into(),
                value: Some(0.0),
                threshold: Some(0.0),
                since: 1_714_532_100.0,
            }),
            withheld: Vec::new(),
        },
    )];
    let action = crate::runbook::spec::Action::Restart {
        workload: "local/shop/api".into(),
    };
    entries.push(TimelineEntry::new(
        &at(20),
        Some("fix"),
        Entry::ActionApplied {
            action,
            prior: Default::default(),
            ok: true,
            output: "restarted".into(),
            undo: false,
        },
    ));
    for s in [30, 35, 40, 45] {
        entries.push(TimelineEntry::new(
            &at(s),
            Some("ok"),
            Entry::Polled {
                value: json!(503),
                output: "HTTP 503".into(),
            },
        ));
    }
    entries.push(TimelineEntry::new(
        &at(90),
        Some("ok"),
        Entry::StepFinished {
            status: crate::runbook::status::StepState::Passed,
            value: json!(200),
            output: "HTTP 200".into(),
        },
    ));
    let md = render(&rb, &entries, &[]);
    assert!(
        md.contains("- **What fired:** SiteDown (critical) on `probe:site:up`, value 0 against 0, since 2024-05-01T02:55:00Z"),
        "{md}"
    );
    assert!(
        md.contains("- **Time to mitigate:** 1m30s (verified by \"Answering?\" at 03:01:30)"),
        "{md}"
    );
    assert!(
        md.contains("polled 4× over 15s: not yet (last: HTTP 503), then passed: HTTP 200"),
        "{md}"
    );
}
