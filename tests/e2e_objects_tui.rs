//! The console's object keys against the real Docker engine, driven in tmux:
//! `d` describes a container (its password masked), `/` searches the
//! description, `y` shows the inspect JSON, and Ctrl-K kills the container
//! after the plan is confirmed, with the kill in the audit log.

#[path = "support/images.rs"]
mod images;

#[allow(dead_code)] // the other tests use the rest
#[path = "support/tmux.rs"]
mod tmux;

use images::*;
use std::time::{Duration, Instant};
use tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");
const PASSWORD: &str = "hunter2-e2e-41c7";

#[test]
fn describe_raw_and_kill_a_container_from_the_containers_view() {
    let image = build_demo_v1(&opsdeck_binary());
    let c = DemoContainer::start(&image, "objects-tui", &[("DB_PASSWORD", PASSWORD)]);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("opsdeck.toml");
    std::fs::write(&config, "[[docker]]\nname = \"local\"\n").unwrap();
    let data = dir.path().join("data");
    let t = Tmux::start(
        "objects-tui",
        160,
        48,
        BIN,
        &[("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)],
    );
    t.keys(&["3"]);
    t.wait_for("the container listed", Duration::from_secs(30), |s| {
        s.contains(&c.name)
    });
    t.keys(&["/"]);
    t.keys(&[&c.name]);
    t.keys(&["Enter"]);
    t.wait_for("the filter kept", Duration::from_secs(10), |s| {
        s.contains("Containers 1/1")
    });

    t.keys(&["d"]);
    let shown = t.wait_for("the description", Duration::from_secs(30), |s| {
        s.contains("Env DB_PASSWORD: ***")
    });
    assert!(
        shown.contains(&format!("Describe local/_/{}", c.name)),
        "{shown}"
    );
    assert!(
        shown.contains("── Status & conditions ──") && shown.contains("State: running"),
        "{shown}"
    );
    assert!(!shown.contains(PASSWORD), "{shown}");
    t.keys(&["/"]);
    t.keys(&["DEMO_VERSION"]);
    t.keys(&["Enter"]);
    t.wait_for("the search counted", Duration::from_secs(10), |s| {
        s.contains("/DEMO_VERSION 1 match")
    });
    t.keys(&["Escape", "y"]);
    let raw = t.wait_for("the inspect JSON", Duration::from_secs(30), |s| {
        s.contains("\"DB_PASSWORD=***\"")
    });
    assert!(raw.contains("Raw local/_/"), "{raw}");
    assert!(!raw.contains(PASSWORD), "{raw}");
    t.keys(&["Escape"]);

    t.keys(&["C-k"]);
    let plan = t.wait_for("the plan", Duration::from_secs(30), |s| {
        s.contains("Confirm") && s.contains("y apply")
    });
    assert!(
        plan.contains(&format!("kill local/_/{} with SIGKILL", c.name)),
        "{plan}"
    );
    assert_eq!(
        c.inspect("{{.State.Status}}"),
        "running",
        "nothing before y"
    );
    t.keys(&["y"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while c.inspect("{{.State.Status}} {{.State.ExitCode}}") != "exited 137" {
        assert!(Instant::now() < deadline, "not killed:\n{}", t.screen());
        std::thread::sleep(Duration::from_millis(200));
    }
    t.wait_for("the outcome", Duration::from_secs(30), |s| {
        s.contains("the engine now says exited (137)")
    });
    let audit = std::fs::read_to_string(data.join("audit.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let phases: Vec<&str> = records.iter().filter_map(|r| r["phase"].as_str()).collect();
    assert_eq!(phases, ["intent", "outcome"], "{audit}");
    assert!(records.iter().all(|r| r["verb"] == "kill"), "{audit}");
    t.keys(&["Escape", "q"]);
    t.wait_for("the console to end", Duration::from_secs(10), |s| {
        s.contains("EXITED 0")
    });
}
