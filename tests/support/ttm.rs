//! Time to mitigate, as a new user meets an incident: `opsdeck demo up`, a
//! release that passes its deploy gate and then fails half its requests,
//! `opsdeck` started with nothing but the lines `demo up` printed (and the
//! alert's wait shortened through the documented config), then in the
//! console: the alert fires → Enter → the runbook → the rollback confirmed
//! → verified → the report written. Keys and seconds are counted. Shared by
//! the end-to-end test (tests/e2e_incident.rs) and the bench (benches/ttm.rs).
#![allow(dead_code)]

use super::free_port::free_port;
use super::images::unique_name;
use super::run_bin::{opsdeck, text};
use super::tmux::Tmux;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Hang guard only.
const PATIENCE: Duration = Duration::from_secs(240);
/// The wait of the tuned HighErrorRate rule.
pub const FOR_SECS: u64 = 10;
/// When the late release's fault switches on after its container starts.
pub const FAULT_AFTER_SECS: u64 = 30;

#[derive(Debug)]
pub struct Timings {
    pub keys: Vec<&'static str>,
    /// From launching the console until the report is written.
    pub launch_to_report: Duration,
    /// From the alert showing firing until the report is written.
    pub firing_to_report: Duration,
    /// From the fault switching on (or the launch, if later) until the
    /// report is written, less the alert's own `for`.
    pub beyond_for: Duration,
    pub report: String,
    pub outcome_line: String,
}

/// Keeps requests flowing through the front door: errors show in a
/// replica's request counters only when someone asks.
struct Traffic(Arc<AtomicBool>);

impl Traffic {
    fn start(url: String) -> Traffic {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                if let Ok(mut s) = std::net::TcpStream::connect(
                    url.trim_start_matches("http://")
                        .split('/')
                        .next()
                        .unwrap_or_default(),
                ) {
                    use std::io::{Read, Write};
                    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                    let _ = s.write_all(
                        b"GET /work HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n",
                    );
                    let mut sink = Vec::new();
                    let _ = s.read_to_end(&mut sink);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        Traffic(stop)
    }
}

impl Drop for Traffic {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

struct Demo {
    config: PathBuf,
    data: PathBuf,
    project: String,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = opsdeck(
            &self.config,
            &self.data,
            &["demo", "down", "--project", &self.project],
        );
    }
}

pub fn run(dir: &Path) -> Timings {
    let data = dir.join("data");
    let base = dir.join("base.toml");
    std::fs::write(&base, "[[docker]]\nname = \"local\"\n").unwrap();
    let project = unique_name("ttm");
    let port = free_port();
    let demo = Demo {
        config: base.clone(),
        data: data.clone(),
        project: project.clone(),
    };
    let up = opsdeck(
        &base,
        &data,
        &[
            "demo",
            "up",
            "--project",
            &project,
            "--port",
            &port.to_string(),
        ],
    );
    assert!(up.status.success(), "{}", text(&up));
    let printed = String::from_utf8_lossy(&up.stdout).into_owned();
    // What `demo up` printed for a config, and the documented way to
    // shorten a built-in rule's wait.
    let probe: String = printed
        .lines()
        .skip_while(|l| !l.starts_with("[[probe]]"))
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("try:"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(probe.contains("workload = "), "{printed}");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[docker]]\nname = \"local\"\n{probe}\n\n[[alert]]\nname = \"HighErrorRate\"\nfor = \"{FOR_SECS}s\"\n"
        ),
    )
    .unwrap();
    let workload = format!("local/{project}/api");
    let front = format!("http://127.0.0.1:{port}");
    let _traffic = Traffic::start(front.clone());

    let deploy = opsdeck(
        &config,
        &data,
        &["deploy", &workload, "opsdeck-demo:v3-late", "--yes"],
    );
    assert!(
        deploy.status.success(),
        "the late release passes its gate: {}",
        text(&deploy)
    );
    let fault_on = Instant::now() + Duration::from_secs(FAULT_AFTER_SECS);

    let session = Tmux::start(
        &format!("ttm-{}", std::process::id()),
        160,
        48,
        env!("CARGO_BIN_EXE_opsdeck"),
        &[("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)],
    );
    let launch = Instant::now();
    let mut keys = Vec::new();
    let mut press = |k: &'static str| {
        session.keys(&[k]);
        keys.push(k);
    };
    press("5");
    let screen = session.wait_for("HighErrorRate to fire", PATIENCE, |s| {
        alert_rows(s)
            .iter()
            .any(|l| l.contains("HighErrorRate") && l.contains("firing"))
    });
    let firing = Instant::now();
    // The worst alert comes first; move down to it if something else is worse.
    let rows = alert_rows(&screen);
    let at = rows
        .iter()
        .position(|l| l.contains("HighErrorRate") && l.contains("firing"))
        .unwrap_or(0);
    for _ in 0..at {
        press("j");
    }
    press("Enter");
    let confirm = session.wait_for("the rollback to be proposed", PATIENCE, |s| {
        s.contains("Apply: roll back") && s.contains("y apply")
    });
    assert!(confirm.contains(&workload), "{confirm}");
    press("y");
    session.wait_for("the recovery to be verified", PATIENCE, |s| {
        s.contains("Recovered") && s.contains("y or Enter continues")
    });
    press("y");
    let done = session.wait_for("the run's outcome", PATIENCE, |s| s.contains("outcome:"));
    let outcome_line = done
        .lines()
        .find_map(|l| l.split_once("outcome:"))
        .map(|(_, rest)| {
            let rest = rest.trim_end_matches(|c: char| c == '│' || c == '┃' || c.is_whitespace());
            format!("outcome:{rest}")
        })
        .unwrap_or_default();
    press("w");
    session.wait_for("the report", PATIENCE, |s| s.contains("report written to"));
    let reported = Instant::now();
    let path = std::fs::read_dir(data.join("runs"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .expect("the report next to the run's timeline");
    let report = std::fs::read_to_string(&path).unwrap();
    session.keys(&["q"]);
    drop(demo);
    let from = fault_on.max(launch);
    Timings {
        keys,
        launch_to_report: reported - launch,
        firing_to_report: reported - firing,
        beyond_for: (reported - from).saturating_sub(Duration::from_secs(FOR_SECS)),
        report,
        outcome_line,
    }
}

/// The rows of the alerts list, in order.
fn alert_rows(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .filter(|l| {
            [
                " firing ",
                " pending ",
                " resolved ",
                " no-data ",
                " error ",
            ]
            .iter()
            .any(|s| l.contains(s))
        })
        .collect()
}
