//! Services and panels with made-up but plausible figures, for the metrics
//! view's snapshots: a PromQL service, a scraped one passed over for a
//! degraded Prometheus, a probe whose certificate expires soon, and panels
//! with data, a gap and an error.

use super::panels::{PanelDef, PanelRange, PanelSeries};
use super::services::{ServiceDef, ServiceSource};
use super::Model;
use crate::base::units::Unit;
use crate::model::{Health, TargetKind};
use std::time::Duration;

pub fn add_sample_metrics(m: &mut Model, now: i64) {
    for (name, kind) in [
        ("main", TargetKind::Prometheus),
        ("api", TargetKind::Scrape),
        ("www", TargetKind::Probe),
        ("edge", TargetKind::Prometheus),
    ] {
        m.add_target(name, kind);
    }
    for t in m.targets.iter_mut() {
        t.health = match t.name.as_str() {
            "edge" => Health::Degraded {
                reason: "connection refused".into(),
                since: now - 30,
                retry_in: Duration::from_secs(4),
            },
            _ => Health::Ok,
        };
    }
    let def = |name: &str, sources: Vec<ServiceSource>| ServiceDef {
        name: name.into(),
        sources,
        discovered_by: None,
    };
    m.services = vec![
        def("shop", vec![ServiceSource::Prometheus("main".into())]),
        def(
            "checkout",
            vec![
                ServiceSource::Prometheus("edge".into()),
                ServiceSource::Scrape("api".into()),
            ],
        ),
        def("www", vec![ServiceSource::Probe("www".into())]),
    ];
    for i in 0..120 {
        let t = now - 240 + i * 2;
        let wave = (i as f64 / 10.0).sin().abs();
        m.store.record("service:shop:p50", t, 0.040 + 0.01 * wave);
        m.store.record("service:shop:p95", t, 0.180 + 0.12 * wave);
        m.store.record("service:shop:p99", t, 0.420 + 0.2 * wave);
        m.store.record("service:shop:rps", t, 230.0 + 40.0 * wave);
        m.store.record("service:shop:error_ratio", t, 0.002);
        m.store.record("scrape:api:p50", t, 0.9);
        m.store.record("scrape:api:p95", t, 1.6);
        m.store.record("scrape:api:p99", t, 2.4);
        m.store.record("scrape:api:rps", t, 12.5);
        m.store.record("scrape:api:error_ratio", t, 0.083);
        m.store.record("probe:www:latency_p50", t, 0.011);
        m.store.record("probe:www:latency_p95", t, 0.019);
        m.store.record("probe:www:latency_p99", t, 0.031);
        m.store.record("probe:www:error_ratio", t, 0.0);
        m.store
            .record("probe:www:cert_expiry_seconds", t, 5.5 * 86400.0);
    }
    m.now = m.now.max(now);
    m.panels = vec![
        PanelDef {
            title: "API p95".into(),
            prometheus: "main".into(),
            query: "histogram_quantile(0.95, ...)".into(),
            unit: Unit::Seconds,
        },
        PanelDef {
            title: "Requests by route".into(),
            prometheus: "main".into(),
            query: "sum by (route) (rate(http_requests_total[1m]))".into(),
            unit: Unit::PerSecond,
        },
        PanelDef {
            title: "Queue depth".into(),
            prometheus: "main".into(),
            query: "queue_depth{".into(),
            unit: Unit::None,
        },
    ];
    let grid = |f: &dyn Fn(usize) -> f64| -> Vec<f64> {
        (0..78)
            .map(|i| {
                if (30..34).contains(&i) {
                    f64::NAN
                } else {
                    f(i)
                }
            })
            .collect()
    };
    let range = |result| PanelRange {
        range_secs: 300,
        step: 4,
        end: now,
        result,
    };
    m.panel_ranges.insert(
        "API p95".into(),
        range(Ok(vec![PanelSeries {
            labels: String::new(),
            values: grid(&|i| 0.2 + 0.1 * (i as f64 / 8.0).sin()),
        }])),
    );
    m.panel_ranges.insert(
        "Requests by route".into(),
        range(Ok(vec![
            PanelSeries {
                labels: "route=/work".into(),
                values: grid(&|i| 100.0 + i as f64),
            },
            PanelSeries {
                labels: "route=/health".into(),
                values: grid(&|_| 0.2),
            },
        ])),
    );
    m.panel_ranges.insert(
        "Queue depth".into(),
        range(Err(
            "bad_data: 1:12: parse error: unexpected end of input inside braces".into(),
        )),
    );
}
