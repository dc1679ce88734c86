//! What an on-call reads off a service's own `/metrics`: requests per second,
//! the share that failed, and latency percentiles, each over the time between
//! two scrapes. Pure: it sees parsed families and a clock reading, nothing else.

use super::histogram::{percentiles, summed_deltas, Bucket};
use super::rate::reset_aware_delta;
use crate::exposition::{Families, MetricType, SeriesValue};
use std::collections::HashMap;

/// The previous scrape's counters and histograms, keyed by label set.
#[derive(Debug, Default, Clone)]
pub struct ServiceRates {
    last_at: Option<f64>,
    requests: HashMap<String, f64>,
    latency: HashMap<String, Vec<Bucket>>,
}

/// A counter family of requests: `*requests*` with a status-code label.
fn is_request_counter(name: &str, kind: MetricType) -> bool {
    kind == MetricType::Counter && name.contains("requests")
}

/// A latency histogram: `*duration_seconds*` or `*latency_seconds*`.
fn is_latency_histogram(name: &str, kind: MetricType) -> bool {
    kind == MetricType::Histogram
        && (name.contains("duration_seconds") || name.contains("latency_seconds"))
}

fn label_key(labels: &[crate::exposition::Label<'_>]) -> String {
    labels
        .iter()
        .map(|l| format!("{}={}", l.name, l.value))
        .collect::<Vec<_>>()
        .join(",")
}

/// 5xx answers are the service's failures; 4xx are the caller's.
fn is_server_error(code: &str) -> bool {
    code.starts_with('5')
}

impl ServiceRates {
    /// Folds one scrape taken at `at` (seconds); returns `(suffix, value)` pairs
    /// such as `("rps", 12.5)`, `("error_ratio", 0.02)`, `("p95", 0.3)`. The first
    /// scrape only sets the baseline; a window with no requests has no latency.
    pub fn observe(&mut self, at: f64, families: &Families<'_>) -> Vec<(&'static str, f64)> {
        let mut requests = HashMap::new();
        let mut total_delta = 0.0;
        let mut error_delta = 0.0;
        let mut latency = HashMap::new();
        for f in &families.families {
            if is_request_counter(&f.name, f.kind) {
                for s in &f.series {
                    let SeriesValue::Counter { total: Some(v), .. } = s.value else {
                        continue;
                    };
                    let key = format!("{}|{}", f.name, label_key(&s.labels));
                    if let Some(prev) = self.requests.get(&key) {
                        let d = reset_aware_delta(*prev, v);
                        total_delta += d;
                        let code = s.label("status").or_else(|| s.label("code")).unwrap_or("");
                        if is_server_error(code) {
                            error_delta += d;
                        }
                    } else if self.last_at.is_some() {
                        // A label set born since the last scrape counted from zero.
                        total_delta += v;
                        let code = s.label("status").or_else(|| s.label("code")).unwrap_or("");
                        if is_server_error(code) {
                            error_delta += v;
                        }
                    }
                    requests.insert(key, v);
                }
            } else if is_latency_histogram(&f.name, f.kind) {
                for s in &f.series {
                    if let SeriesValue::Histogram(h) = &s.value {
                        let key = format!("{}|{}", f.name, label_key(&s.labels));
                        latency.insert(key, h.buckets.clone());
                    }
                }
            }
        }
        let mut out = Vec::new();
        if let Some(last) = self.last_at.filter(|l| at > *l) {
            let dt = at - last;
            if !requests.is_empty() {
                out.push(("rps", total_delta / dt));
                let ratio = if total_delta > 0.0 {
                    error_delta / total_delta
                } else {
                    0.0
                };
                out.push(("error_ratio", ratio));
            }
            let pairs: Vec<(&[Bucket], &[Bucket])> = latency
                .iter()
                .filter_map(|(k, after)| {
                    self.latency
                        .get(k)
                        .map(|before| (before.as_slice(), after.as_slice()))
                })
                .collect();
            let window = summed_deltas(pairs);
            if window.last().is_some_and(|b| b.count > 0.0) {
                let p = percentiles(&window);
                out.extend([("p50", p.p50), ("p95", p.p95), ("p99", p.p99)]);
            }
        }
        self.last_at = Some(at);
        self.requests = requests;
        self.latency = latency;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposition::{group, parse, Format};

    fn scrape(ok: u64, failed: u64, fast: u64, slow: u64) -> String {
        format!(
            "# TYPE http_requests_total counter\n\
             http_requests_total{{route=\"/\",status=\"200\"}} {ok}\n\
             http_requests_total{{route=\"/\",status=\"503\"}} {failed}\n\
             http_requests_total{{route=\"/\",status=\"404\"}} 7\n\
             # TYPE http_request_duration_seconds histogram\n\
             http_request_duration_seconds_bucket{{le=\"0.1\"}} {fast}\n\
             http_request_duration_seconds_bucket{{le=\"1\"}} {}\n\
             http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n\
             http_request_duration_seconds_sum 1\n\
             http_request_duration_seconds_count {}\n",
            fast + slow,
            fast + slow,
            fast + slow
        )
    }

    fn observe(r: &mut ServiceRates, at: f64, text: &str) -> HashMap<&'static str, f64> {
        let parsed = parse(text, Format::Prometheus);
        r.observe(at, &group(&parsed)).into_iter().collect()
    }

    #[test]
    fn rates_errors_and_latency_over_the_window() {
        let mut r = ServiceRates::default();
        assert!(observe(&mut r, 100.0, &scrape(100, 0, 100, 0)).is_empty());
        // 10 s later: 90 more OK, 10 more 503s; 50 fast and 50 slow answers.
        let v = observe(&mut r, 110.0, &scrape(190, 10, 150, 50));
        assert_eq!(v["rps"], 10.0);
        assert_eq!(v["error_ratio"], 0.1);
        // Half the window's answers took over 0.1 s: p50 sits on the first bound,
        // p95 well inside (0.1, 1].
        assert!((v["p50"] - 0.1).abs() < 1e-9, "{v:?}");
        assert!(v["p95"] > 0.8 && v["p95"] <= 1.0, "{v:?}");
    }

    #[test]
    fn a_restarted_service_is_not_a_negative_rate() {
        let mut r = ServiceRates::default();
        observe(&mut r, 0.0, &scrape(1000, 10, 1000, 0));
        let v = observe(&mut r, 10.0, &scrape(20, 0, 20, 0));
        // Each series resets on its own: 20 OK since the restart, the 404s unchanged.
        assert_eq!(v["rps"], 2.0, "{v:?}");
        assert_eq!(v["error_ratio"], 0.0);
    }

    #[test]
    fn an_idle_window_has_rates_but_no_latency() {
        let mut r = ServiceRates::default();
        observe(&mut r, 0.0, &scrape(5, 0, 5, 0));
        let v = observe(&mut r, 5.0, &scrape(5, 0, 5, 0));
        assert_eq!(v["rps"], 0.0);
        assert!(!v.contains_key("p95"));
    }
}
