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
    let updates = poll_once(src, Duration::from_secs(20)).await.unwrap();
    // The alerts and rules Prometheus evaluates come after the panels' series.
    match updates.as_slice() {
        [Update::Series { series, health, .. }, Update::ExternalAlerts { .. }, Update::PromRules { .. }] => {
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
        // Both statuses must have been rated: Prometheus's first window can
        // hold the 500s before any 200 (the rate of 200 is then 0).
        if s.get("panel:rps").is_some_and(|v| *v > 0.0)
            && s.contains_key("panel:by status:{status=\"500\"}")
            && s.get("panel:by status:{status=\"200\"}")
                .is_some_and(|v| *v > 0.0)
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

/// Polls `probe` every 500 ms until it gives Some, failing after `secs` seconds.
async fn eventually<T, F, Fut>(secs: u64, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: not within {secs} s");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

const RULES: &str = r#"groups:
  - name: demo
    rules:
      - alert: DemoErrors
        expr: sum(rate(demo_http_requests_total{status="500"}[10s])) > 0
        for: 1s
        labels:
          severity: critical
        annotations:
          summary: the demo service is failing requests
          runbook_url: https://wiki.example/runbooks/site-down
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_rules_alerts_and_range_queries_from_the_api() {
    let demo = Demo::start().await;
    let addr = demo.base.trim_start_matches("http://").to_string();
    let prom = Prometheus::start_with_rules(std::slice::from_ref(&addr), Some(RULES));
    let client = opsdeck::prometheus::Client::new(http(), &prom.url);

    let targets = eventually(30, "the demo target up", || async {
        let t = client.targets().await.unwrap();
        t.iter().any(|t| t.health == "up").then_some(t)
    })
    .await;
    assert!(targets[0].scrape_url.contains(&addr), "{targets:?}");

    let groups = client.rules().await.unwrap();
    let rule = &groups[0].rules[0];
    assert_eq!(
        (rule.name.as_str(), rule.kind.as_str(), rule.duration),
        ("DemoErrors", "alerting", 1.0)
    );
    assert_eq!(
        rule.annotations["runbook_url"],
        "https://wiki.example/runbooks/site-down"
    );

    demo.fault(r#"{"error_ratio": 1.0}"#).await;
    let alert = eventually(60, "DemoErrors firing", || async {
        let _ = http().get(&format!("{}/work", demo.base)).await;
        let alerts = client.alerts().await.unwrap();
        alerts.into_iter().find(|a| a.state == "firing")
    })
    .await;
    assert_eq!(alert.labels["alertname"], "DemoErrors");
    assert_eq!(alert.labels["severity"], "critical");

    let now = opsdeck::base::time::unix_now() as f64;
    let range = client
        .query_range(
            "up",
            now - 20.0,
            now,
            opsdeck::prometheus::step_for(20.0, 10),
        )
        .await
        .unwrap();
    let opsdeck::prometheus::Value::Matrix(series) = range.data else {
        panic!("{range:?}")
    };
    assert_eq!(series[0].labels["job"], "demo");
    assert!(
        series[0].points.iter().all(|(_, v)| *v == 1.0),
        "{series:?}"
    );

    // Longer than a URL may safely be: sent as a POST form, answered the same.
    let long = format!("up{}", " + 0".repeat(600));
    let answer = client.query(&long).await.unwrap();
    let opsdeck::prometheus::Value::Vector(v) = answer.data else {
        panic!()
    };
    assert_eq!(v[0].value, 1.0);

    // What a query may hold that a URL or a form reserves arrives as
    // written, by GET and (padded past the URL limit) by POST.
    for pad in [0, 1600] {
        let value = format!("a+b&c=d #%é;/?{}", "x".repeat(pad));
        let q = format!(r#"label_replace(vector(1), "v", "{value}", "__name__", ".*")"#);
        let answer = client.query(&q).await.unwrap();
        let opsdeck::prometheus::Value::Vector(v) = answer.data else {
            panic!()
        };
        assert_eq!(v[0].labels["v"], value, "padded by {pad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_not_prometheus_or_too_slow_is_named() {
    let demo = Demo::start().await;
    // The demo service is no Prometheus: its 404 is text, not the API's JSON.
    let client = opsdeck::prometheus::Client::new(http(), &demo.base);
    let e = client.query("up").await.unwrap_err();
    assert!(e.starts_with("HTTP 404, not JSON:"), "{e}");

    demo.fault(r#"{"slow_ms": 3000}"#).await;
    let impatient =
        opsdeck::connect::http::Http::new(Duration::from_millis(500), &Default::default()).unwrap();
    let slow = opsdeck::prometheus::Client::new(impatient, &format!("{}/work?", demo.base));
    let e = slow.query("up").await.unwrap_err();
    assert!(e.contains("timed out"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scraped_p95_agrees_with_prometheus_within_one_bucket() {
    let demo = Demo::start().await;
    let addr = demo.base.trim_start_matches("http://").to_string();
    let prom = Prometheus::start(&[addr]);
    let client = opsdeck::prometheus::Client::new(http(), &prom.url);
    eventually(30, "the demo target up", || async {
        let t = client.targets().await.unwrap();
        t.iter().any(|t| t.health == "up").then_some(())
    })
    .await;
    let mut scrape =
        opsdeck::source::ScrapeSource::new("api", &format!("{}/metrics", demo.base), http());
    poll_once(&mut scrape, TIMEOUT).await.unwrap();
    let t0 = opsdeck::base::time::unix_now();
    // Answers spread over 75..225 ms: p95 falls in the (0.1, 0.25] bucket.
    demo.fault(r#"{"slow_ms": 150, "slow_jitter": 0.5}"#).await;
    let burst: Vec<_> = (0..60)
        .map(|_| {
            let url = format!("{}/work", demo.base);
            tokio::spawn(async move { http().get(&url).await })
        })
        .collect();
    for b in burst {
        b.await.unwrap().unwrap();
    }
    let ours = match poll_once(&mut scrape, TIMEOUT).await.unwrap().as_slice() {
        // The scrape also says which request series it read.
        [Update::Series { series, .. }, Update::RequestSeries { .. }] => {
            series
                .iter()
                .find(|(n, _)| n == "scrape:api:p95")
                .unwrap()
                .1
        }
        other => panic!("{other:?}"),
    };
    // Let Prometheus scrape the state after the burst, then ask it over the same span.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let window = opsdeck::base::time::unix_now() - t0 + 1;
    let promql = format!(
        "histogram_quantile(0.95, sum by (le) (increase(demo_http_request_duration_seconds_bucket[{window}s])))"
    );
    let theirs = match client.query(&promql).await.unwrap().data {
        opsdeck::prometheus::Value::Vector(v) => v[0].value,
        other => panic!("{other:?}"),
    };
    let bucket_width = 0.25 - 0.1;
    assert!(ours > 0.1 && ours <= 0.25, "ours {ours}");
    assert!(
        (ours - theirs).abs() <= bucket_width,
        "ours {ours}, Prometheus {theirs}"
    );
}
