//! A service's own `/metrics`, read directly (no Prometheus needed): request
//! rate, error ratio and latency percentiles as `scrape:NAME:*` series, and
//! which series they were read from. An answer that is not exposition text
//! (a login page, a binary file) is `up` 0 and the target degraded; a page
//! with some bad lines keeps its good samples and says how many were dropped.

use super::{Source, Update};
use crate::base::redact::redact;
use crate::base::time::unix_now;
use crate::connect::http::{Http, Response};
use crate::exposition::{group, judge, parse, Format, Verdict};
use crate::metrics::service_rates::{RequestNames, ServiceRates};
use crate::model::{Health, RequestSeries};

pub struct ScrapeSource {
    name: String,
    from: From,
    rates: ServiceRates,
    /// Since when the answers have not been clean exposition text.
    unclean_since: Option<i64>,
}

/// Where the exposition text is read.
enum From {
    Url {
        url: String,
        http: Http,
    },
    /// A pod through the API server's proxy: the path, and the client to the API server.
    PodProxy {
        client: Box<kube::Client>,
        path: String,
    },
}

/// Every figure a scrape gives, for saying why none came.
const FIGURES: [&str; 5] = ["rps", "error_ratio", "p50", "p95", "p99"];

impl ScrapeSource {
    pub fn new(name: &str, url: &str, http: Http) -> Self {
        ScrapeSource {
            name: name.to_string(),
            from: From::Url {
                url: url.to_string(),
                http,
            },
            rates: ServiceRates::default(),
            unclean_since: None,
        }
    }

    /// A pod read through the API server's proxy at `path`
    /// (`/api/v1/namespaces/NS/pods/NAME:PORT/proxy/metrics`).
    pub fn through_pod_proxy(name: &str, client: kube::Client, path: &str) -> Self {
        ScrapeSource {
            name: name.to_string(),
            from: From::PodProxy {
                client: Box::new(client),
                path: path.to_string(),
            },
            rates: ServiceRates::default(),
            unclean_since: None,
        }
    }

    async fn fetch(&self) -> Result<(Response, String), String> {
        match &self.from {
            From::Url { url, http } => Ok((http.get(url).await?, redact(url))),
            From::PodProxy { client, path } => Ok((
                crate::connect::kube::proxy_get(client, path).await?,
                path.clone(),
            )),
        }
    }

    /// Reads requests and latency from these series instead of by convention.
    pub fn with_names(mut self, names: RequestNames) -> Self {
        self.rates = ServiceRates::new(names);
        self
    }
}

impl Source for ScrapeSource {
    fn target(&self) -> &str {
        &self.name
    }

    async fn poll(&mut self) -> Result<Vec<Update>, String> {
        let (resp, shown) = self.fetch().await?;
        if resp.status != 200 {
            return Err(format!("{shown}: HTTP {}", resp.status));
        }
        let at = unix_now();
        // Sub-second precision for the rates: scrapes are seconds apart.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let content_type = resp.content_type.as_deref();
        let format = Format::detect(content_type, resp.body.as_bytes());
        let scrape = parse(&resp.body, format);
        let families = group(&scrape);
        let verdict = judge(content_type, &resp.body, &scrape, &families);
        let key = format!("scrape:{}", self.name);
        let dropped = (scrape.errors.len() + families.errors.len()) as f64;
        let mut series = vec![(format!("{key}:bad_lines"), dropped)];
        let request_series = match &verdict {
            Verdict::NotExposition(_) => {
                series.push((format!("{key}:up"), 0.0));
                let why = "the last answer was not exposition text";
                RequestSeries {
                    missing: FIGURES
                        .iter()
                        .map(|f| (f.to_string(), why.to_string()))
                        .collect(),
                    ..Default::default()
                }
            }
            Verdict::Exposition { .. } => {
                series.push((format!("{key}:up"), 1.0));
                let reading = self.rates.observe(now, &families);
                for (suffix, value) in reading.figures {
                    series.push((format!("{key}:{suffix}"), value));
                }
                reading.series
            }
        };
        let health = match verdict.problem() {
            None => {
                self.unclean_since = None;
                Health::Ok
            }
            Some(reason) => Health::Degraded {
                reason,
                since: *self.unclean_since.get_or_insert(at),
                retry_in: std::time::Duration::ZERO,
            },
        };
        Ok(vec![
            Update::Series {
                target: self.name.clone(),
                at,
                series,
                health,
            },
            Update::RequestSeries {
                target: self.name.clone(),
                series: request_series,
            },
        ])
    }
}
