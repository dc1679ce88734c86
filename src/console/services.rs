//! Services as the latency pane shows them: p50 / p95 / p99, error ratio and
//! requests per second, read from whichever source measures the service —
//! PromQL over a Prometheus, the service's own `/metrics`, or a probe — with
//! the source named. A `[[service]]` table lists a service's sources, best
//! first; every probe and scrape no service claims is a service of its own.

use super::Model;

use crate::model::Health;
use serde::Serialize;
use std::collections::BTreeMap;

/// Older readings are not shown as current.
pub const STALE_AFTER: i64 = 120;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "target", rename_all = "lowercase")]
pub enum ServiceSource {
    /// RED queries against this Prometheus, recorded as `service:NAME:*`.
    Prometheus(String),
    Scrape(String),
    Probe(String),
}

impl ServiceSource {
    pub fn target(&self) -> &str {
        match self {
            ServiceSource::Prometheus(t) | ServiceSource::Scrape(t) | ServiceSource::Probe(t) => t,
        }
    }

    /// `promql main`, `scrape api`, `probe site`.
    pub fn label(&self) -> String {
        match self {
            ServiceSource::Prometheus(t) => format!("promql {t}"),
            ServiceSource::Scrape(t) => format!("scrape {t}"),
            ServiceSource::Probe(t) => format!("probe {t}"),
        }
    }

    /// The series name of one figure (`p50`, `p95`, `p99`, `error_ratio`,
    /// `rps`) from this source for `service`; None when it cannot give it.
    fn series(&self, service: &str, figure: &str) -> Option<String> {
        match self {
            ServiceSource::Prometheus(_) => Some(format!("service:{service}:{figure}")),
            ServiceSource::Scrape(t) => Some(format!("scrape:{t}:{figure}")),
            ServiceSource::Probe(t) => match figure {
                "p50" | "p95" | "p99" => Some(format!("probe:{t}:latency_{figure}")),
                "error_ratio" => Some(format!("probe:{t}:error_ratio")),
                // A probe's own pace is not the service's traffic.
                _ => None,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceDef {
    pub name: String,
    /// Best first: the first one with fresh figures is shown.
    pub sources: Vec<ServiceSource>,
    /// The target that found it (a labelled container's Docker host).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovered_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceRow {
    pub name: String,
    /// The source the figures come from, e.g. `scrape api`.
    pub source: String,
    /// Why no source gave figures, or why a better source was passed over.
    pub note: Option<String>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    pub error_ratio: Option<f64>,
    pub rps: Option<f64>,
    /// Seconds until the probed TLS certificate expires.
    pub cert_expires_in: Option<f64>,
    /// The series the figures were read from, e.g. `requests
    /// http_requests_total by code · latency http_request_duration_seconds`.
    pub series: Option<String>,
    /// Why each figure without a value has none, by figure name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub missing: BTreeMap<String, String>,
    /// The p95 series of the source shown, for the history chart.
    #[serde(skip)]
    pub p95_series: Option<String>,
}

/// The services of a config: those `[[service]]` names, then every probe and
/// scrape that none of them lists.
pub fn from_config(config: &crate::config::Config) -> Vec<ServiceDef> {
    let mut defs: Vec<ServiceDef> = config
        .service
        .iter()
        .map(|s| {
            let mut sources = Vec::new();
            if let Some(p) = &s.prometheus {
                sources.push(ServiceSource::Prometheus(p.get_ref().clone()));
            }
            if let Some(t) = &s.scrape {
                sources.push(ServiceSource::Scrape(t.get_ref().clone()));
            }
            if let Some(t) = &s.probe {
                sources.push(ServiceSource::Probe(t.get_ref().clone()));
            }
            ServiceDef {
                name: s.name.get_ref().clone(),
                sources,
                discovered_by: None,
            }
        })
        .collect();
    let claimed: Vec<ServiceSource> = defs.iter().flat_map(|d| d.sources.clone()).collect();
    let alone = config
        .scrape
        .iter()
        .map(|s| ServiceSource::Scrape(s.name.get_ref().clone()))
        .chain(
            config
                .probe
                .iter()
                .map(|p| ServiceSource::Probe(p.name.get_ref().clone())),
        )
        .filter(|s| !claimed.contains(s))
        .map(|s| ServiceDef {
            name: s.target().to_string(),
            sources: vec![s],
            discovered_by: None,
        });
    defs.extend(alone);
    defs
}

/// Each service's figures now, from its best source that has fresh ones.
pub fn rows(model: &Model) -> Vec<ServiceRow> {
    model.services.iter().map(|d| row(model, d)).collect()
}

/// SERVICE's requests/s now, from the row the metrics view shows for it (its
/// best source with fresh figures), or why there is none: a capacity run's
/// `--from-current` plans from it, in the command and in the console alike.
pub fn requests_per_second(model: &Model, service: &str) -> Result<f64, String> {
    let rows = rows(model);
    let Some(row) = rows.iter().find(|r| r.name == service) else {
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        return Err(format!(
            "no service of that name (the metrics view has: {})",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        ));
    };
    row.rps.ok_or_else(|| {
        let why = row
            .missing
            .get("rps")
            .cloned()
            .or(row.note.clone())
            .unwrap_or_else(|| "no requests/s figure".into());
        format!("{} gives no requests/s: {why}", row.source)
    })
}

/// The figures of a service row, by the names series and `--json` use.
const FIGURES: [&str; 5] = ["p50", "p95", "p99", "error_ratio", "rps"];

fn row(model: &Model, def: &ServiceDef) -> ServiceRow {
    let fresh = |name: Option<String>| {
        let (t, v) = model.store.latest_by_name(&name?)?;
        (model.now - t <= STALE_AFTER && v.is_finite()).then_some(v)
    };
    let missing = |source: &ServiceSource, values: [Option<f64>; 5]| -> BTreeMap<String, String> {
        FIGURES
            .iter()
            .zip(values)
            .filter(|(_, v)| v.is_none())
            .map(|(f, _)| (f.to_string(), figure_gap(model, def, source, f)))
            .collect()
    };
    let mut passed_over = Vec::new();
    for source in &def.sources {
        let figure = |f: &str| fresh(source.series(&def.name, f));
        let (p50, p95, p99) = (figure("p50"), figure("p95"), figure("p99"));
        let (error_ratio, rps) = (figure("error_ratio"), figure("rps"));
        if [p50, p95, p99, error_ratio, rps]
            .iter()
            .any(Option::is_some)
        {
            let cert = match source {
                ServiceSource::Probe(t) => fresh(Some(format!("probe:{t}:cert_expiry_seconds"))),
                _ => None,
            };
            return ServiceRow {
                name: def.name.clone(),
                source: source.label(),
                note: (!passed_over.is_empty()).then(|| passed_over.join("; ")),
                p50,
                p95,
                p99,
                error_ratio,
                rps,
                cert_expires_in: cert,
                series: series_of(model, source),
                missing: missing(source, [p50, p95, p99, error_ratio, rps]),
                p95_series: source.series(&def.name, "p95"),
            };
        }
        passed_over.push(why_not(model, source));
    }
    ServiceRow {
        name: def.name.clone(),
        source: def
            .sources
            .first()
            .map(ServiceSource::label)
            .unwrap_or_default(),
        note: Some(if passed_over.is_empty() {
            "no source configured".into()
        } else {
            passed_over.join("; ")
        }),
        p50: None,
        p95: None,
        p99: None,
        error_ratio: None,
        rps: None,
        cert_expires_in: None,
        series: def.sources.first().and_then(|s| series_of(model, s)),
        missing: def
            .sources
            .first()
            .map(|s| missing(s, [None; 5]))
            .unwrap_or_default(),
        p95_series: None,
    }
}

/// The series a scrape picked for its figures; a PromQL source's are in its
/// `[[service]]`, a probe's are its own requests.
fn series_of(model: &Model, source: &ServiceSource) -> Option<String> {
    match source {
        ServiceSource::Scrape(t) => model.request_series.get(t)?.describe(),
        _ => None,
    }
}

/// Why `figure` has no value from `source`.
fn figure_gap(model: &Model, def: &ServiceDef, source: &ServiceSource, figure: &str) -> String {
    match source {
        ServiceSource::Probe(_) if figure == "rps" => {
            return "a probe's own requests are not the service's traffic".into()
        }
        ServiceSource::Scrape(t) => {
            let said = model
                .request_series
                .get(t)
                .and_then(|r| r.missing.get(figure));
            if let (Some(why), Some(Health::Ok)) = (said, model.target(t).map(|t| &t.health)) {
                return why.clone();
            }
        }
        _ => {}
    }
    let series = source.series(&def.name, figure).unwrap_or_default();
    match model.store.latest_by_name(&series) {
        Some((t, _)) if model.now - t > STALE_AFTER => {
            format!("stale: last read {}s ago", model.now - t)
        }
        _ => why_not(model, source),
    }
}

fn why_not(model: &Model, source: &ServiceSource) -> String {
    let label = source.label();
    match model.target(source.target()).map(|t| &t.health) {
        Some(Health::Degraded { reason, .. }) => format!("{label}: {reason}"),
        Some(Health::Connecting) => format!("{label}: connecting"),
        Some(Health::Ok) => match source {
            ServiceSource::Scrape(t) => match model
                .request_series
                .get(t)
                .and_then(|r| r.missing.get("rps").or_else(|| r.missing.get("p95")))
            {
                Some(why) => format!("{label}: {why}"),
                None => format!("{label}: no requests measured yet"),
            },
            _ => format!("{label}: no requests measured yet"),
        },
        None => format!("{label}: not configured"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TargetKind;
    use std::time::Duration;

    fn model(defs: Vec<ServiceDef>) -> Model {
        let mut m = Model::new(Duration::from_secs(2), false);
        m.now = 1000;
        m.services = defs;
        m.add_target("main", TargetKind::Prometheus);
        m.add_target("api", TargetKind::Scrape);
        m.add_target("site", TargetKind::Probe);
        m
    }

    fn shop() -> ServiceDef {
        ServiceDef {
            discovered_by: None,
            name: "shop".into(),
            sources: vec![
                ServiceSource::Prometheus("main".into()),
                ServiceSource::Scrape("api".into()),
                ServiceSource::Probe("site".into()),
            ],
        }
    }

    #[test]
    fn the_best_source_with_fresh_figures_wins_and_is_named() {
        let mut m = model(vec![shop()]);
        m.store.record("scrape:api:p95", 999, 0.25);
        m.store.record("scrape:api:rps", 999, 12.0);
        m.store.record("probe:site:latency_p95", 999, 0.01);
        let r = &rows(&m)[0];
        assert_eq!(r.source, "scrape api");
        assert_eq!((r.p95, r.rps, r.p50), (Some(0.25), Some(12.0), None));
        assert_eq!(
            r.note.as_deref(),
            Some("promql main: connecting"),
            "says why PromQL was passed over"
        );

        m.store.record("service:shop:p95", 1000, 0.3);
        assert_eq!(rows(&m)[0].source, "promql main");
    }

    #[test]
    fn stale_figures_do_not_count_and_probes_have_no_rps() {
        let mut m = model(vec![shop()]);
        m.store
            .record("scrape:api:p95", 1000 - STALE_AFTER - 1, 0.25);
        m.store.record("probe:site:latency_p95", 1000, 0.01);
        m.store.record("probe:site:rps", 1000, 5.0);
        m.store
            .record("probe:site:cert_expiry_seconds", 1000, 86400.0);
        let r = &rows(&m)[0];
        assert_eq!(r.source, "probe site");
        assert_eq!((r.p95, r.rps), (Some(0.01), None));
        assert_eq!(r.cert_expires_in, Some(86400.0));
    }

    #[test]
    fn nothing_measured_says_why_for_every_source() {
        let mut m = model(vec![shop()]);
        m.targets[1].health = Health::Degraded {
            reason: "connection refused".into(),
            since: 990,
            retry_in: Duration::from_secs(2),
        };
        let r = &rows(&m)[0];
        assert_eq!(r.source, "promql main");
        let note = r.note.as_deref().unwrap();
        assert!(note.contains("scrape api: connection refused"), "{note}");
        assert!(note.contains("probe site: connecting"), "{note}");
    }

    #[test]
    fn unclaimed_probes_and_scrapes_are_services_of_their_own() {
        let text = r#"
            [[prometheus]]
            name = "main"
            url = "http://127.0.0.1:9090"
            [[scrape]]
            name = "api"
            url = "http://127.0.0.1:8080/metrics"
            [[scrape]]
            name = "worker"
            url = "http://127.0.0.1:8081/metrics"
            [[probe]]
            name = "site"
            url = "http://127.0.0.1:8080/health"
            [[service]]
            name = "shop"
            prometheus = "main"
            selector = 'job="api"'
            scrape = "api"
        "#;
        let config: crate::config::Config = toml::from_str(text).unwrap();
        let defs = from_config(&config);
        let names: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["shop", "worker", "site"]);
        assert_eq!(defs[0].sources.len(), 2);
    }
}
