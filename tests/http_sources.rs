//! Probes and scrapes against a real HTTP server: the demo service, bound on
//! loopback in this process, with its faults switched at run time.

#[path = "support/demo_local.rs"]
mod demo_local;
#[path = "support/nginx.rs"]
mod nginx;
#[path = "support/tls_server.rs"]
mod tls_server;

use demo_local::{http, Demo, TIMEOUT};
use opsdeck::model::Health;
use opsdeck::source::probe::Expect;
use opsdeck::source::{poll_once, supervise, ProbeSource, ScrapeSource, Update};
use std::collections::HashMap;
use std::time::Duration;
use tls_server::TlsServer;
use tokio::sync::mpsc;

/// The one Series update a poll returns, as a map, with its health.
/// A scrape also says which request series it read; that is not a Series.
fn series(updates: Vec<Update>) -> (HashMap<String, f64>, Health) {
    let updates: Vec<Update> = updates
        .into_iter()
        .filter(|u| !matches!(u, Update::RequestSeries { .. }))
        .collect();
    match updates.as_slice() {
        [Update::Series { series, health, .. }] => {
            (series.iter().cloned().collect(), health.clone())
        }
        other => panic!("expected one Series update, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_probe_sees_healthy_unhealthy_and_refused() {
    let demo = Demo::start().await;
    let mut probe = ProbeSource::new(
        "site",
        &format!("{}/health", demo.base),
        Expect::default(),
        http(),
        Duration::from_secs(5),
    );
    let (s, health) = series(poll_once(&mut probe, TIMEOUT).await.unwrap());
    assert_eq!(health, Health::Ok);
    assert_eq!(s["probe:site:up"], 1.0);
    assert_eq!(s["probe:site:error_ratio"], 0.0);
    assert!(s["probe:site:latency_seconds"] > 0.0);

    demo.fault(r#"{"unhealthy": true}"#).await;
    let (s, health) = series(poll_once(&mut probe, TIMEOUT).await.unwrap());
    assert_eq!(s["probe:site:up"], 0.0);
    assert_eq!(s["probe:site:error_ratio"], 0.5);
    match health {
        Health::Degraded { reason, .. } => {
            assert!(reason.contains("HTTP 503 (expected 2xx)"), "{reason}")
        }
        other => panic!("{other:?}"),
    }

    demo.fault(r#"{"reset": true, "down": "close"}"#).await;
    let (s, health) = series(poll_once(&mut probe, TIMEOUT).await.unwrap());
    assert_eq!(s["probe:site:up"], 0.0);
    assert!(
        !s.contains_key("probe:site:latency_seconds"),
        "no answer, no latency: {s:?}"
    );
    assert!(matches!(health, Health::Degraded { .. }), "{health:?}");

    demo.fault(r#"{"reset": true}"#).await;
    let (s, health) = series(poll_once(&mut probe, TIMEOUT).await.unwrap());
    assert_eq!((s["probe:site:up"], health), (1.0, Health::Ok));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scrape_reads_rate_errors_and_latency_from_the_service() {
    let demo = Demo::start().await;
    let mut scrape = ScrapeSource::new("api", &format!("{}/metrics", demo.base), http());
    let (s, health) = series(poll_once(&mut scrape, TIMEOUT).await.unwrap());
    assert_eq!(health, Health::Ok);
    assert_eq!(s["scrape:api:up"], 1.0);
    assert_eq!(s["scrape:api:bad_lines"], 0.0);
    assert!(
        !s.contains_key("scrape:api:rps"),
        "the first scrape is the baseline"
    );

    // Every answer slow by 150 ms, every one failed: the window must show both.
    demo.fault(r#"{"slow_ms": 150, "error_ratio": 1.0}"#).await;
    demo.traffic(20).await;
    let (s, _) = series(poll_once(&mut scrape, TIMEOUT).await.unwrap());
    assert!(s["scrape:api:rps"] > 0.0, "{s:?}");
    // All 20 /work requests failed; the window also holds the first scrape and
    // the POST /fault, both answered 200.
    assert_eq!(s["scrape:api:error_ratio"], 20.0 / 22.0, "{s:?}");
    assert!(s["scrape:api:p95"] >= 0.15, "{s:?}");

    demo.fault(r#"{"reset": true}"#).await;
    demo.traffic(20).await;
    let (s, _) = series(poll_once(&mut scrape, TIMEOUT).await.unwrap());
    assert_eq!(s["scrape:api:error_ratio"], 0.0, "{s:?}");
    assert!(s["scrape:api:p95"] < 0.15, "{s:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_scrape_target_is_degraded_not_a_crash() {
    let demo = Demo::start().await;
    demo.fault(r#"{"down": "unavailable"}"#).await;
    let (tx, mut rx) = mpsc::channel(8);
    let scrape = ScrapeSource::new("api", &format!("{}/metrics", demo.base), http());
    let task = tokio::spawn(supervise(scrape, Duration::from_secs(1), TIMEOUT, tx));
    match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
        Ok(Some(Update::Health {
            health: Health::Degraded { reason, .. },
            ..
        })) => assert!(reason.ends_with("/metrics: HTTP 503"), "{reason}"),
        other => panic!("{other:?}"),
    }
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_probe_shows_the_certificate_expiry_and_refuses_an_unknown_ca() {
    let server = TlsServer::start(10);
    let auth = opsdeck::config::HttpAuth {
        ca_file: Some(server.ca_file.clone()),
        ..Default::default()
    };
    let trusting = opsdeck::connect::http::Http::new(TIMEOUT, &auth).unwrap();
    let mut probe = ProbeSource::new("tls", &server.url, Expect::default(), trusting, TIMEOUT);
    let before = opsdeck::base::time::unix_now();
    let (s, health) = series(poll_once(&mut probe, TIMEOUT).await.unwrap());
    assert_eq!((s["probe:tls:up"], &health), (1.0, &Health::Ok), "{s:?}");
    let left = s["probe:tls:cert_expiry_seconds"];
    let expected = (server.not_after() - before) as f64;
    assert!(
        (left - expected).abs() <= 2.0,
        "{left} s left, openssl says {expected}"
    );
    assert!((9.9 * 86400.0..=10.0 * 86400.0).contains(&left), "{left}");

    // TLS is verified by default: a CA nobody trusts fails the probe.
    let mut strict = ProbeSource::new("tls", &server.url, Expect::default(), http(), TIMEOUT);
    let (s, health) = series(poll_once(&mut strict, TIMEOUT).await.unwrap());
    assert_eq!(s["probe:tls:up"], 0.0);
    assert!(!s.contains_key("probe:tls:cert_expiry_seconds"), "{s:?}");
    match health {
        Health::Degraded { reason, .. } => {
            assert!(
                reason.to_lowercase().contains("certificate") || reason.contains("UnknownIssuer"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
}

/// Basic auth as reqwest encodes it, judged by a real server (nginx's
/// `auth_basic`): a probe with the password passes, one with a wrong
/// password or none is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_probe_with_basic_auth_is_let_in_by_a_real_server() {
    let server = nginx::Nginx::start();
    let dir = tempfile::tempdir().unwrap();
    let probe_with = |password: Option<&str>| {
        let auth = match password {
            Some(p) => {
                let file = dir.path().join(format!("pw-{}", p.len()));
                std::fs::write(&file, format!("{p}\n")).unwrap();
                opsdeck::config::HttpAuth {
                    basic_user: Some(nginx::BASIC_USER.into()),
                    basic_password_file: Some(file),
                    ..Default::default()
                }
            }
            None => opsdeck::config::HttpAuth::default(),
        };
        let http = opsdeck::connect::http::Http::new(TIMEOUT, &auth).unwrap();
        ProbeSource::new("auth", &server.auth_url, Expect::default(), http, TIMEOUT)
    };

    let mut right = probe_with(Some(nginx::BASIC_PASSWORD));
    let (s, health) = series(poll_once(&mut right, TIMEOUT).await.unwrap());
    assert_eq!((s["probe:auth:up"], &health), (1.0, &Health::Ok), "{s:?}");

    for password in [Some("s3cret"), None] {
        let mut refused = probe_with(password);
        let (s, health) = series(poll_once(&mut refused, TIMEOUT).await.unwrap());
        assert_eq!(s["probe:auth:up"], 0.0, "{password:?}");
        match health {
            Health::Degraded { reason, .. } => assert!(reason.contains("HTTP 401"), "{reason}"),
            other => panic!("{password:?}: {other:?}"),
        }
    }
}
