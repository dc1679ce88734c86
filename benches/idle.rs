//! Idle cost of the running console: CPU of one core and bytes written to the
//! terminal per second, at the default refresh (2 s), measured over 60 s after a
//! 10 s warm-up. The console runs in a real tmux pane; `tmux pipe-pane` counts
//! every byte it writes, and /proc/PID/stat gives its CPU time.
//! `cargo bench --bench idle` (OPSDECK_IDLE_SECS=N to change the 60 s window)

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(args)
        .output()
        .expect("tmux is needed for this benchmark");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn cpu_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("process is running");
    // Fields after the parenthesised name; utime and stime are the 14th and 15th.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

fn measure(width: u16, height: u16, secs: u64, dir: &Path) {
    let session = format!("opsdeck-idle-{}-{width}", std::process::id());
    let out = dir.join(format!("pty-{width}x{height}.bytes"));
    let config = dir.join("config.toml");
    std::fs::write(&config, "").unwrap();
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        &width.to_string(),
        "-y",
        &height.to_string(),
        "-e",
        &format!("OPSDECK_CONFIG={}", config.display()),
        &format!("exec {BIN}"),
    ]);
    tmux(&[
        "pipe-pane",
        "-o",
        "-t",
        &session,
        &format!("cat >> {}", out.display()),
    ]);
    let pid = tmux(&["display-message", "-p", "-t", &session, "#{pane_pid}"]);
    std::thread::sleep(Duration::from_secs(10));
    let bytes0 = std::fs::metadata(&out).map_or(0, |m| m.len());
    let ticks0 = cpu_ticks(&pid);
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(secs));
    let bytes = std::fs::metadata(&out).map_or(0, |m| m.len()) - bytes0;
    let ticks = cpu_ticks(&pid) - ticks0;
    let elapsed = t0.elapsed().as_secs_f64();
    tmux(&["kill-session", "-t", &session]);
    // The kernel counts CPU time in clock ticks of 1/100 s on Linux.
    let cpu_pct = ticks as f64 / 100.0 / elapsed * 100.0;
    println!(
        "idle {width}x{height}: CPU {cpu_pct:.2}% of one core, {:.0} B/s to the terminal ({bytes} B in {elapsed:.0} s)",
        bytes as f64 / elapsed
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let secs = std::env::var("OPSDECK_IDLE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let dir = tempfile::tempdir().unwrap();
    for (w, h) in [(80, 24), (160, 48)] {
        measure(w, h, secs, dir.path());
    }
}
