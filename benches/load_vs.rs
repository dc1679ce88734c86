//! Load generator throughput on loopback, beside oha and hey in the same run:
//! nginx (one worker, `return 200`) is the server; each tool gets the same
//! connections and duration, one after the other. Prints requests/s, p50 and
//! p99 as each tool reports them, and CPU per request from the tool's own
//! CPU time (`cutime`+`cstime` around its wait).
//!
//! `cargo bench --bench load_vs`
//! Environment: LOAD_VS_C (default 50), LOAD_VS_SECS (default 10),
//! OHA (default `oha`, e.g. from `cargo install oha --locked`), HEY (default `hey`, Debian).

#[path = "../tests/support/nginx.rs"]
mod nginx;
#[path = "support/proc_stats.rs"]
mod proc_stats;

use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");

struct Figures {
    tool: &'static str,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    requests: f64,
    cpu_s: f64,
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// Runs `cmd` to its end; its stdout and the CPU it used.
fn measured(tool: &str, mut cmd: Command) -> (String, f64) {
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

fn opsdeck(url: &str, c: &str, secs: &str) -> Figures {
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

fn oha(url: &str, c: &str, secs: &str) -> Figures {
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

fn hey(url: &str, c: &str, secs: &str) -> Figures {
    let mut cmd = Command::new(env_or("HEY", "hey"));
    cmd.args(["-c", c, "-z"]).arg(format!("{secs}s")).arg(url);
    let (out, cpu_s) = measured("hey", cmd);
    let field = |prefix: &str| -> f64 {
        out.lines()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("hey printed no `{prefix}`:\n{out}"))
    };
    let rps = field("Requests/sec:");
    let total = field("Total:");
    Figures {
        tool: "hey",
        rps,
        p50_ms: field("50% in") * 1000.0,
        p99_ms: field("99% in") * 1000.0,
        requests: rps * total,
        cpu_s,
    }
}

fn main() {
    let c = env_or("LOAD_VS_C", "50");
    let secs = env_or("LOAD_VS_SECS", "10");
    let server = nginx::Nginx::start();
    let url = format!("{}/", server.url);
    println!("nginx 1 worker `return 200` on loopback; {c} connections, {secs}s each, one tool at a time");
    let mut rows = Vec::new();
    for run in [opsdeck, oha, hey] {
        rows.push(run(&url, &c, &secs));
        std::thread::sleep(Duration::from_secs(2));
    }
    println!(
        "{:<14} {:>10} {:>9} {:>9} {:>14}",
        "tool", "req/s", "p50 ms", "p99 ms", "CPU µs/req"
    );
    for f in &rows {
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
