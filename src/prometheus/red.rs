//! The RED queries (rate, errors, duration) that give a service's figures
//! from a Prometheus: p50 / p95 / p99 from its latency histogram, requests per
//! second and the share of 5xx answers from its request counter.

use crate::config::Service;

pub const DEFAULT_LATENCY_METRIC: &str = "http_request_duration_seconds";
pub const DEFAULT_REQUESTS_METRIC: &str = "http_requests_total";
pub const DEFAULT_STATUS_LABEL: &str = "code";
/// Short enough to show a change within a minute, long enough for two scrapes.
pub const DEFAULT_WINDOW_SECS: u64 = 60;

/// `(series, promql)` for each figure of the service, series named
/// `service:NAME:p95` and so on.
pub fn queries(svc: &Service) -> Vec<(String, String)> {
    let name = svc.name.get_ref();
    let latency = svc
        .latency_metric
        .as_deref()
        .unwrap_or(DEFAULT_LATENCY_METRIC);
    let requests = svc
        .requests_metric
        .as_deref()
        .unwrap_or(DEFAULT_REQUESTS_METRIC);
    let status = svc.status_label.as_deref().unwrap_or(DEFAULT_STATUS_LABEL);
    let window = svc
        .window
        .map_or(DEFAULT_WINDOW_SECS, |w| w.0.as_secs().max(1));
    let sel = svc.selector.as_deref().unwrap_or("").trim();
    let sel = sel.trim_start_matches('{').trim_end_matches('}');
    let with = |extra: &str| match (sel.is_empty(), extra.is_empty()) {
        (true, _) => format!("{{{extra}}}"),
        (false, true) => format!("{{{sel}}}"),
        (false, false) => format!("{{{sel},{extra}}}"),
    };
    let total = format!("sum(rate({requests}{}[{window}s]))", with(""));
    let errors = format!(
        "(sum(rate({requests}{}[{window}s])) or vector(0))",
        with(&format!("{status}=~\"5..\""))
    );
    let mut out: Vec<(String, String)> = [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)]
        .into_iter()
        .map(|(figure, q)| {
            (
                figure,
                format!(
                    "histogram_quantile({q}, sum by (le) (rate({latency}_bucket{}[{window}s])))",
                    with("")
                ),
            )
        })
        .map(|(f, q)| (format!("service:{name}:{f}"), q))
        .collect();
    out.push((format!("service:{name}:rps"), total.clone()));
    out.push((
        format!("service:{name}:error_ratio"),
        format!("{errors} / {total}"),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(extra: &str) -> Service {
        let text = format!("name = \"shop\"\nprometheus = \"main\"\n{extra}");
        toml::from_str(&text).unwrap()
    }

    #[test]
    fn queries_use_the_selector_and_the_named_metrics() {
        let q = queries(&service(
            "selector = 'job=\"api\"'\nlatency_metric = \"demo_http_request_duration_seconds\"\n\
             requests_metric = \"demo_http_requests_total\"\nstatus_label = \"status\"\nwindow = \"30s\"",
        ));
        let get = |s: &str| &q.iter().find(|(n, _)| n == s).unwrap().1;
        assert_eq!(
            get("service:shop:p95"),
            "histogram_quantile(0.95, sum by (le) (rate(demo_http_request_duration_seconds_bucket{job=\"api\"}[30s])))"
        );
        assert_eq!(
            get("service:shop:error_ratio"),
            "(sum(rate(demo_http_requests_total{job=\"api\",status=~\"5..\"}[30s])) or vector(0)) / \
             sum(rate(demo_http_requests_total{job=\"api\"}[30s]))"
        );
        assert_eq!(q.len(), 5);
    }

    #[test]
    fn no_selector_and_braces_are_both_fine() {
        let q = queries(&service(""));
        assert!(q[4].1.contains("http_requests_total{}[60s]"), "{}", q[4].1);
        assert!(q[4].1.contains("{code=~\"5..\"}"), "{}", q[4].1);
        let q = queries(&service("selector = '{job=\"x\"}'"));
        assert!(q[3].1.contains("{job=\"x\"}[60s]"), "{}", q[3].1);
    }
}
