//! Several people acting from one host, through the real binary: one action
//! at a time per workload between processes, and an audit log that names the
//! person behind a shared account.
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
    load_as(data, url, extra, &[])
}

fn load_as(data: &std::path::Path, url: &str, extra: &[&str], env: &[(&str, &str)]) -> Child {
    Command::new(BIN)
        .args(["load", url, "-c", "1", "--yes"])
        .args(extra)
        .env("OPSDECK_CONFIG", data.join("none.toml"))
        .env("OPSDECK_DATA_DIR", data)
        .env_remove("SUDO_USER")
        .env_remove("SSH_CONNECTION")
        .envs(env.iter().copied())
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

fn opsdeck(data: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .env("OPSDECK_CONFIG", data.join("none.toml"))
        .env("OPSDECK_DATA_DIR", data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// A shared account (`deploy` on a bastion) reached by `sudo` from an SSH
/// session: the audit log keeps who ran sudo and where the SSH client was,
/// beside `user@host`; `opsdeck audit` and `--json` show them, and a record
/// written before these fields existed still reads.
#[test]
fn the_audit_log_names_the_person_behind_a_shared_account() {
    let service = demo_process::DemoProcess::start();
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join("none.toml"), "").unwrap();
    let old = r#"{"at":"2026-11-23T10:00:00Z","who":"ana@ops-1","phase":"intent","target":"load","workload":"load/_/old:80","verb":"load","request":"load","plan":{"summary":"an older record","steps":[]}}"#;
    std::fs::write(data.path().join("audit.jsonl"), format!("{old}\n")).unwrap();

    let url = format!("{}/work", service.base);
    let shared = [
        ("SUDO_USER", "alice"),
        ("SSH_CONNECTION", "203.0.113.7 50022 10.0.0.1 22"),
    ];
    let mut run = load_as(data.path(), &url, &["-n", "2"], &shared);
    let status = run.wait().unwrap();
    assert!(status.success(), "{}", output(&mut run));

    let json = opsdeck(data.path(), &["audit", "--json"]);
    let records: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 3, "{json}");
    assert_eq!(records[0]["who"], "ana@ops-1");
    assert!(records[0].get("sudo_user").is_none(), "{json}");
    for r in &records[1..] {
        assert_eq!(r["sudo_user"], "alice", "{json}");
        assert_eq!(r["ssh_from"], "203.0.113.7:50022", "{json}");
        let who = r["who"].as_str().unwrap();
        assert!(who.contains('@') && who != "ana@ops-1", "{json}");
    }

    let table = opsdeck(data.path(), &["audit"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[1].contains("ana@ops-1") && !lines[1].contains("sudo by"),
        "{table}"
    );
    for line in &lines[2..] {
        // After `login NAME, ` when the system keeps a login name.
        assert!(
            line.contains("sudo by alice, ssh from 203.0.113.7:50022)"),
            "{table}"
        );
    }
}
