//! A service's own `/metrics`, read directly (no Prometheus needed): request
//! rate, error ratio and latency percentiles as `scrape:NAME:*` series.

use super::{Source, Update};
use crate::base::redact::redact;
use crate::base::time::unix_now;
use crate::connect::http::Http;
use crate::exposition::{group, parse, Format};
use crate::metrics::service_rates::ServiceRates;
use crate::model::Health;

pub struct ScrapeSource {
    name: String,
    url: String,
    http: Http,
    rates: ServiceRates,
}

impl ScrapeSource {
    pub fn new(name: &str, url: &str, http: Http) -> Self {
        ScrapeSource {
            name: name.to_string(),
            url: url.to_string(),
            http,
            rates: ServiceRates::default(),
        }
    }
}

/// OpenMetrics ends with `# EOF`; anything else is read as the Prometheus text format.
fn format_of(body: &str) -> Format {
    if body.trim_end().ends_with("# EOF") {
        Format::OpenMetrics
    } else {
        Format::Prometheus
    }
}

impl Source for ScrapeSource {
    fn target(&self) -> &str {
        &self.name
    }

    async fn poll(&mut self) -> Result<Vec<Update>, String> {
        let resp = self.http.get(&self.url).await?;
        if resp.status != 200 {
            return Err(format!("{}: HTTP {}", redact(&self.url), resp.status));
        }
        let at = unix_now();
        // Sub-second precision for the rates: scrapes are seconds apart.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let scrape = parse(&resp.body, format_of(&resp.body));
        let families = group(&scrape);
        let key = format!("scrape:{}", self.name);
        let mut series = vec![
            (format!("{key}:up"), 1.0),
            (
                format!("{key}:bad_lines"),
                (scrape.errors.len() + families.errors.len()) as f64,
            ),
        ];
        for (suffix, value) in self.rates.observe(now, &families) {
            series.push((format!("{key}:{suffix}"), value));
        }
        Ok(vec![Update::Series {
            target: self.name.clone(),
            at,
            series,
            health: Health::Ok,
        }])
    }
}
