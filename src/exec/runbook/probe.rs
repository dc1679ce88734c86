//! Probe checks: one GET through the shared HTTP client.

use crate::config::HttpAuth;
use crate::connect::http::Http;
use crate::runbook::judge::Facts;
use crate::runbook::spec::check::ProbeCheck;
use std::time::{Duration, Instant};

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

pub async fn facts(p: &ProbeCheck) -> Facts {
    let http = match Http::new(p.timeout.unwrap_or(DEFAULT_TIMEOUT), &HttpAuth::default()) {
        Ok(h) => h,
        Err(e) => return Facts::Unavailable(e),
    };
    let started = Instant::now();
    match http.get(&p.url).await {
        Ok(resp) => Facts::Probe {
            status: Some(resp.status),
            body: resp.body,
            error: None,
            latency: resp.elapsed,
        },
        Err(e) => Facts::Probe {
            status: None,
            body: String::new(),
            error: Some(e),
            latency: started.elapsed(),
        },
    }
}
