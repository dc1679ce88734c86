//! Which series a service's request figures are read from, and why a figure
//! is missing: what the metrics view and `status --json` name beside the
//! numbers, so nobody has to guess what "requests/s" counted.

use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequestSeries {
    /// The request counter and the label read as the status, e.g.
    /// `http_requests_total by code`; None when none qualifies.
    pub requests: Option<String>,
    /// The latency histogram, e.g. `http_request_duration_seconds`.
    pub latency: Option<String>,
    /// Why a figure (`rps`, `error_ratio`, `p50`, `p95`, `p99`) has no value.
    pub missing: BTreeMap<String, String>,
}

impl RequestSeries {
    /// `requests http_requests_total by code · latency http_request_duration_seconds`.
    pub fn describe(&self) -> Option<String> {
        let parts: Vec<String> = [("requests", &self.requests), ("latency", &self.latency)]
            .into_iter()
            .filter_map(|(what, name)| name.as_ref().map(|n| format!("{what} {n}")))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    }
}
