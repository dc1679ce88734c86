//! Aggregation of request results: latency percentiles (HdrHistogram),
//! status-code and error counts, and a per-second series for the
//! latency-over-time chart and the observed rate. Pure: workers hand over
//! batches of [`Sample`]s and this folds them.

use super::errors::ErrorKind;
use hdrhistogram::Histogram;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// The longest latency recorded exactly; longer ones are clamped to it.
const MAX_MICROS: u64 = 3_600_000_000;

/// One finished request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// When it finished, from the start of the run.
    pub done_at: Duration,
    /// From its intended send time (open model) or its actual send (closed).
    pub latency: Duration,
    /// From the moment it was actually sent.
    pub service: Duration,
    pub result: Result<u16, ErrorKind>,
}

#[derive(Debug, Clone)]
struct Second {
    requests: u64,
    errors: u64,
    latency: Histogram<u64>,
}

/// Everything recorded so far.
#[derive(Debug, Clone)]
pub struct Stats {
    latency: Histogram<u64>,
    service: Histogram<u64>,
    statuses: BTreeMap<u16, u64>,
    errors: BTreeMap<ErrorKind, u64>,
    seconds: Vec<Second>,
    check_failures: u64,
}

impl Default for Stats {
    fn default() -> Self {
        Self::new()
    }
}

fn histogram(sigfig: u8) -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_MICROS, sigfig).expect("valid histogram bounds")
}

fn micros(d: Duration) -> u64 {
    (d.as_micros() as u64).clamp(1, MAX_MICROS)
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// Latency at the usual percentiles, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
    pub mean: f64,
}

impl Percentiles {
    fn of(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Percentiles::default();
        }
        let q = |q: f64| ms(h.value_at_quantile(q));
        Percentiles {
            p50: q(0.5),
            p90: q(0.9),
            p95: q(0.95),
            p99: q(0.99),
            p999: q(0.999),
            max: ms(h.max()),
            mean: h.mean() / 1000.0,
        }
    }
}

/// One second of the run, by completion time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SecondPoint {
    pub second: u32,
    pub requests: u64,
    pub errors: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// One bar of the latency histogram: answers at or below `upto_ms` (and
/// above the previous bar's bound).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bucket {
    pub upto_ms: f64,
    pub count: u64,
}

/// What the run looks like at one moment; the final one is the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadFigures {
    pub elapsed_s: f64,
    /// Finished requests: answers plus errors.
    pub requests: u64,
    pub answers: u64,
    pub errors: u64,
    /// Over the whole run so far.
    pub rps: f64,
    /// Over the last complete second.
    pub current_rps: f64,
    /// Measured from each request's intended send time (see `service`).
    pub latency: Percentiles,
    /// Measured from each request's actual send; lower than `latency` when
    /// the sender fell behind its schedule.
    pub service: Percentiles,
    pub statuses: BTreeMap<u16, u64>,
    pub error_kinds: BTreeMap<ErrorKind, u64>,
    pub series: Vec<SecondPoint>,
    pub histogram: Vec<Bucket>,
    /// Answers below 400 that failed a scenario's check (expect_status,
    /// expect_body); counted apart from transport errors and HTTP errors.
    pub check_failures: u64,
}

impl Stats {
    pub fn new() -> Self {
        Stats {
            latency: histogram(3),
            service: histogram(3),
            statuses: BTreeMap::new(),
            errors: BTreeMap::new(),
            seconds: Vec::new(),
            check_failures: 0,
        }
    }

    pub fn record(&mut self, s: &Sample) {
        let at = s.done_at.as_secs() as usize;
        if self.seconds.len() <= at {
            self.seconds.resize_with(at + 1, || Second {
                requests: 0,
                errors: 0,
                latency: histogram(2),
            });
        }
        let second = &mut self.seconds[at];
        second.requests += 1;
        match s.result {
            Ok(status) => {
                let l = micros(s.latency);
                self.latency.saturating_record(l);
                self.service.saturating_record(micros(s.service));
                second.latency.saturating_record(l);
                *self.statuses.entry(status).or_default() += 1;
            }
            Err(kind) => {
                second.errors += 1;
                *self.errors.entry(kind).or_default() += 1;
            }
        }
    }

    /// Scenario checks are judged where the answer is read; their count comes here.
    pub fn set_check_failures(&mut self, n: u64) {
        self.check_failures = n;
    }

    pub fn requests(&self) -> u64 {
        self.answers() + self.errors()
    }

    fn answers(&self) -> u64 {
        self.statuses.values().sum()
    }

    fn errors(&self) -> u64 {
        self.errors.values().sum()
    }

    /// The figures as of `elapsed` into the run, with `buckets` histogram bars.
    pub fn snapshot(&self, elapsed: Duration, buckets: usize) -> LoadFigures {
        let secs = elapsed.as_secs_f64();
        let requests = self.requests();
        let whole = elapsed.as_secs() as usize;
        let current_rps = match whole {
            0 => 0.0,
            w => self.seconds.get(w - 1).map_or(0.0, |s| s.requests as f64),
        };
        LoadFigures {
            elapsed_s: secs,
            requests,
            answers: self.answers(),
            errors: self.errors(),
            rps: if secs > 0.0 {
                requests as f64 / secs
            } else {
                0.0
            },
            current_rps,
            latency: Percentiles::of(&self.latency),
            service: Percentiles::of(&self.service),
            statuses: self.statuses.clone(),
            error_kinds: self.errors.clone(),
            series: self.series(),
            histogram: self.buckets(buckets),
            check_failures: self.check_failures,
        }
    }

    fn series(&self) -> Vec<SecondPoint> {
        self.seconds
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let q = |q: f64| {
                    if s.latency.is_empty() {
                        0.0
                    } else {
                        ms(s.latency.value_at_quantile(q))
                    }
                };
                SecondPoint {
                    second: i as u32,
                    requests: s.requests,
                    errors: s.errors,
                    p50_ms: q(0.5),
                    p99_ms: q(0.99),
                }
            })
            .collect()
    }

    /// Equal-width bars from the fastest to the slowest answer.
    fn buckets(&self, n: usize) -> Vec<Bucket> {
        let h = &self.latency;
        if h.is_empty() || n == 0 {
            return Vec::new();
        }
        let (lo, hi) = (h.min(), h.max());
        let width = ((hi - lo) as f64 / n as f64).max(1.0);
        let mut out = Vec::with_capacity(n);
        let mut from = lo;
        for i in 1..=n {
            let upto = if i == n {
                hi
            } else {
                lo + (width * i as f64) as u64
            };
            if upto < from {
                continue;
            }
            let count = h.count_between(from, upto);
            out.push(Bucket {
                upto_ms: ms(upto),
                count,
            });
            from = h.next_non_equivalent(upto);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(at_ms: u64, latency_ms: u64) -> Sample {
        Sample {
            done_at: Duration::from_millis(at_ms),
            latency: Duration::from_millis(latency_ms),
            service: Duration::from_millis(latency_ms),
            result: Ok(200),
        }
    }

    #[test]
    fn counts_add_up_across_statuses_and_errors() {
        let mut s = Stats::new();
        for i in 0..90 {
            s.record(&ok(i * 10, 5));
        }
        for i in 0..7 {
            s.record(&Sample {
                result: Ok(500),
                ..ok(1000 + i, 5)
            });
        }
        for kind in [ErrorKind::Connect, ErrorKind::Timeout, ErrorKind::Timeout] {
            s.record(&Sample {
                result: Err(kind),
                ..ok(1500, 0)
            });
        }
        let snap = s.snapshot(Duration::from_secs(2), 10);
        assert_eq!(snap.requests, 100);
        assert_eq!(snap.answers, 97);
        assert_eq!(snap.errors, 3);
        assert_eq!(snap.statuses[&200], 90);
        assert_eq!(snap.statuses[&500], 7);
        assert_eq!(snap.error_kinds[&ErrorKind::Timeout], 2);
        assert_eq!(snap.rps, 50.0);
        // Second 1 holds the 500s and the errors.
        assert_eq!(snap.series[1].requests, 10);
        assert_eq!(snap.series[1].errors, 3);
        assert_eq!(snap.current_rps, 10.0);
        let total: u64 = snap.histogram.iter().map(|b| b.count).sum();
        assert_eq!(total, 97);
    }

    #[test]
    fn percentiles_follow_the_recorded_latencies() {
        let mut s = Stats::new();
        for i in 1..=1000u64 {
            s.record(&ok(0, i));
        }
        let p = s.snapshot(Duration::from_secs(1), 10).latency;
        let near = |got: f64, want: f64| (got - want).abs() <= want * 0.01;
        assert!(near(p.p50, 500.0), "{p:?}");
        assert!(near(p.p99, 990.0), "{p:?}");
        assert!(near(p.p999, 999.0), "{p:?}");
        assert!(near(p.max, 1000.0), "{p:?}");
    }

    #[test]
    fn latency_from_the_intended_send_shows_what_service_time_hides() {
        let mut s = Stats::new();
        s.record(&Sample {
            latency: Duration::from_millis(900),
            service: Duration::from_millis(2),
            ..ok(0, 0)
        });
        let snap = s.snapshot(Duration::from_secs(1), 4);
        assert!(snap.latency.max > 890.0, "{:?}", snap.latency);
        assert!(snap.service.max < 3.0, "{:?}", snap.service);
    }

    #[test]
    fn an_empty_run_has_zero_figures_and_no_bars() {
        let snap = Stats::new().snapshot(Duration::ZERO, 10);
        assert_eq!(snap.requests, 0);
        assert_eq!(snap.rps, 0.0);
        assert!(snap.histogram.is_empty());
        assert_eq!(snap.latency, Percentiles::default());
    }
}
