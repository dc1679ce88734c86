//! A Prometheus server: its readiness, and the `[[panel]]` queries that name it,
//! each result recorded as `panel:TITLE` (one series) or `panel:TITLE:{labels}`.

use super::{unix_now, Source, Update};
use crate::http::Http;
use crate::model::Health;
use serde::Deserialize;
use std::collections::BTreeMap;

/// One sample of an instant query's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct PromSample {
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    data: Option<Data>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
enum Data {
    Vector(Vec<VectorItem>),
    Scalar((f64, String)),
    Matrix(serde::de::IgnoredAny),
    String(serde::de::IgnoredAny),
}

#[derive(Deserialize)]
struct VectorItem {
    metric: BTreeMap<String, String>,
    value: (f64, String),
}

fn number(text: &str) -> Result<f64, String> {
    match text {
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        t => t.parse().map_err(|_| format!("`{t}` is not a number")),
    }
}

/// The samples of a `/api/v1/query` answer, or Prometheus's own error text.
pub fn parse_query_response(body: &str) -> Result<Vec<PromSample>, String> {
    let env: Envelope =
        serde_json::from_str(body).map_err(|e| format!("not a Prometheus API answer: {e}"))?;
    if env.status != "success" {
        return Err(format!(
            "{}: {}",
            env.error_type.unwrap_or_else(|| "error".into()),
            env.error.unwrap_or_default()
        ));
    }
    match env.data {
        Some(Data::Vector(items)) => items
            .into_iter()
            .map(|i| {
                Ok(PromSample {
                    labels: i.metric,
                    value: number(&i.value.1)?,
                })
            })
            .collect(),
        Some(Data::Scalar((_, v))) => Ok(vec![PromSample {
            labels: BTreeMap::new(),
            value: number(&v)?,
        }]),
        Some(Data::Matrix(_)) | Some(Data::String(_)) => {
            Err("a panel query must give an instant vector or a scalar".into())
        }
        None => Err("the answer has no data".into()),
    }
}

/// `panel:TITLE`, or `panel:TITLE:{k="v",...}` when the query gives several series.
pub fn panel_series(title: &str, samples: &[PromSample]) -> Vec<(String, f64)> {
    if let [only] = samples {
        return vec![(format!("panel:{title}"), only.value)];
    }
    samples
        .iter()
        .map(|s| {
            let labels: Vec<String> = s
                .labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{v}\""))
                .collect();
            (format!("panel:{title}:{{{}}}", labels.join(",")), s.value)
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct PanelQuery {
    pub title: String,
    pub query: String,
}

pub struct PrometheusSource {
    name: String,
    base: String,
    http: Http,
    panels: Vec<PanelQuery>,
}

impl PrometheusSource {
    pub fn new(name: &str, url: &str, http: Http, panels: Vec<PanelQuery>) -> Self {
        PrometheusSource {
            name: name.to_string(),
            base: url.trim_end_matches('/').to_string(),
            http,
            panels,
        }
    }

    /// An instant query; an error carries Prometheus's own message.
    pub async fn query(&self, promql: &str) -> Result<Vec<PromSample>, String> {
        let url = format!("{}/api/v1/query?query={}", self.base, encode(promql));
        let resp = self.http.get(&url).await?;
        // Prometheus answers 400/422 with a JSON error worth showing as it is.
        parse_query_response(&resp.body).map_err(|e| match resp.status {
            200 | 400 | 422 => e,
            s => format!("HTTP {s}: {e}"),
        })
    }
}

/// Percent-encodes a query parameter (RFC 3986 unreserved characters kept).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Source for PrometheusSource {
    fn target(&self) -> &str {
        &self.name
    }

    async fn poll(&mut self) -> Result<Vec<Update>, String> {
        // `1` is the cheapest query that proves the server answers queries.
        self.query("1").await?;
        let at = unix_now();
        let mut series = Vec::new();
        let mut failed = Vec::new();
        for p in &self.panels {
            match self.query(&p.query).await {
                Ok(samples) => series.extend(panel_series(&p.title, &samples)),
                Err(e) => failed.push(format!("panel {:?}: {e}", p.title)),
            }
        }
        // A broken panel query is the config's fault, not the server's: say so,
        // and keep the panels that work.
        let health = if failed.is_empty() {
            Health::Ok
        } else {
            Health::Degraded {
                reason: failed.join("; "),
                since: at,
                retry_in: std::time::Duration::ZERO,
            }
        };
        Ok(vec![Update::Series {
            target: self.name.clone(),
            at,
            series,
            health,
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_scalars_and_errors() {
        let v = parse_query_response(
            r#"{"status":"success","data":{"resultType":"vector","result":[
                {"metric":{"route":"/work"},"value":[1700000000.5,"0.25"]},
                {"metric":{"route":"/"},"value":[1700000000.5,"+Inf"]}]}}"#,
        )
        .unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].labels["route"], "/work");
        assert_eq!(v[1].value, f64::INFINITY);
        let s = parse_query_response(
            r#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"1"]}}"#,
        )
        .unwrap();
        assert_eq!(s[0].value, 1.0);
        let e = parse_query_response(
            r#"{"status":"error","errorType":"bad_data","error":"parse error at char 5"}"#,
        )
        .unwrap_err();
        assert_eq!(e, "bad_data: parse error at char 5");
        assert!(parse_query_response("<html>")
            .unwrap_err()
            .contains("not a Prometheus"));
    }

    #[test]
    fn one_series_is_the_panel_several_are_labelled() {
        let one = vec![PromSample {
            labels: BTreeMap::new(),
            value: 2.0,
        }];
        assert_eq!(panel_series("p95", &one), vec![("panel:p95".into(), 2.0)]);
        let mut a = BTreeMap::new();
        a.insert("route".to_string(), "/".to_string());
        let two = vec![
            PromSample {
                labels: a.clone(),
                value: 1.0,
            },
            PromSample {
                labels: BTreeMap::new(),
                value: 3.0,
            },
        ];
        let s = panel_series("rps", &two);
        assert_eq!(s[0].0, "panel:rps:{route=\"/\"}");
        assert_eq!(s[1].0, "panel:rps:{}");
    }

    #[test]
    fn queries_are_encoded() {
        assert_eq!(encode("sum(rate(x[5m]))"), "sum%28rate%28x%5B5m%5D%29%29");
        assert_eq!(encode("a b+c"), "a%20b%2Bc");
    }
}
