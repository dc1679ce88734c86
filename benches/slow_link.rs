//! The console's output over a link, for its default views (1 Overview, 2
//! Workloads) at 80×24 watching the local Docker engine: bytes/s at idle and
//! while demo containers churn (one started and one removed every second,
//! about ten running), and the time from a key to its frame on the screen
//! through a relay that throttles the pty to 64 kbit/s.
//!
//! `cargo bench --bench slow_link`
//! Environment: OPSDECK_LINK_SECS (default 30, the window each byte count is
//! taken over, after a 10 s warm-up), OPSDECK_LINK_KEYS (default 10 key
//! presses timed per case).

#[path = "../tests/support/images.rs"]
mod images;
#[allow(dead_code)] // the test uses the rest
#[path = "../tests/support/slow_pty.rs"]
mod slow_pty;

use slow_pty::SlowPty;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");
const WARM_UP: Duration = Duration::from_secs(10);
/// A relay that is never the limit, for the byte counts.
const FAST: u64 = 100_000_000;
/// 64 kbit/s.
const SLOW: u64 = 8_000;
const HANG: Duration = Duration::from_secs(120);

/// Keeps about ten demo containers cycling until dropped, then removes them.
struct Churn {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    label: String,
}

impl Churn {
    fn start(image: String) -> Churn {
        let stop = Arc::new(AtomicBool::new(false));
        let label = format!("opsdeck-link-{}", std::process::id());
        let (flag, l) = (Arc::clone(&stop), label.clone());
        let thread = std::thread::spawn(move || {
            let mut i = 0usize;
            while !flag.load(Ordering::SeqCst) {
                let started = Instant::now();
                let name = format!("{l}-{i}");
                images::docker(&["run", "--detach", "--name", &name, "--label", &l, &image]);
                if i >= 10 {
                    let old = format!("{l}-{}", i - 10);
                    let _ = images::docker_output(&["rm", "-f", &old]);
                }
                i += 1;
                std::thread::sleep(Duration::from_secs(1).saturating_sub(started.elapsed()));
            }
        });
        Churn {
            stop,
            thread: Some(thread),
            label,
        }
    }
}

impl Drop for Churn {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let filter = format!("label={}", self.label);
        let ids = images::docker(&["ps", "-aq", "--filter", &filter]);
        let ids: Vec<&str> = ids.split_whitespace().collect();
        if !ids.is_empty() {
            let mut args = vec!["rm", "-f"];
            args.extend_from_slice(&ids);
            let _ = images::docker_output(&args);
        }
    }
}

struct Console {
    pty: SlowPty,
    _dir: tempfile::TempDir,
}

fn console(rate: u64) -> Console {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[[docker]]\nname = \"local\"\n").unwrap();
    let data = dir.path().join("data");
    let pty = SlowPty::start(
        BIN,
        &[
            ("OPSDECK_CONFIG", config.to_str().unwrap()),
            ("OPSDECK_DATA_DIR", data.to_str().unwrap()),
        ],
        80,
        24,
        rate,
    );
    pty.wait_for("the overview", HANG, |s| s.contains("Disks"));
    Console { pty, _dir: dir }
}

fn bytes_per_sec(c: &mut Console, key: &[u8], secs: u64) -> f64 {
    c.pty.keys(key);
    std::thread::sleep(WARM_UP);
    let before = c.pty.relayed();
    std::thread::sleep(Duration::from_secs(secs));
    (c.pty.relayed() - before) as f64 / secs as f64
}

/// How long after `t0` the relay last delivered a byte, once it has been
/// quiet for `QUIET` (the frame then is whole on the screen).
fn last_byte_after(c: &Console, t0: Instant) -> f64 {
    const QUIET: Duration = Duration::from_millis(300);
    let (mut seen, mut at) = (c.pty.relayed(), Instant::now());
    while at.elapsed() < QUIET {
        std::thread::sleep(Duration::from_millis(5));
        let now = c.pty.relayed();
        if now != seen {
            (seen, at) = (now, Instant::now());
        }
    }
    at.duration_since(t0).as_secs_f64() * 1e3
}

/// Milliseconds from each key to the screen first showing its view, and to
/// the frame's last byte, alternating Workloads and Overview.
fn key_to_frame(c: &mut Console, presses: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut first, mut whole) = (Vec::new(), Vec::new());
    for i in 0..presses {
        let (key, ready): (&[u8], fn(&str) -> bool) = if i % 2 == 0 {
            (b"2", |s| s.contains("WORKLOAD") && !s.contains("Disks"))
        } else {
            (b"1", |s| s.contains("Disks") && !s.contains("WORKLOAD"))
        };
        let t0 = Instant::now();
        c.pty.keys(key);
        c.pty.wait_for("the view after its key", HANG, ready);
        first.push(t0.elapsed().as_secs_f64() * 1e3);
        whole.push(last_byte_after(c, t0));
        std::thread::sleep(Duration::from_millis(500));
    }
    first.sort_by(f64::total_cmp);
    whole.sort_by(f64::total_cmp);
    (first, whole)
}

fn report_keys(case: &str, (first, whole): (Vec<f64>, Vec<f64>)) {
    let mid = |t: &[f64]| t[t.len() / 2];
    let max = |t: &[f64]| t[t.len() - 1];
    println!(
        "{case}: key → view at 64 kbit/s, {} presses: first sign median {:.0} ms (max {:.0}), whole frame median {:.0} ms (max {:.0})",
        first.len(),
        mid(&first),
        max(&first),
        mid(&whole),
        max(&whole)
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let env_num = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let secs = env_num("OPSDECK_LINK_SECS", 30);
    let presses = env_num("OPSDECK_LINK_KEYS", 10) as usize;
    let image = images::build_demo_v1(&images::opsdeck_binary());

    for churning in [false, true] {
        let _churn = churning.then(|| Churn::start(image.clone()));
        let case = if churning {
            "containers churning"
        } else {
            "idle"
        };
        let mut fast = console(FAST);
        for (view, key) in [("overview", b"1"), ("workloads", b"2")] {
            let rate = bytes_per_sec(&mut fast, key, secs);
            println!("{case}, {view}: {rate:.0} B/s over {secs} s");
        }
        drop(fast);
        let mut slow = console(SLOW);
        std::thread::sleep(WARM_UP);
        report_keys(case, key_to_frame(&mut slow, presses));
    }
}
