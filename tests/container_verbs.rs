//! `opsdeck stop`, `start` and `kill` on a container of the demo image in
//! the real Docker engine, driving the real binary: the engine's own state
//! (`docker inspect`) after each, `--dry-run`, `--read-only` and an
//! unconfirmed run changing nothing, and an audit record for each run.

#[path = "support/images.rs"]
mod images;
#[path = "support/run_bin.rs"]
mod run_bin;

use images::*;
use run_bin::{opsdeck, text};

fn state(c: &DemoContainer) -> String {
    c.inspect("{{.State.Status}} {{.State.ExitCode}}")
}

#[test]
fn stop_start_and_kill_a_container_seen_by_the_engine_and_audited() {
    let image = build_demo_v1(&opsdeck_binary());
    let c = DemoContainer::start(&image, "verbs", &[]);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("opsdeck.toml");
    std::fs::write(&config, "[[docker]]\nname = \"local\"\n").unwrap();
    let data = dir.path().join("data");
    let addr = format!("local/{}", c.name);
    let run = |args: &[&str]| opsdeck(&config, &data, args);
    assert_eq!(state(&c), "running 0");

    let ro = run(&["--read-only", "kill", &addr, "--yes"]);
    assert_eq!(ro.status.code(), Some(3), "{}", text(&ro));
    let dry = run(&["stop", &addr, "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry));
    assert!(
        text(&dry).contains("SIGKILL after 10 s"),
        "the plan says how it stops: {}",
        text(&dry)
    );
    let unconfirmed = run(&["stop", &addr]);
    assert_eq!(unconfirmed.status.code(), Some(4), "{}", text(&unconfirmed));
    assert_eq!(
        state(&c),
        "running 0",
        "a refusal or dry run changed the container"
    );

    let stop = run(&["stop", &addr, "--yes"]);
    assert!(stop.status.success(), "{}", text(&stop));
    assert!(state(&c).starts_with("exited"), "{}", state(&c));
    assert!(
        text(&stop).contains("the engine now says exited"),
        "{}",
        text(&stop)
    );

    let start = run(&["start", &format!("local/_/{}", c.name), "--yes"]);
    assert!(start.status.success(), "{}", text(&start));
    assert_eq!(state(&c), "running 0");

    let kill = run(&["kill", &addr, "--yes"]);
    assert!(kill.status.success(), "{}", text(&kill));
    assert_eq!(state(&c), "exited 137", "SIGKILL by default");
    assert!(text(&kill).contains("exited (137)"), "{}", text(&kill));

    // Nothing to signal: refused before a plan, not audited.
    let again = run(&["kill", &addr, "--yes"]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(text(&again).contains("is not running"), "{}", text(&again));
    let bad = run(&["kill", &addr, "--signal", "SIGNOPE", "--yes"]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(text(&bad).contains("not a signal"), "{}", text(&bad));
    let service = run(&["stop", "local/shop/api", "--yes"]);
    assert_eq!(service.status.code(), Some(2), "{}", text(&service));
    assert!(
        text(&service).contains("names a service"),
        "{}",
        text(&service)
    );

    let audit: Vec<serde_json::Value> = std::fs::read_to_string(data.join("audit.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let seen: Vec<(String, String)> = audit
        .iter()
        .map(|r| (r["verb"].to_string(), r["phase"].to_string()))
        .collect();
    let want: Vec<(String, String)> = ["stop", "stop", "start", "start", "kill", "kill"]
        .iter()
        .zip(["intent", "outcome"].iter().cycle())
        .map(|(v, p)| (format!("\"{v}\""), format!("\"{p}\"")))
        .collect();
    assert_eq!(seen, want);
    let workload = format!("local/_/{}", c.name);
    assert!(audit.iter().all(|r| r["workload"] == workload.as_str()));
    assert!(
        audit.iter().skip(1).step_by(2).all(|r| r["ok"] == true),
        "{audit:?}"
    );
    assert_eq!(audit[4]["request"], "kill the container with SIGKILL");
}
