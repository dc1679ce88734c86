//! The console against the real Docker engine, driven in tmux as an on-call
//! would: find a Compose service, scale it from the workloads view after
//! reading the plan, and read its logs.

#[path = "support/images.rs"]
mod images;
#[path = "support/run_bin.rs"]
mod run_bin;

#[path = "support/actions.rs"]
mod actions;

#[allow(dead_code)] // the other tests use the rest
#[path = "support/tmux.rs"]
mod tmux;

use actions::*;
use std::time::{Duration, Instant};
use tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");

#[test]
fn scale_from_the_workloads_view_then_read_the_logs() {
    let (_tags, v1, _, _) = images("tui");
    let p = Project::up("tui", &v1, 1);
    // The project name ends in a unique hex stamp; filtering on it finds this workload alone.
    let stamp = p.name.rsplit('-').next().unwrap().to_string();
    let t = Tmux::start(
        "docker-tui",
        160,
        48,
        BIN,
        &[("OPSDECK_CONFIG", &p.config), ("OPSDECK_DATA_DIR", &p.data)],
    );
    t.keys(&["2"]);
    t.wait_for("the workload listed", Duration::from_secs(30), |s| {
        s.contains(&stamp)
    });
    t.keys(&["/"]);
    t.keys(&[&stamp]);
    t.keys(&["Enter"]);
    t.wait_for("the filter kept", Duration::from_secs(10), |s| {
        s.contains("Workloads 1/1")
    });

    t.keys(&["s"]);
    t.keys(&["2", "Enter"]);
    let plan = t.wait_for("the plan", Duration::from_secs(30), |s| {
        s.contains("Confirm") && s.contains("y apply")
    });
    assert!(
        plan.contains(&format!("scale {} 1 → 2", p.workload())),
        "{plan}"
    );
    assert!(plan.contains("replica 2"), "{plan}");
    assert_eq!(
        p.ids().len(),
        1,
        "nothing may change before the plan is confirmed"
    );
    t.keys(&["y"]);
    let deadline = Instant::now() + Duration::from_secs(90);
    while p.ids().len() != 2 {
        assert!(
            Instant::now() < deadline,
            "not scaled to 2:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    t.wait_for("the workload at 2 ready", Duration::from_secs(60), |s| {
        s.lines().any(|l| l.contains(&stamp) && l.contains("2/2"))
    });
    // The outcome is written once the new replica has passed its health gate.
    let deadline = Instant::now() + Duration::from_secs(60);
    let audit = loop {
        let audit = p.audit();
        if audit.len() >= 2 || Instant::now() > deadline {
            break audit;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    let phases: Vec<&str> = audit.iter().filter_map(|r| r["phase"].as_str()).collect();
    assert_eq!(phases, ["intent", "outcome"], "{audit:?}");
    assert_eq!(audit[1]["verb"], "scale", "{audit:?}");
    t.keys(&["Escape"]);
    t.keys(&["l"]);
    t.wait_for(
        "the demo's start-up line in the logs",
        Duration::from_secs(30),
        |s| s.contains("listening on"),
    );
    t.keys(&["Escape", "q"]);
    t.wait_for("the console to end", Duration::from_secs(10), |s| {
        s.contains("EXITED 0")
    });
}
