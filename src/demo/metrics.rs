//! The demo service's own metrics: request latency and counts per route,
//! rendered in the Prometheus text format on `GET /metrics`.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use super::exposition::{format_value, Kind, TextWriter};
use super::faults::FaultView;
use super::routes::Route;

/// Upper bounds of the latency histogram, in seconds (Prometheus' defaults,
/// so dashboards written for other services read these too).
pub const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

pub const DURATION_METRIC: &str = "demo_http_request_duration_seconds";
pub const REQUESTS_METRIC: &str = "demo_http_requests_total";

#[derive(Debug, Clone, Default)]
struct Histogram {
    /// Non-cumulative counts per bucket; the `+Inf` bucket is `count`.
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(i) = BUCKETS.iter().position(|&le| seconds <= le) {
            self.buckets[i] += 1;
        }
        self.sum += seconds;
        self.count += 1;
    }
}

#[derive(Debug, Default)]
struct Inner {
    durations: BTreeMap<&'static str, Histogram>,
    requests: BTreeMap<(&'static str, u16), u64>,
}

/// What the registry needs from the rest of the service at render time.
#[derive(Debug, Clone, Copy)]
pub struct ServiceStatus<'a> {
    pub version: &'a str,
    pub healthy: bool,
    pub faults: &'a FaultView,
}

/// Request metrics shared by every connection.
#[derive(Debug)]
pub struct Registry {
    inner: Mutex<Inner>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    /// Creates a registry whose latency series for the served routes exist
    /// from the start, so a rate over them is 0 rather than absent.
    pub fn new() -> Self {
        let mut inner = Inner::default();
        for route in [Route::Root, Route::Work, Route::Health] {
            inner.durations.insert(route.label(), Histogram::default());
        }
        Self {
            inner: Mutex::new(inner),
        }
    }

    pub fn observe(&self, route: Route, status: u16, elapsed: Duration) {
        let mut inner = self.lock();
        inner
            .durations
            .entry(route.label())
            .or_default()
            .observe(elapsed.as_secs_f64());
        *inner.requests.entry((route.label(), status)).or_insert(0) += 1;
    }

    pub fn render(&self, status: &ServiceStatus<'_>) -> String {
        let inner = self.lock();
        let mut w = TextWriter::new();
        write_durations(&mut w, &inner.durations);
        write_requests(&mut w, &inner.requests);
        drop(inner);
        write_service(&mut w, status);
        w.finish()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock leaves plain counters behind, which
        // are still worth serving.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn write_durations(w: &mut TextWriter, durations: &BTreeMap<&'static str, Histogram>) {
    w.family(
        DURATION_METRIC,
        "Time spent answering HTTP requests, by route.",
        Kind::Histogram,
    );
    let bucket_name = format!("{DURATION_METRIC}_bucket");
    for (route, hist) in durations {
        let mut cumulative = 0;
        for (le, count) in BUCKETS.iter().zip(hist.buckets) {
            cumulative += count;
            let le = format_value(*le);
            w.sample(
                &bucket_name,
                &[("route", route), ("le", &le)],
                cumulative as f64,
            );
        }
        w.sample(
            &bucket_name,
            &[("route", route), ("le", "+Inf")],
            hist.count as f64,
        );
        w.sample(
            &format!("{DURATION_METRIC}_sum"),
            &[("route", route)],
            hist.sum,
        );
        w.sample(
            &format!("{DURATION_METRIC}_count"),
            &[("route", route)],
            hist.count as f64,
        );
    }
}

fn write_requests(w: &mut TextWriter, requests: &BTreeMap<(&'static str, u16), u64>) {
    w.family(
        REQUESTS_METRIC,
        "HTTP requests answered, by route and status code.",
        Kind::Counter,
    );
    for ((route, status), count) in requests {
        let status = status.to_string();
        w.sample(
            REQUESTS_METRIC,
            &[("route", route), ("status", &status)],
            *count as f64,
        );
    }
}

fn write_service(w: &mut TextWriter, status: &ServiceStatus<'_>) {
    let bool_value = |b: bool| if b { 1.0 } else { 0.0 };
    w.family(
        "demo_up",
        "1 while the service reports itself healthy, 0 otherwise.",
        Kind::Gauge,
    );
    w.sample("demo_up", &[], bool_value(status.healthy));
    w.family(
        "demo_build_info",
        "Always 1; the version label names the running build.",
        Kind::Gauge,
    );
    w.sample("demo_build_info", &[("version", status.version)], 1.0);

    let faults = status.faults;
    w.family(
        "demo_fault_slow_ms",
        "Latency added to / and /work by the slow fault.",
        Kind::Gauge,
    );
    w.sample("demo_fault_slow_ms", &[], faults.slow_ms as f64);
    w.family(
        "demo_fault_error_ratio",
        "Share of / and /work requests failed by the errors fault.",
        Kind::Gauge,
    );
    w.sample("demo_fault_error_ratio", &[], faults.error_ratio);
    w.family(
        "demo_fault_unhealthy",
        "1 while the unhealthy fault fails /health.",
        Kind::Gauge,
    );
    w.sample("demo_fault_unhealthy", &[], bool_value(faults.unhealthy));
    w.family(
        "demo_burn_threads",
        "Threads currently burning CPU.",
        Kind::Gauge,
    );
    w.sample("demo_burn_threads", &[], faults.burn_threads as f64);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::faults::FaultSettings;

    fn render(reg: &Registry, healthy: bool) -> String {
        let view = FaultView::from_settings(&FaultSettings::default(), None, 0);
        reg.render(&ServiceStatus {
            version: "1.2.3",
            healthy,
            faults: &view,
        })
    }

    fn line_value(text: &str, prefix: &str) -> f64 {
        let line = text
            .lines()
            .find(|l| l.starts_with(prefix) && l[prefix.len()..].starts_with(' '))
            .unwrap_or_else(|| panic!("no line {prefix} in\n{text}"));
        line[prefix.len() + 1..].parse().unwrap()
    }

    #[test]
    fn histogram_buckets_are_cumulative() {
        let reg = Registry::new();
        reg.observe(Route::Work, 200, Duration::from_millis(3));
        reg.observe(Route::Work, 200, Duration::from_millis(30));
        reg.observe(Route::Work, 500, Duration::from_secs(20));
        let text = render(&reg, true);
        let b = |le: &str| {
            line_value(
                &text,
                &format!("{DURATION_METRIC}_bucket{{route=\"/work\",le=\"{le}\"}}"),
            )
        };
        assert_eq!(b("0.005"), 1.0);
        assert_eq!(b("0.025"), 1.0);
        assert_eq!(b("0.05"), 2.0);
        assert_eq!(b("10"), 2.0);
        assert_eq!(b("+Inf"), 3.0);
        let count = line_value(
            &text,
            &format!("{DURATION_METRIC}_count{{route=\"/work\"}}"),
        );
        assert_eq!(count, 3.0);
        let sum = line_value(&text, &format!("{DURATION_METRIC}_sum{{route=\"/work\"}}"));
        assert!((sum - 20.033).abs() < 1e-9, "{sum}");
    }

    #[test]
    fn counts_requests_by_route_and_status() {
        let reg = Registry::new();
        reg.observe(Route::Root, 200, Duration::ZERO);
        reg.observe(Route::Root, 200, Duration::ZERO);
        reg.observe(Route::Root, 500, Duration::ZERO);
        reg.observe(Route::Other, 404, Duration::ZERO);
        let text = render(&reg, true);
        let c = |route: &str, status: &str| {
            line_value(
                &text,
                &format!("{REQUESTS_METRIC}{{route=\"{route}\",status=\"{status}\"}}"),
            )
        };
        assert_eq!(c("/", "200"), 2.0);
        assert_eq!(c("/", "500"), 1.0);
        assert_eq!(c("other", "404"), 1.0);
    }

    #[test]
    fn served_routes_have_series_before_any_request() {
        let text = render(&Registry::new(), true);
        for route in ["/", "/work", "/health"] {
            let prefix = format!("{DURATION_METRIC}_count{{route=\"{route}\"}}");
            assert_eq!(line_value(&text, &prefix), 0.0);
        }
        assert!(!text.contains(&format!("{REQUESTS_METRIC}{{")));
    }

    #[test]
    fn service_gauges_follow_status() {
        let reg = Registry::new();
        let text = render(&reg, true);
        assert_eq!(line_value(&text, "demo_up"), 1.0);
        assert_eq!(line_value(&text, "demo_build_info{version=\"1.2.3\"}"), 1.0);
        assert_eq!(line_value(&text, "demo_fault_error_ratio"), 0.0);
        assert_eq!(line_value(&text, "demo_up"), 1.0);
        let settings = FaultSettings {
            slow_ms: 250,
            error_ratio: 0.5,
            unhealthy: true,
            ..FaultSettings::default()
        };
        let view = FaultView::from_settings(&settings, None, 2);
        let text = reg.render(&ServiceStatus {
            version: "v",
            healthy: false,
            faults: &view,
        });
        assert_eq!(line_value(&text, "demo_up"), 0.0);
        assert_eq!(line_value(&text, "demo_fault_slow_ms"), 250.0);
        assert_eq!(line_value(&text, "demo_fault_error_ratio"), 0.5);
        assert_eq!(line_value(&text, "demo_fault_unhealthy"), 1.0);
        assert_eq!(line_value(&text, "demo_burn_threads"), 2.0);
    }

    #[test]
    fn every_family_has_help_and_type() {
        let text = render(&Registry::new(), true);
        let types = text.lines().filter(|l| l.starts_with("# TYPE ")).count();
        let helps = text.lines().filter(|l| l.starts_with("# HELP ")).count();
        assert_eq!(types, helps);
        assert_eq!(types, 8);
    }
}
