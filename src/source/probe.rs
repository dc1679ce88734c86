//! Synthetic HTTP probes: is the endpoint answering as expected, how fast, and
//! how often not: `probe:NAME:{up, error_ratio, latency_seconds, latency_p50,
//! latency_p95, latency_p99}`, and over TLS `cert_expiry_seconds`, the time
//! left on the server's certificate. A failed probe is data (`up` = 0) as well as a
//! degraded target, so alerts and runbooks see it happen.

use super::{Source, Update};
use crate::base::redact::redact;
use crate::base::time::unix_now;
use crate::connect::http::{Http, Response};
use crate::model::Health;
use std::collections::VecDeque;
use std::time::Duration;

/// Probes kept for the percentile and error ratio: 60 at the default 5 s is five minutes.
const WINDOW: usize = 60;

/// Recent verdicts: whether each probe passed and, when it got an answer, how long it took.
#[derive(Debug, Default, Clone)]
pub struct ProbeWindow {
    results: VecDeque<(bool, Option<f64>)>,
}

impl ProbeWindow {
    pub fn push(&mut self, passed: bool, latency_secs: Option<f64>) {
        if self.results.len() == WINDOW {
            self.results.pop_front();
        }
        self.results.push_back((passed, latency_secs));
    }

    pub fn error_ratio(&self) -> f64 {
        let failed = self.results.iter().filter(|(ok, _)| !ok).count();
        failed as f64 / self.results.len().max(1) as f64
    }

    /// Nearest-rank percentile of the answered probes' latencies.
    pub fn latency_quantile(&self, q: f64) -> Option<f64> {
        let mut l: Vec<f64> = self.results.iter().filter_map(|(_, l)| *l).collect();
        if l.is_empty() {
            return None;
        }
        l.sort_by(f64::total_cmp);
        let rank = ((q * l.len() as f64).ceil() as usize).clamp(1, l.len());
        Some(l[rank - 1])
    }
}

/// What the probe expects of the answer.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// None: any 2xx.
    pub status: Option<u16>,
    pub body_contains: Option<String>,
    /// Caching headers it must carry.
    pub cache: Option<crate::model::cache::http::ExpectCache>,
}

/// Why an answer does not pass, or None when it does.
pub fn judge(resp: &Response, expect: &Expect) -> Option<String> {
    let status_ok = match expect.status {
        Some(s) => resp.status == s,
        None => (200..300).contains(&resp.status),
    };
    if !status_ok {
        let want = expect.status.map_or("2xx".to_string(), |s| s.to_string());
        return Some(format!("HTTP {} (expected {want})", resp.status));
    }
    match &expect.body_contains {
        Some(text) if !resp.body.contains(text.as_str()) => {
            return Some(format!("the body does not contain {text:?}"))
        }
        _ => {}
    }
    let cache = expect.cache.as_ref()?;
    crate::model::cache::http::judge(&resp.cache, cache)
}

pub struct ProbeSource {
    name: String,
    url: String,
    expect: Expect,
    http: Http,
    interval: Duration,
    window: ProbeWindow,
    failing_since: Option<i64>,
}

impl ProbeSource {
    pub fn new(name: &str, url: &str, expect: Expect, http: Http, interval: Duration) -> Self {
        ProbeSource {
            name: name.to_string(),
            url: url.to_string(),
            expect,
            http,
            interval,
            window: ProbeWindow::default(),
            failing_since: None,
        }
    }
}

impl Source for ProbeSource {
    fn target(&self) -> &str {
        &self.name
    }

    async fn poll(&mut self) -> Result<Vec<Update>, String> {
        let at = unix_now();
        let (problem, latency, cert, cache) = match self.http.get(&self.url).await {
            // A transport error names the URL already; a judgement does not.
            Ok(resp) => (
                judge(&resp, &self.expect).map(|p| format!("{}: {p}", redact(&self.url))),
                Some(resp.elapsed.as_secs_f64()),
                resp.cert_not_after,
                Some(resp.cache),
            ),
            Err(e) => (Some(e), None, None, None),
        };
        self.window.push(problem.is_none(), latency);
        let key = format!("probe:{}", self.name);
        let mut series = vec![
            (
                format!("{key}:up"),
                if problem.is_none() { 1.0 } else { 0.0 },
            ),
            (format!("{key}:error_ratio"), self.window.error_ratio()),
        ];
        if let Some(l) = latency {
            series.push((format!("{key}:latency_seconds"), l));
        }
        // Negative once expired, though verification fails the probe before that shows.
        if let Some(not_after) = cert {
            series.push((
                format!("{key}:cert_expiry_seconds"),
                (not_after - at) as f64,
            ));
        }
        if let Some(hit) = cache.as_ref().and_then(|c| c.served_from_cache()) {
            series.push((format!("{key}:cache_hit"), f64::from(u8::from(hit))));
        }
        for (suffix, q) in [
            ("latency_p50", 0.5),
            ("latency_p95", 0.95),
            ("latency_p99", 0.99),
        ] {
            if let Some(v) = self.window.latency_quantile(q) {
                series.push((format!("{key}:{suffix}"), v));
            }
        }
        let health = match problem {
            None => {
                self.failing_since = None;
                Health::Ok
            }
            Some(reason) => Health::Degraded {
                reason: redact(&reason),
                since: *self.failing_since.get_or_insert(at),
                retry_in: self.interval,
            },
        };
        let mut updates = vec![Update::Series {
            target: self.name.clone(),
            at,
            series,
            health,
        }];
        // A probe that checks caching headers reports the ones it saw.
        if let Some(headers) = cache.filter(|_| self.expect.cache.is_some()) {
            updates.push(Update::CacheHeaders {
                target: self.name.clone(),
                headers,
            });
        }
        Ok(updates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            body: body.into(),
            content_type: None,
            elapsed: Duration::from_millis(5),
            cert_not_after: None,
            cache: Default::default(),
        }
    }

    #[test]
    fn judges_status_and_body() {
        let any = Expect::default();
        assert_eq!(judge(&resp(204, ""), &any), None);
        assert_eq!(
            judge(&resp(503, ""), &any).unwrap(),
            "HTTP 503 (expected 2xx)"
        );
        let strict = Expect {
            status: Some(200),
            body_contains: Some("ok".into()),
            cache: None,
        };
        assert!(judge(&resp(200, "status: ok"), &strict).is_none());
        assert!(judge(&resp(200, "degraded"), &strict)
            .unwrap()
            .contains("\"ok\""));
        assert!(judge(&resp(201, "ok"), &strict)
            .unwrap()
            .contains("expected 200"));
    }

    #[test]
    fn window_keeps_the_last_sixty_and_ranks_latency() {
        let mut w = ProbeWindow::default();
        for i in 0..100 {
            w.push(i % 10 != 0, Some(f64::from(i % 20) / 100.0));
        }
        assert_eq!(w.results.len(), WINDOW);
        assert!((w.error_ratio() - 0.1).abs() < 1e-9);
        // Each of 0.00..0.19 three times: rank 57 of 60 is 0.18.
        assert_eq!(w.latency_quantile(0.95), Some(0.18));
        assert_eq!(w.latency_quantile(0.5), Some(0.09));
        let mut refused = ProbeWindow::default();
        refused.push(false, None);
        assert_eq!(refused.latency_quantile(0.95), None);
        assert_eq!(refused.error_ratio(), 1.0);
    }
}
