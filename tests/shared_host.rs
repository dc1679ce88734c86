//! Several people acting from one host, through the real binary: one action
//! at a time per workload between processes.
//!
//! The lock: two load runs against one service race for it and exactly one
//! wins; the winner is killed with SIGKILL mid-run, leaving its lock file
//! behind, and the next run takes the workload at once (the kernel dropped
//! the lock with the process; no pid is checked, nothing is stale).

#[path = "support/demo_process.rs"]
mod demo_process;

use std::io::Read as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");

/// `opsdeck load` against `url` with the shared data dir, in the background.
fn load(data: &std::path::Path, url: &str, extra: &[&str]) -> Child {
    Command::new(BIN)
        .args(["load", url, "-c", "1", "--yes"])
        .args(extra)
        .env("OPSDECK_CONFIG", data.join("none.toml"))
        .env("OPSDECK_DATA_DIR", data)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start opsdeck load")
}

fn output(child: &mut Child) -> String {
    let mut text = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut text).unwrap();
    }
    if let Some(mut err) = child.stderr.take() {
        err.read_to_string(&mut text).unwrap();
    }
    text
}

#[test]
fn racing_processes_take_turns_and_a_killed_holder_frees_the_workload() {
    let service = demo_process::DemoProcess::start();
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join("none.toml"), "").unwrap();
    let url = format!("{}/work", service.base);
    let workload = format!("load/_/{}", service.base.trim_start_matches("http://"));
    // Long, slow runs: the loser must find the winner still holding the lock.
    let slow = ["--rate", "5", "-d", "120s"];
    let mut racers = [
        load(data.path(), &url, &slow),
        load(data.path(), &url, &slow),
    ];

    let deadline = Instant::now() + Duration::from_secs(30);
    let (loser, status) = loop {
        let done = racers
            .iter_mut()
            .enumerate()
            .find_map(|(i, c)| c.try_wait().unwrap().map(|s| (i, s)));
        if let Some(found) = done {
            break found;
        }
        assert!(Instant::now() < deadline, "neither racer was refused");
        std::thread::sleep(Duration::from_millis(50));
    };
    let winner = 1 - loser;
    let said = output(&mut racers[loser]);
    assert_eq!(status.code(), Some(1), "{said}");
    let holder = racers[winner].id();
    assert!(
        said.contains(&format!("another action on {workload} is running (by "))
            && said.contains(&format!(", pid {holder});")),
        "the refusal names the holder (pid {holder}): {said}"
    );
    assert!(
        racers[winner].try_wait().unwrap().is_none(),
        "the winner still runs"
    );

    // SIGKILL: no Drop, no clean-up; the lock file stays with its pid in it.
    racers[winner].kill().unwrap();
    racers[winner].wait().unwrap();
    let lock_file = std::fs::read_dir(data.path().join("locks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "lock"))
        .expect("the lock file is left behind");
    let left = std::fs::read_to_string(&lock_file).unwrap();
    assert!(left.starts_with(&format!("{holder} ")), "{left}");

    let mut next = load(data.path(), &url, &["-n", "3"]);
    let status = next.wait().unwrap();
    let said = output(&mut next);
    assert!(status.success(), "the next run takes the workload: {said}");
    assert!(!said.contains("another action"), "{said}");
    let left = std::fs::read_to_string(&lock_file).unwrap();
    assert!(left.starts_with(&format!("{} ", next.id())), "{left}");

    // The audit log tells the story: the killed run's intent without an
    // outcome, then the next run's intent and outcome; the refused one is absent.
    let audit = std::fs::read_to_string(data.path().join("audit.jsonl")).unwrap();
    let phases: Vec<String> = audit
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["phase"].to_string())
        .collect();
    assert_eq!(
        phases,
        [r#""intent""#, r#""intent""#, r#""outcome""#],
        "{audit}"
    );
}
