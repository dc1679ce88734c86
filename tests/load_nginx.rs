//! `opsdeck load` against a real nginx (Debian's nginx-light) on loopback:
//! counts add up over HTTP/1.1 and HTTP/2, the spike profile's rate changes
//! when it should, and a run is an audited action that `--read-only` refuses.

#[path = "support/load_spec.rs"]
mod load_spec;
#[path = "support/nginx.rs"]
mod nginx;

use opsdeck::load::{Profile, Stop};
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");

/// With an empty config: `load` reads the config only for `read_only`.
fn opsdeck(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    let config = data.join("empty.toml");
    std::fs::write(&config, "").unwrap();
    Command::new(BIN)
        .env("OPSDECK_DATA_DIR", data)
        .env("OPSDECK_CONFIG", config)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run opsdeck")
}

#[test]
fn cli_counts_add_up_and_the_run_is_audited() {
    let server = nginx::Nginx::start();
    let data = tempfile::tempdir().unwrap();
    let url = format!("{}/", server.url);
    let out = opsdeck(
        data.path(),
        &["load", &url, "-c", "8", "-n", "3000", "--yes", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON summary");
    assert_eq!(v["requests"], 3000);
    assert_eq!(v["answers"], 3000);
    assert_eq!(v["statuses"]["200"], 3000);
    assert_eq!(v["errors"], 0);
    let per_second: u64 = v["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["requests"].as_u64().unwrap())
        .sum();
    assert_eq!(per_second, 3000);
    let bars: u64 = v["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .sum();
    assert_eq!(bars, 3000);

    let audit = opsdeck(data.path(), &["audit", "--json"]);
    let text = String::from_utf8_lossy(&audit.stdout);
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{text}");
    assert_eq!(records[0]["phase"], "intent");
    assert_eq!(records[0]["verb"], "load");
    let port = url.trim_end_matches('/').rsplit(':').next().unwrap();
    assert_eq!(records[0]["workload"], format!("load/_/127.0.0.1:{port}"));
    assert!(records[0]["plan"]["summary"]
        .as_str()
        .unwrap()
        .contains("~3000 requests"));
    assert_eq!(records[1]["phase"], "outcome");
    assert_eq!(records[1]["ok"], true);
    assert!(records[1]["message"]
        .as_str()
        .unwrap()
        .contains("3000 requests"));
}

#[test]
fn read_only_refuses_and_no_terminal_means_not_confirmed() {
    let server = nginx::Nginx::start();
    let data = tempfile::tempdir().unwrap();
    let url = format!("{}/", server.url);
    let out = opsdeck(
        data.path(),
        &["--read-only", "load", &url, "-n", "10", "--yes"],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only"));
    // The same from the config file, as on a shared jump host.
    let bastion = data.path().join("bastion.toml");
    std::fs::write(&bastion, "read_only = true\n").unwrap();
    let out = opsdeck(
        data.path(),
        &[
            "--config",
            bastion.to_str().unwrap(),
            "load",
            &url,
            "-n",
            "10",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read_only = true"));
    let out = opsdeck(data.path(), &["load", &url, "-n", "10"]);
    assert_eq!(out.status.code(), Some(4));
    let out = opsdeck(
        data.path(),
        &["load", &url, "-n", "10", "--profile", "spike"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--rate"));
    let audit = opsdeck(data.path(), &["audit", "--json"]);
    assert_eq!(String::from_utf8_lossy(&audit.stdout).trim(), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_streams_share_one_connection_and_all_answer() {
    let server = nginx::Nginx::start();
    let mut spec = load_spec::spec(
        &format!("{}/", server.h2_url),
        16,
        Stop::Count(2000),
        Profile::Max,
    );
    spec.http2 = true;
    let s = load_spec::run(&spec).await;
    assert_eq!(s.requests, 2000);
    assert_eq!(s.statuses.get(&200), Some(&2000), "{s:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spike_profile_raises_the_rate_for_its_window() {
    let server = nginx::Nginx::start();
    let spec = load_spec::spec(
        &format!("{}/", server.url),
        8,
        Stop::After(Duration::from_secs(4)),
        Profile::Spike {
            base: 50.0,
            times: 5.0,
            at: Duration::from_secs(1),
            hold: Duration::from_secs(2),
        },
    );
    let s = load_spec::run(&spec).await;
    assert_eq!(s.errors, 0, "{s:?}");
    // 50 + 250 + 250 + 50 intended; every one is sent.
    assert_eq!(s.requests, 600);
    let per_second: Vec<u64> = s.series.iter().map(|p| p.requests).collect();
    let near = |got: u64, want: u64| got.abs_diff(want) <= want / 5;
    assert!(near(per_second[0], 50), "{per_second:?}");
    assert!(near(per_second[1], 250), "{per_second:?}");
    assert!(near(per_second[2], 250), "{per_second:?}");
    assert!(near(per_second[3], 50), "{per_second:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_is_a_tls_error_not_an_answer() {
    let server = nginx::Nginx::start();
    let spec = load_spec::spec(
        &format!("{}/", server.tls_url),
        2,
        Stop::Count(4),
        Profile::Max,
    );
    let s = load_spec::run(&spec).await;
    assert_eq!(s.requests, 4);
    assert_eq!(s.answers, 0, "{s:?}");
    assert_eq!(
        s.error_kinds.get(&opsdeck::load::ErrorKind::Tls),
        Some(&4),
        "{s:?}"
    );
}
