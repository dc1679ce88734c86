//! Panels against a real Prometheus that scrapes the demo service.

#[path = "support/demo_local.rs"]
mod demo_local;
#[path = "support/prometheus.rs"]
mod prometheus;

use demo_local::{http, Demo, TIMEOUT};
use opsdeck::model::Health;
use opsdeck::source::prometheus::{PanelQuery, PrometheusSource};
use opsdeck::source::{poll_once, supervise, Update};
use prometheus::Prometheus;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

fn panel(title: &str, query: &str) -> PanelQuery {
    PanelQuery {
        title: title.into(),
        query: query.into(),
    }
}

async fn poll(src: &mut PrometheusSource) -> (HashMap<String, f64>, Health) {
    match poll_once(src, Duration::from_secs(20))
        .await
        .unwrap()
        .as_slice()
    {
        [Update::Series { series, health, .. }] => {
            (series.iter().cloned().collect(), health.clone())
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panels_show_what_prometheus_computes_and_a_bad_query_says_why() {
    let demo = Demo::start().await;
    let prom = Prometheus::start(&[demo.base.trim_start_matches("http://").to_string()]);
    demo.fault(r#"{"slow_ms": 120, "error_ratio": 0.5}"#).await;
    let mut src = PrometheusSource::new(
        "main",
        &prom.url,
        http(),
        vec![
            panel("rps", "sum(rate(demo_http_requests_total[10s]))"),
            panel(
                "p95",
                "histogram_quantile(0.95, sum by (le) (rate(demo_http_request_duration_seconds_bucket{route=\"/work\"}[10s])))",
            ),
            panel("by status", "sum by (status) (rate(demo_http_requests_total{route=\"/work\"}[10s]))"),
            panel("broken", "sum(rate(x[5m]"),
        ],
    );
    // Keep traffic flowing until Prometheus has scraped enough to compute rates.
    let deadline = Instant::now() + Duration::from_secs(60);
    let (series, health) = loop {
        for _ in 0..5 {
            let _ = demo_local::http().get(&format!("{}/work", demo.base)).await;
        }
        let (s, h) = poll(&mut src).await;
        if s.get("panel:rps").is_some_and(|v| *v > 0.0)
            && s.contains_key("panel:by status:{status=\"500\"}")
        {
            break (s, h);
        }
        assert!(
            Instant::now() < deadline,
            "no rates from Prometheus in 60 s: {s:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(series["panel:p95"] >= 0.12, "{series:?}");
    assert!(
        series["panel:by status:{status=\"200\"}"] > 0.0,
        "{series:?}"
    );
    match health {
        Health::Degraded { reason, .. } => {
            assert!(
                reason.starts_with("panel \"broken\": bad_data:"),
                "{reason}"
            )
        }
        other => panic!("the broken panel must be reported: {other:?}"),
    }
    assert!(!series.keys().any(|k| k.starts_with("panel:broken")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_prometheus_is_a_degraded_target() {
    let mut prom = Prometheus::start(&[]);
    let src = PrometheusSource::new("main", &prom.url, http(), vec![]);
    let (tx, mut rx) = mpsc::channel(8);
    let task = tokio::spawn(supervise(src, Duration::from_secs(1), TIMEOUT, tx));
    match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
        Ok(Some(Update::Health {
            health: Health::Ok, ..
        })) => {}
        other => panic!("{other:?}"),
    }
    prom.stop();
    let reason = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match rx.recv().await {
                Some(Update::Health {
                    health: Health::Degraded { reason, .. },
                    ..
                }) => break reason,
                Some(_) => continue,
                None => panic!("the supervisor stopped"),
            }
        }
    })
    .await
    .expect("degraded within 30 s of Prometheus stopping");
    assert!(reason.contains("connection failed"), "{reason}");
    task.abort();
}
