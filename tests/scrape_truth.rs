//! Scrapes that never look green when they are wrong: a login page, a binary
//! file and a page of garbage are `up` 0 and degraded with the reason; a
//! partial page keeps its good samples and says what it dropped; requests/s
//! counts only request metrics, checked against Prometheus's own `rate()` of
//! the same counter on a real node_exporter; `status --json` takes a second
//! reading so a scrape service has its p95 and requests/s.

#[path = "support/bodies.rs"]
mod bodies;
#[path = "support/demo_local.rs"]
mod demo_local;
#[path = "support/node_exporter.rs"]
mod node_exporter;
#[path = "support/prometheus.rs"]
mod prometheus;
#[path = "support/run_bin.rs"]
mod run_bin;

use bodies::Bodies;
use demo_local::{http, Demo, TIMEOUT};
use opsdeck::model::{Health, RequestSeries};
use opsdeck::source::{poll_once, ScrapeSource, Update};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A poll's series as a map, its health, and which request series it picked.
fn read(updates: Vec<Update>) -> (HashMap<String, f64>, Health, RequestSeries) {
    let mut out = (HashMap::new(), Health::Connecting, RequestSeries::default());
    for u in updates {
        match u {
            Update::Series { series, health, .. } => {
                out.0 = series.into_iter().collect();
                out.1 = health;
            }
            Update::RequestSeries { series, .. } => out.2 = series,
            other => panic!("unexpected {other:?}"),
        }
    }
    out
}

fn reason(h: &Health) -> &str {
    match h {
        Health::Degraded { reason, .. } => reason,
        other => panic!("expected degraded, got {other:?}"),
    }
}

fn half_valid() -> Vec<u8> {
    let mut text = String::from("# TYPE jobs_total counter\n");
    for i in 0..30 {
        text.push_str(&format!("jobs_total{{queue=\"q{i}\"}} {i}\n"));
    }
    text.push_str("jobs_total{queue=\"broken\"} 12 apples\n");
    text.into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_that_are_not_exposition_are_degraded_with_the_reason() {
    let login = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form></form></body></html>";
    let mut binary = vec![0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03];
    binary.extend((0..2000u32).map(|i| (i * 7919 % 251) as u8));
    let server = Bodies::start(vec![
        ("/login", "text/html; charset=utf-8", login.to_vec()),
        ("/file.bin", "application/octet-stream", binary),
        ("/half", "text/plain; version=0.0.4", half_valid()),
        (
            "/garbage",
            "text/plain",
            b"up 1\nthis is\nnot a\nmetrics page\n".to_vec(),
        ),
    ]);
    let scrape = |path: &str| ScrapeSource::new("t", &format!("{}{path}", server.base), http());

    let (s, health, picked) = read(poll_once(&mut scrape("/login"), TIMEOUT).await.unwrap());
    assert_eq!(s["scrape:t:up"], 0.0);
    assert_eq!(
        reason(&health),
        "not Prometheus exposition: text/html, 0 samples, 1 bad line"
    );
    assert_eq!(
        picked.missing["rps"],
        "the last answer was not exposition text"
    );

    let (s, health, _) = read(poll_once(&mut scrape("/file.bin"), TIMEOUT).await.unwrap());
    assert_eq!(s["scrape:t:up"], 0.0);
    let why = reason(&health);
    assert!(
        why.starts_with("not Prometheus exposition: application/octet-stream, binary, 0 samples"),
        "{why}"
    );

    let (s, health, _) = read(poll_once(&mut scrape("/garbage"), TIMEOUT).await.unwrap());
    assert_eq!(s["scrape:t:up"], 0.0);
    assert_eq!(
        reason(&health),
        "not Prometheus exposition: 1 sample, 3 bad lines"
    );

    let (s, health, _) = read(poll_once(&mut scrape("/half"), TIMEOUT).await.unwrap());
    assert_eq!(s["scrape:t:up"], 1.0, "the good samples are kept");
    assert_eq!(s["scrape:t:bad_lines"], 1.0);
    let why = reason(&health);
    assert!(
        why.starts_with("partial exposition: 1 of 31 lines dropped (line 32"),
        "{why}"
    );

    // The CLI twin: status counts the login page as a degraded target.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[scrape]]\nname = \"login\"\nurl = \"{}/login\"\n",
            server.base
        ),
    )
    .unwrap();
    let out = tokio::task::spawn_blocking(move || {
        run_bin::opsdeck(&config, dir.path(), &["status", "--json", "--window", "0"])
    })
    .await
    .unwrap();
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{text}"));
    assert_eq!(v["overall"], "warning", "{text}");
    let login = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "login")
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(login["health"]["state"], "degraded", "{text}");
    assert_eq!(v["series"]["scrape:login:up"], 0.0, "{text}");
}

/// GETs `url` about `per_sec` times a second until stopped (a minute at most).
fn steady_traffic(
    addr: String,
    per_sec: u64,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        let started = Instant::now();
        let gap = Duration::from_millis(1000 / per_sec);
        let mut next = Instant::now();
        while !stop.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(60) {
            if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
                let _ = write!(s, "GET /metrics HTTP/1.0\r\nHost: {addr}\r\n\r\n");
                let mut sink = Vec::new();
                let _ = s.read_to_end(&mut sink);
            }
            next += gap;
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_exporter_requests_are_its_scrapes_as_prometheus_rates_them() {
    let node = node_exporter::NodeExporter::start();
    let prom = prometheus::Prometheus::start(std::slice::from_ref(&node.addr));
    let stop = Arc::new(AtomicBool::new(false));
    let traffic = steady_traffic(node.addr.clone(), 5, stop.clone());
    // Prometheus needs a few scrapes of the steady traffic before its rate holds.
    tokio::time::sleep(Duration::from_secs(12)).await;

    let mut scrape = ScrapeSource::new("node", &node.url(), http());
    let (_, health, first) = read(poll_once(&mut scrape, TIMEOUT).await.unwrap());
    assert_eq!(health, Health::Ok);
    assert_eq!(
        first.missing["rps"],
        "one reading so far: a rate needs a second"
    );
    tokio::time::sleep(Duration::from_secs(10)).await;
    let (s, _, picked) = read(poll_once(&mut scrape, TIMEOUT).await.unwrap());
    let client = opsdeck::prometheus::Client::new(http(), &prom.url);
    let answer = client
        .query("sum(rate(promhttp_metric_handler_requests_total[10s]))")
        .await
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    traffic.join().unwrap();

    assert_eq!(
        picked.requests.as_deref(),
        Some("promhttp_metric_handler_requests_total by code"),
        "only the request counter, never node_disk_*_requests_total"
    );
    assert!(
        picked.missing["p95"].starts_with("no latency histogram"),
        "{picked:?}"
    );
    let ours = s["scrape:node:rps"];
    let theirs = match answer.data {
        opsdeck::prometheus::Value::Vector(v) => v[0].value,
        other => panic!("{other:?}"),
    };
    eprintln!("requests/s: opsdeck {ours:.3}, Prometheus rate() {theirs:.3}");
    // Five a second from the traffic, one from Prometheus, ours now and then.
    assert!(
        (ours - theirs).abs() <= 0.10 * theirs,
        "opsdeck {ours:.3}/s against Prometheus's rate() {theirs:.3}/s"
    );
    assert!((5.0..=8.0).contains(&ours), "{ours}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_json_gives_a_scrape_service_its_p95_and_requests_per_second() {
    let demo = Demo::start().await;
    let stop = Arc::new(AtomicBool::new(false));
    let (base, stopping) = (demo.base.clone(), stop.clone());
    let traffic = tokio::spawn(async move {
        let http = http();
        let deadline = Instant::now() + Duration::from_secs(60);
        while !stopping.load(Ordering::Relaxed) && Instant::now() < deadline {
            let _ = http.get(&format!("{base}/work")).await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[scrape]]\nname = \"api\"\nurl = \"{}/metrics\"\n",
            demo.base
        ),
    )
    .unwrap();
    let run = |args: &'static [&'static str]| {
        let (config, data) = (config.clone(), dir.path().to_path_buf());
        tokio::task::spawn_blocking(move || run_bin::opsdeck(&config, &data, args))
    };

    let out = run(&["status", "--json"]).await.unwrap();
    let text = run_bin::text(&out);
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{text}"));
    let api = &v["services"][0];
    assert_eq!(api["source"], "scrape api", "{text}");
    assert!(api["p95"].as_f64().is_some_and(|p| p > 0.0), "{text}");
    assert!(api["rps"].as_f64().is_some_and(|r| r > 1.0), "{text}");
    assert_eq!(
        api["series"],
        "requests demo_http_requests_total by status · latency demo_http_request_duration_seconds",
        "{text}"
    );
    let window = v["window_secs"]
        .as_f64()
        .unwrap_or_else(|| panic!("{text}"));
    assert!((2.0..4.0).contains(&window), "{text}");

    let out = run(&["status", "--json", "--window", "0"]).await.unwrap();
    let text = run_bin::text(&out);
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{text}"));
    let api = &v["services"][0];
    assert!(api["p95"].is_null() && api["rps"].is_null(), "{text}");
    assert_eq!(
        api["missing"]["p95"], "one reading so far: a rate needs a second",
        "{text}"
    );
    assert!(v["window_secs"].is_null(), "{text}");
    stop.store(true, Ordering::Relaxed);
    traffic.await.unwrap();
}
