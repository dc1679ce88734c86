//! A capacity run from the console (`:load URL --stages ...`), driven in tmux
//! as a person would, against the demo service in a `FROM scratch` container
//! on the real Docker engine held to a twentieth of a core with its `slow`
//! fault (100 ms): 2 users hold, 400 users need several times the CPU it may
//! use. The plan is confirmed in the dialog, the stage table fills stage by
//! stage, the verdict and the bottleneck end it, the report is written and
//! the run is audited; a second run stopped with `x` says so and claims no
//! stage it did not run. Assertions are on what the screen says, not on timings.

#[path = "support/images.rs"]
mod images;

#[allow(dead_code)] // the other tests use the rest
#[path = "support/tmux.rs"]
mod tmux;

use images::*;
use std::time::Duration;
use tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");

#[test]
fn a_capacity_run_fills_its_stage_table_and_ends_with_the_verdict() {
    let image = build_demo_v1(&opsdeck_binary());
    let demo = DemoContainer::start_cpu_bound(&image, "capacity-tui");

    let data = tempfile::tempdir().unwrap();
    let config = data.path().join("config.toml");
    // The local engine is watched without a [[docker]] entry; readings a second.
    std::fs::write(&config, "refresh = \"1s\"\n").unwrap();
    let report = data.path().join("capacity.md");
    let t = Tmux::start(
        "capacity-tui",
        220,
        50,
        BIN,
        &[
            ("OPSDECK_CONFIG", &config),
            ("OPSDECK_DATA_DIR", data.path()),
        ],
    );
    // The container behind the URL is known before the run is planned, so
    // its panes sit beside the stages.
    t.keys(&["2"]);
    t.wait_for("the demo workload listed", Duration::from_secs(30), |s| {
        s.contains(&demo.name)
    });

    let url = demo.url("/work");
    let line = format!(
        "load {url} --stages 2:3s,400:4s --threshold 'p95<500ms' --threshold 'errors<1%' --report {}",
        report.display()
    );
    t.keys(&[":", &line, "Enter"]);
    let plan = t.wait_for("the plan", Duration::from_secs(30), |s| {
        s.contains("Confirm") && s.contains("stage 2")
    });
    assert!(plan.contains("400 users for 4s"), "{plan}");
    assert!(plan.contains("beside each stage"), "{plan}");
    assert!(
        !report.exists(),
        "nothing is sent before the plan is confirmed"
    );
    t.keys(&["y"]);

    let first = t.wait_for("the first stage judged", Duration::from_secs(30), |s| {
        s.contains("1 of 2 judged")
    });
    assert!(first.contains("2 users for 3s"), "{first}");
    assert!(
        first
            .lines()
            .any(|l| l.contains("2 users for 3s") && l.contains("passed")),
        "{first}"
    );
    // The container's CPU and memory panes beside the stages.
    assert!(first.contains(&demo.name), "{first}");

    let end = t.wait_for("the verdict", Duration::from_secs(60), |s| {
        s.contains("report written to")
    });
    assert!(end.contains("holds 2 users at p95 "), "{end}");
    assert!(end.contains("fails at 400 users: p95 "), "{end}");
    assert!(
        end.lines()
            .any(|l| l.contains("400 users for 4s") && l.contains("FAILED")),
        "{end}"
    );
    // Beside the failed stage: the container's CPU against its limit, and
    // the judgement the degraded-performance runbook makes of it.
    assert!(end.contains("% of its limit"), "{end}");
    assert!(end.contains("CPU-bound: scale out"), "{end}");

    let md = std::fs::read_to_string(&report).expect("the report is written");
    assert!(
        md.starts_with("# Capacity run: GET http://127.0.0.1:"),
        "{md}"
    );
    assert!(
        md.contains("**Verdict: does not hold the target.** holds 2 users"),
        "{md}"
    );
    let audit = std::fs::read_to_string(data.path().join("audit.jsonl")).unwrap_or_default();
    let records: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{audit}");
    assert_eq!(records[0]["verb"], "load", "{audit}");
    assert_eq!(records[1]["ok"], false, "{audit}");

    // A second run, stopped in its first stage: that stage and the next are
    // not run, and the verdict holds no stage.
    let line = format!("load {url} --stages 2:30s,4:30s");
    t.keys(&[":", &line, "Enter"]);
    t.wait_for("the second plan", Duration::from_secs(30), |s| {
        s.contains("Confirm") && s.contains("2 users for 30s")
    });
    t.keys(&["y"]);
    t.wait_for("the first stage running", Duration::from_secs(30), |s| {
        s.contains("stage 1/2")
    });
    t.keys(&["x"]);
    let stopped = t.wait_for("the stopped verdict", Duration::from_secs(30), |s| {
        s.contains("(stopped early)")
    });
    assert!(
        stopped.contains("holds no stage; stopped at 2 users"),
        "{stopped}"
    );
    assert!(!stopped.contains("holds 2 users"), "{stopped}");
    assert!(
        stopped.contains("not run: stopped during the stage"),
        "{stopped}"
    );
    assert!(stopped.contains("not run: stopped early"), "{stopped}");
    let audit = std::fs::read_to_string(data.path().join("audit.jsonl")).unwrap_or_default();
    assert_eq!(audit.lines().count(), 4, "{audit}");
    t.keys(&[":", "q", "Enter"]);
}
