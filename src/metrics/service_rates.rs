//! What an on-call reads off a service's own `/metrics`: requests per second,
//! the share that failed, and latency percentiles, each over the time between
//! two scrapes. Pure: it sees parsed families and a clock reading, nothing else.
//!
//! Only request metrics count as requests: the counter and histogram a
//! `[[scrape]]` or its `[[service]]` names (`requests_metric`,
//! `latency_metric`, `status_label`), else the conventions every Prometheus
//! client library follows: a `*_requests_total` counter with a `code`,
//! `status` or `status_code` label, and a `*_request_duration_seconds`
//! histogram. Any other counter (`node_disk_flush_requests_total`) is not
//! traffic. Which series were picked, and why a figure is missing, come back
//! with the figures.

use super::histogram::{percentiles, summed_deltas, Bucket};
use super::rate::reset_aware_delta;
use crate::exposition::{Families, Family, MetricType, SeriesValue};
use crate::model::RequestSeries;
use std::collections::{BTreeMap, HashMap};

/// The names a `[[scrape]]` (or the `[[service]]` that lists it) gives; None
/// for each means "by convention".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestNames {
    pub requests_metric: Option<String>,
    pub latency_metric: Option<String>,
    pub status_label: Option<String>,
}

/// The labels client libraries put the HTTP status in, in the order tried.
const STATUS_LABELS: [&str; 3] = ["code", "status", "status_code"];

/// promhttp counts the scrapes of `/metrics` itself: an exporter's only
/// traffic, but never a service's when the service counts its own requests.
const SCRAPES_COUNTER: &str = "promhttp_metric_handler_requests_total";

/// The previous scrape's counters and histograms, keyed by label set, and
/// which families they were read from.
#[derive(Debug, Default, Clone)]
pub struct ServiceRates {
    names: RequestNames,
    last_at: Option<f64>,
    /// The request family and its status label, once picked (kept while it lasts).
    requests_family: Option<(String, Option<String>)>,
    latency_family: Option<String>,
    requests: HashMap<String, f64>,
    latency: HashMap<String, Vec<Bucket>>,
}

/// One scrape's figures: `(suffix, value)` pairs such as `("rps", 12.5)`, and
/// which series they came from with the reason for each figure left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub figures: Vec<(&'static str, f64)>,
    pub series: RequestSeries,
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

/// A counter's value; untyped samples count too (many exporters write no `# TYPE`).
fn counter_value(v: &SeriesValue) -> Option<f64> {
    match v {
        SeriesValue::Counter { total, .. } => *total,
        SeriesValue::Unknown(v) => Some(*v),
        _ => None,
    }
}

fn is_counter(f: &Family<'_>) -> bool {
    f.kind == MetricType::Counter || (f.kind == MetricType::Unknown && f.name.ends_with("_total"))
}

/// The family `wanted` names: its name as written, with or without the
/// `_total` an OpenMetrics family name leaves off, or without `_bucket`.
fn names_family(f: &Family<'_>, wanted: &str) -> bool {
    f.name == wanted
        || format!("{}_total", f.name) == wanted
        || f.name == format!("{wanted}_total")
        || wanted.strip_suffix("_bucket") == Some(&*f.name)
}

/// `http_requests_total` → `http`: the prefix its latency histogram shares.
fn stem(requests_family: &str) -> &str {
    requests_family
        .strip_suffix("_requests_total")
        .or_else(|| requests_family.strip_suffix("_requests"))
        .unwrap_or(requests_family)
}

fn total_of(f: &Family<'_>) -> f64 {
    f.series
        .iter()
        .filter_map(|s| counter_value(&s.value))
        .sum()
}

fn count_of(f: &Family<'_>) -> f64 {
    f.series
        .iter()
        .filter_map(|s| match &s.value {
            SeriesValue::Histogram(h) => h.buckets.last().map(|b| b.count),
            _ => None,
        })
        .sum()
}

/// The label of `f` holding the status: the configured one if its series
/// carry it, else the first conventional one they carry.
fn status_label_of(f: &Family<'_>, configured: Option<&str>) -> Option<String> {
    let carried = |l: &str| f.series.iter().any(|s| s.label(l).is_some());
    match configured {
        Some(l) => carried(l).then(|| l.to_string()),
        None => STATUS_LABELS
            .iter()
            .find(|l| carried(l))
            .map(|l| l.to_string()),
    }
}

/// The most of `candidates` by `weight`, the name breaking ties.
fn biggest<'f, 'a>(
    candidates: impl Iterator<Item = &'f Family<'a>>,
    weight: fn(&Family<'_>) -> f64,
) -> Option<&'f Family<'a>>
where
    'a: 'f,
{
    candidates.max_by(|a, b| {
        weight(a)
            .total_cmp(&weight(b))
            .then_with(|| b.name.cmp(&a.name))
    })
}

impl ServiceRates {
    pub fn new(names: RequestNames) -> Self {
        ServiceRates {
            names,
            ..Default::default()
        }
    }

    /// The request counter and its status label, or why there is none.
    fn pick_requests<'f, 'a>(
        &self,
        families: &'f Families<'a>,
    ) -> Result<(&'f Family<'a>, Option<String>), String> {
        let configured = self.names.status_label.as_deref();
        if let Some(wanted) = &self.names.requests_metric {
            let f = families
                .families
                .iter()
                .find(|f| is_counter(f) && names_family(f, wanted))
                .ok_or_else(|| {
                    format!("requests_metric {wanted:?} is not a counter in the scrape")
                })?;
            return Ok((f, status_label_of(f, configured)));
        }
        let qualifies = |f: &&Family<'_>| {
            is_counter(f)
                && (f.name.ends_with("_requests_total") || f.name.ends_with("_requests"))
                && status_label_of(f, configured).is_some()
        };
        if let Some((kept, _)) = &self.requests_family {
            if let Some(f) = families
                .families
                .iter()
                .filter(qualifies)
                .find(|f| f.name == *kept)
            {
                return Ok((f, status_label_of(f, configured)));
            }
        }
        let candidates: Vec<&Family<'_>> = families.families.iter().filter(qualifies).collect();
        let own = candidates
            .iter()
            .copied()
            .filter(|f| f.name != SCRAPES_COUNTER);
        let f = biggest(own, total_of)
            .or_else(|| candidates.first().copied())
            .ok_or_else(|| {
                let label = configured.map_or("a code or status".to_string(), |l| format!("a {l:?}"));
                format!("no request counter: no *_requests_total counter with {label} label (set requests_metric)")
            })?;
        Ok((f, status_label_of(f, configured)))
    }

    /// The latency histogram, or why there is none.
    fn pick_latency<'f, 'a>(
        &self,
        families: &'f Families<'a>,
        requests: Option<&str>,
    ) -> Result<&'f Family<'a>, String> {
        let histograms = || {
            families
                .families
                .iter()
                .filter(|f| f.kind == MetricType::Histogram)
        };
        if let Some(wanted) = &self.names.latency_metric {
            return histograms()
                .find(|f| names_family(f, wanted))
                .ok_or_else(|| {
                    format!("latency_metric {wanted:?} is not a histogram in the scrape")
                });
        }
        let conventional =
            || histograms().filter(|f| f.name.ends_with("_request_duration_seconds"));
        if let Some(kept) = &self.latency_family {
            if let Some(f) = conventional().find(|f| f.name == *kept) {
                return Ok(f);
            }
        }
        let sibling = requests.map(|r| format!("{}_request_duration_seconds", stem(r)));
        conventional()
            .find(|f| Some(&*f.name) == sibling.as_deref())
            .or_else(|| biggest(conventional(), count_of))
            .ok_or_else(|| {
                "no latency histogram: no *_request_duration_seconds histogram (set latency_metric)"
                    .to_string()
            })
    }

    /// Folds one scrape taken at `at` (seconds). The first scrape of a
    /// family only sets its baseline; a window with no requests has no latency.
    pub fn observe(&mut self, at: f64, families: &Families<'_>) -> Reading {
        let mut series = RequestSeries::default();
        let mut gaps = BTreeMap::new();
        let mut missing = |figures: &[&str], why: &str| {
            for f in figures {
                gaps.entry(f.to_string()).or_insert_with(|| why.to_string());
            }
        };
        let window = self.last_at.filter(|l| at > *l).map(|last| at - last);
        let baseline = "one reading so far: a rate needs a second";
        let mut out = Vec::new();

        let mut requests = HashMap::new();
        let picked = self.pick_requests(families);
        let requests_name = picked.as_ref().ok().map(|(f, _)| f.name.to_string());
        match &picked {
            Err(why) => missing(&["rps", "error_ratio"], why),
            Ok((f, status)) => {
                // A family that appeared since the last scrape (a service's
                // first requests) counts from zero, as its label sets do.
                let same = match &self.requests_family {
                    Some((n, _)) => Some(n) == requests_name.as_ref(),
                    None => self.last_at.is_some(),
                };
                let mut total_delta = 0.0;
                let mut error_delta = 0.0;
                for s in &f.series {
                    let Some(v) = counter_value(&s.value) else {
                        continue;
                    };
                    let key = label_key(&s.labels);
                    let delta = match self.requests.get(&key) {
                        Some(prev) if same => Some(reset_aware_delta(*prev, v)),
                        // A label set born since the last scrape counted from zero.
                        None if same && self.last_at.is_some() => Some(v),
                        _ => None,
                    };
                    if let Some(d) = delta {
                        total_delta += d;
                        let code = status.as_deref().and_then(|l| s.label(l)).unwrap_or("");
                        if is_server_error(code) {
                            error_delta += d;
                        }
                    }
                    requests.insert(key, v);
                }
                match window.filter(|_| same) {
                    None => missing(&["rps", "error_ratio"], baseline),
                    Some(dt) => {
                        out.push(("rps", total_delta / dt));
                        match status {
                            None => missing(
                                &["error_ratio"],
                                &format!("{} has no status label (set status_label)", f.name),
                            ),
                            Some(_) => out.push((
                                "error_ratio",
                                if total_delta > 0.0 {
                                    error_delta / total_delta
                                } else {
                                    0.0
                                },
                            )),
                        }
                    }
                }
                series.requests = Some(match status {
                    Some(l) => format!("{} by {l}", f.name),
                    None => f.name.to_string(),
                });
            }
        }

        let mut latency = HashMap::new();
        let percentile_names = ["p50", "p95", "p99"];
        match self.pick_latency(families, requests_name.as_deref()) {
            Err(why) => {
                missing(&percentile_names, &why);
                self.latency_family = None;
            }
            Ok(f) => {
                let same = self.latency_family.as_deref() == Some(&*f.name);
                for s in &f.series {
                    if let SeriesValue::Histogram(h) = &s.value {
                        latency.insert(label_key(&s.labels), h.buckets.clone());
                    }
                }
                if window.is_none() || !same {
                    missing(&percentile_names, baseline);
                } else {
                    let pairs: Vec<(&[Bucket], &[Bucket])> = latency
                        .iter()
                        .filter_map(|(k, after)| {
                            self.latency
                                .get(k)
                                .map(|before| (before.as_slice(), after.as_slice()))
                        })
                        .collect();
                    let buckets = summed_deltas(pairs);
                    if buckets.last().is_some_and(|b| b.count > 0.0) {
                        let p = percentiles(&buckets);
                        out.extend([("p50", p.p50), ("p95", p.p95), ("p99", p.p99)]);
                    } else {
                        missing(&percentile_names, "no requests in the window");
                    }
                }
                series.latency = Some(f.name.to_string());
                self.latency_family = Some(f.name.to_string());
            }
        }

        series.missing = gaps;
        self.last_at = Some(at);
        self.requests_family = picked.ok().map(|(f, status)| (f.name.to_string(), status));
        self.requests = requests;
        self.latency = latency;
        Reading {
            figures: out,
            series,
        }
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
        r.observe(at, &group(&parsed)).figures.into_iter().collect()
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

    fn reading(r: &mut ServiceRates, at: f64, text: &str) -> Reading {
        r.observe(at, &group(&parse(text, Format::Prometheus)))
    }

    /// node_exporter's shape: counters of disk requests with no status, and
    /// promhttp's count of its own scrapes, by code.
    fn node_exporter(flushes: u64, scrapes: u64) -> String {
        format!(
            "# TYPE node_disk_flush_requests_total counter\n\
             node_disk_flush_requests_total{{device=\"sda\"}} {flushes}\n\
             # TYPE node_disk_reads_completed_total counter\n\
             node_disk_reads_completed_total{{device=\"sda\"}} {flushes}\n\
             # TYPE promhttp_metric_handler_requests_total counter\n\
             promhttp_metric_handler_requests_total{{code=\"200\"}} {scrapes}\n\
             promhttp_metric_handler_requests_total{{code=\"500\"}} 0\n\
             promhttp_metric_handler_requests_total{{code=\"503\"}} 0\n"
        )
    }

    #[test]
    fn only_request_counters_are_requests() {
        let mut r = ServiceRates::default();
        let first = reading(&mut r, 0.0, &node_exporter(1000, 10));
        assert_eq!(
            first.series.missing["rps"],
            "one reading so far: a rate needs a second"
        );
        let v = reading(&mut r, 10.0, &node_exporter(9000, 17));
        let figures: HashMap<_, _> = v.figures.into_iter().collect();
        assert_eq!(figures["rps"], 0.7, "the disk flushes are not requests");
        assert_eq!(
            v.series.requests.as_deref(),
            Some("promhttp_metric_handler_requests_total by code")
        );
        assert_eq!(v.series.latency, None);
        assert!(
            v.series.missing["p95"].starts_with("no latency histogram"),
            "{:?}",
            v.series.missing
        );
    }

    #[test]
    fn a_service_counter_wins_over_promhttp_and_its_histogram_is_its_sibling() {
        let text = format!(
            "{}# TYPE other_request_duration_seconds histogram\n\
             other_request_duration_seconds_bucket{{le=\"+Inf\"}} 999\n\
             other_request_duration_seconds_count 999\n\
             other_request_duration_seconds_sum 1\n{}",
            scrape(10, 0, 10, 0),
            node_exporter(0, 50)
        );
        let mut r = ServiceRates::default();
        let v = reading(&mut r, 0.0, &text);
        assert_eq!(
            v.series.requests.as_deref(),
            Some("http_requests_total by status")
        );
        assert_eq!(
            v.series.latency.as_deref(),
            Some("http_request_duration_seconds"),
            "the histogram that shares the counter's stem"
        );
    }

    #[test]
    fn configured_names_are_read_and_a_wrong_one_says_so() {
        let text = "# TYPE jobs_done_total counter\njobs_done_total{outcome=\"ok\"} 5\n\
                    jobs_done_total{outcome=\"failed\"} 1\n";
        let mut r = ServiceRates::new(RequestNames {
            requests_metric: Some("jobs_done_total".into()),
            latency_metric: Some("jobs_seconds".into()),
            status_label: None,
        });
        reading(&mut r, 0.0, text);
        let text2 = text.replace("} 5", "} 15");
        let v = reading(&mut r, 10.0, &text2);
        assert_eq!(v.figures, vec![("rps", 1.0)]);
        assert_eq!(v.series.requests.as_deref(), Some("jobs_done_total"));
        assert_eq!(
            v.series.missing["error_ratio"],
            "jobs_done_total has no status label (set status_label)"
        );
        assert_eq!(
            v.series.missing["p95"],
            "latency_metric \"jobs_seconds\" is not a histogram in the scrape"
        );

        let mut r = ServiceRates::new(RequestNames {
            status_label: Some("outcome".into()),
            requests_metric: Some("jobs_done".into()),
            ..Default::default()
        });
        reading(&mut r, 0.0, text);
        let v = reading(&mut r, 10.0, &text2);
        assert_eq!(
            v.series.requests.as_deref(),
            Some("jobs_done_total by outcome")
        );
        assert_eq!(v.figures[1], ("error_ratio", 0.0), "only 5xx are failures");
    }

    #[test]
    fn a_request_counter_born_since_the_last_scrape_counts_from_zero() {
        let mut r = ServiceRates::default();
        let empty = "# TYPE http_requests_total counter\n";
        assert_eq!(
            reading(&mut r, 0.0, empty).series.missing["rps"],
            "no request counter: no *_requests_total counter with a code or status label (set requests_metric)"
        );
        let v = observe(&mut r, 10.0, &scrape(20, 0, 20, 0));
        assert_eq!(v["rps"], 2.7, "20 OK and 7 not found in 10 s: {v:?}");
    }

    #[test]
    fn an_idle_window_has_rates_but_no_latency() {
        let mut r = ServiceRates::default();
        observe(&mut r, 0.0, &scrape(5, 0, 5, 0));
        let v = reading(&mut r, 5.0, &scrape(5, 0, 5, 0));
        assert_eq!(v.figures[0], ("rps", 0.0));
        assert!(!v.figures.iter().any(|(f, _)| *f == "p95"));
        assert_eq!(v.series.missing["p95"], "no requests in the window");
    }
}
