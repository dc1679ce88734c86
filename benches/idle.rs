//! Idle cost of the running console: CPU of one core and bytes written to the
//! terminal per second, at the default refresh (2 s), measured over 60 s after a
//! 10 s warm-up. The console runs in a real tmux pane; `tmux pipe-pane` counts
//! every byte it writes, and /proc/PID/stat gives its CPU time.
//! `cargo bench --bench idle` (OPSDECK_IDLE_SECS=N to change the 60 s window)

use std::path::Path;
use std::time::{Duration, Instant};

#[path = "support/proc_stats.rs"]
mod proc_stats;
use proc_stats::{cpu_percent, cpu_ticks, start_in_tmux, tmux};

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");

fn measure(width: u16, height: u16, secs: u64, dir: &Path) {
    let session = format!("opsdeck-idle-{}-{width}", std::process::id());
    let out = dir.join(format!("pty-{width}x{height}.bytes"));
    let config = dir.join("config.toml");
    std::fs::write(&config, "").unwrap();
    let config_env = config.display().to_string();
    let pid = start_in_tmux(
        &session,
        width,
        height,
        &[("OPSDECK_CONFIG", &config_env)],
        BIN,
    );
    tmux(&[
        "pipe-pane",
        "-o",
        "-t",
        &session,
        &format!("cat >> {}", out.display()),
    ]);
    std::thread::sleep(Duration::from_secs(10));
    let bytes0 = std::fs::metadata(&out).map_or(0, |m| m.len());
    let ticks0 = cpu_ticks(&pid);
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(secs));
    let bytes = std::fs::metadata(&out).map_or(0, |m| m.len()) - bytes0;
    let ticks = cpu_ticks(&pid) - ticks0;
    let elapsed = t0.elapsed().as_secs_f64();
    tmux(&["kill-session", "-t", &session]);
    let cpu_pct = cpu_percent(ticks, elapsed);
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
