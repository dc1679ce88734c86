//! A stepped capacity run's throughput at its top stage against the
//! single-URL `opsdeck load` at the same concurrency, beside oha, in the same
//! run on loopback (nginx, one worker, `return 200`). The bar: the top
//! stage keeps at least 0.9× the single-URL figure. The stepped run reads a
//! real PostgreSQL (Debian's, started here) beside its stages every second,
//! as a capacity run with a `[[postgres]]` does, so the figure includes the
//! sampling and not only the per-stage accounting.
//!
//! `cargo bench --bench capacity_vs`
//! Environment: LOAD_VS_C (default 50, the top stage's users), LOAD_VS_SECS
//! (default 10, each run and each stage), OHA (default `oha`).

#[path = "support/load_tools.rs"]
mod load_tools;
#[path = "../tests/support/nginx.rs"]
mod nginx;
#[path = "../tests/support/postgres.rs"]
mod postgres;
#[path = "support/proc_stats.rs"]
mod proc_stats;

use load_tools::{env_or, measured, oha, opsdeck, print_rows, Figures, BIN};
use std::process::Command;
use std::time::Duration;

/// `--stages C/4:S,C/2:S,C:S` with a `[[postgres]]` read beside each
/// stage; the figures of the last stage.
fn stepped(url: &str, c: &str, secs: &str) -> Figures {
    let pg = postgres::Postgres::start(100);
    let top: usize = c.parse().expect("LOAD_VS_C is a number");
    let stages = format!(
        "{}:{secs}s,{}:{secs}s,{top}:{secs}s",
        (top / 4).max(1),
        (top / 2).max(1)
    );
    let data = tempfile::tempdir().unwrap();
    let config = data.path().join("config.toml");
    std::fs::write(
        &config,
        "refresh = \"1s\"\n[[postgres]]\nname = \"db\"\nurl_env = \"CAPACITY_VS_DB_URL\"\n",
    )
    .unwrap();
    let mut cmd = Command::new(BIN);
    cmd.env("OPSDECK_DATA_DIR", data.path())
        .env("OPSDECK_CONFIG", &config)
        .env("CAPACITY_VS_DB_URL", pg.superuser_dsn())
        .args([
            "load",
            url,
            "--stages",
            &stages,
            "--threshold",
            "p99<10s",
            "--yes",
            "--json",
        ]);
    let (out, cpu_s) = measured("opsdeck --stages", cmd);
    let v: serde_json::Value = serde_json::from_str(&out).expect("opsdeck --stages --json");
    let last = &v["stages"][2]["figures"];
    // The sampling must have happened, or the figure would not include it.
    let db = &v["stages"][2]["infra"]["databases"][0][1]["read"];
    assert!(
        db["connections"].as_u64().is_some(),
        "no database reading: {v}"
    );
    let all: f64 = v["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["figures"]["requests"].as_f64().unwrap())
        .sum();
    Figures {
        tool: "stepped, top",
        rps: last["rps"].as_f64().unwrap(),
        p50_ms: last["latency"]["p50"].as_f64().unwrap(),
        p99_ms: last["latency"]["p99"].as_f64().unwrap(),
        // CPU is over the whole stepped run, so per request over all stages.
        requests: all,
        cpu_s,
    }
}

fn main() {
    let c = env_or("LOAD_VS_C", "50");
    let secs = env_or("LOAD_VS_SECS", "10");
    let server = nginx::Nginx::start();
    let url = format!("{}/", server.url);
    println!("nginx 1 worker `return 200` on loopback; {c} connections, {secs}s each (stages: {secs}s each)");
    let mut rows = Vec::new();
    for run in [opsdeck, stepped, oha] {
        rows.push(run(&url, &c, &secs));
        std::thread::sleep(Duration::from_secs(2));
    }
    print_rows(&rows);
    let ratio = rows[1].rps / rows[0].rps.max(1.0);
    println!("top stage / single-URL: {ratio:.3} (the bar: at least 0.9)");
}
