//! The load tools the load benches run side by side: `opsdeck load` and oha,
//! each a child process whose CPU time is measured around its wait.
#![allow(dead_code)] // each bench uses a different part

use super::proc_stats;
use std::process::{Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");

pub struct Figures {
    pub tool: &'static str,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub requests: f64,
    pub cpu_s: f64,
}

pub fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// Runs `cmd` to its end; its stdout and the CPU it used.
pub fn measured(tool: &str, mut cmd: Command) -> (String, f64) {
    let before = proc_stats::waited_children_ticks();
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("{tool} is needed for this benchmark: {e}"));
    assert!(out.status.success(), "{tool} failed: {:?}", out.status);
    let ticks = proc_stats::waited_children_ticks() - before;
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        ticks as f64 / 100.0,
    )
}

pub fn opsdeck(url: &str, c: &str, secs: &str) -> Figures {
    let data = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.env("OPSDECK_DATA_DIR", data.path()).args([
        "load",
        url,
        "-c",
        c,
        "-d",
        &format!("{secs}s"),
        "--yes",
        "--json",
    ]);
    let (out, cpu_s) = measured("opsdeck", cmd);
    let v: serde_json::Value = serde_json::from_str(&out).expect("opsdeck --json");
    Figures {
        tool: "opsdeck load",
        rps: v["rps"].as_f64().unwrap(),
        p50_ms: v["latency"]["p50"].as_f64().unwrap(),
        p99_ms: v["latency"]["p99"].as_f64().unwrap(),
        requests: v["requests"].as_f64().unwrap(),
        cpu_s,
    }
}

pub fn oha(url: &str, c: &str, secs: &str) -> Figures {
    let mut cmd = Command::new(env_or("OHA", "oha"));
    cmd.args(["--no-tui", "--output-format", "json", "-c", c, "-z"])
        .arg(format!("{secs}s"))
        .arg(url);
    let (out, cpu_s) = measured("oha", cmd);
    let v: serde_json::Value = serde_json::from_str(&out).expect("oha --output-format json");
    let rps = v["summary"]["requestsPerSec"].as_f64().unwrap();
    let total = v["summary"]["total"].as_f64().unwrap();
    Figures {
        tool: "oha",
        rps,
        p50_ms: v["latencyPercentiles"]["p50"].as_f64().unwrap() * 1000.0,
        p99_ms: v["latencyPercentiles"]["p99"].as_f64().unwrap() * 1000.0,
        requests: rps * total,
        cpu_s,
    }
}

/// The figures of each tool, one row each.
pub fn print_rows(rows: &[Figures]) {
    println!(
        "{:<14} {:>10} {:>9} {:>9} {:>14}",
        "tool", "req/s", "p50 ms", "p99 ms", "CPU µs/req"
    );
    for f in rows {
        println!(
            "{:<14} {:>10.0} {:>9.3} {:>9.3} {:>14.2}",
            f.tool,
            f.rps,
            f.p50_ms,
            f.p99_ms,
            f.cpu_s * 1e6 / f.requests.max(1.0)
        );
    }
}
