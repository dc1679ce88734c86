//! Scenario files: the requests a virtual user sends in a loop, each with
//! its method, URL, headers, body, weight, think time and checks; values
//! templated (the runbooks' expression language) from a CSV data file's rows
//! (`{{ row.sku }}`), a sequence (`{{ seq }}`) and the user's number
//! (`{{ user }}`). Parsing and rendering are pure; [`vu`] sends.

pub mod csv;
pub mod vu;

use crate::base::diag::{parse_toml, FileError};
use crate::runbook::expr::{self, Scope};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    /// The origin the request URLs are paths on, unless the command gives a URL.
    base_url: Option<String>,
    /// A CSV file (header row first), beside the scenario file.
    data: Option<Spanned<String>>,
    request: Vec<Spanned<RawRequest>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    name: Option<String>,
    #[serde(default = "get")]
    method: String,
    url: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: String,
    #[serde(default = "one")]
    weight: u32,
    #[serde(default, with = "crate::base::duration::opt")]
    think: Option<Duration>,
    expect_status: Option<u16>,
    expect_body: Option<String>,
}

fn get() -> String {
    "GET".into()
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub base_url: Option<String>,
    pub requests: Vec<ScenarioRequest>,
    /// The data file's rows, by column name; empty without one.
    pub rows: Vec<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioRequest {
    pub name: String,
    pub method: hyper::Method,
    /// A path (`/cart?sku={{ row.sku }}`), templated.
    pub url: String,
    pub headers: Vec<(hyper::header::HeaderName, String)>,
    pub body: String,
    pub weight: u32,
    pub think: Duration,
    pub expect_status: Option<u16>,
    pub expect_body: Option<String>,
}

/// One request as sent: templates filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub path: String,
    pub headers: Vec<(hyper::header::HeaderName, hyper::header::HeaderValue)>,
    pub body: String,
}

impl Scenario {
    /// Reads `path` and its data file; errors say `file:line:column`.
    pub fn load(path: &Path) -> Result<Scenario, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| FileError::whole_file(path, format!("cannot read: {e}")).to_string())?;
        let raw: RawScenario = parse_toml(path, &text).map_err(|e| e.to_string())?;
        let rows = match &raw.data {
            None => Vec::new(),
            Some(data) => {
                let file = path.parent().unwrap_or(Path::new(".")).join(data.get_ref());
                let at =
                    |m: String| FileError::at_offset(path, &text, data.span().start, m).to_string();
                let csv_text = std::fs::read_to_string(&file)
                    .map_err(|e| at(format!("data file {}: {e}", file.display())))?;
                csv::rows(&csv_text)
                    .map_err(|e| at(format!("data file {}: {e}", file.display())))?
            }
        };
        Self::from_raw(path, &text, raw, rows)
    }

    fn from_raw(
        path: &Path,
        text: &str,
        raw: RawScenario,
        rows: Vec<BTreeMap<String, String>>,
    ) -> Result<Scenario, String> {
        if raw.request.is_empty() {
            return Err(FileError::whole_file(path, "no [[request]]").to_string());
        }
        let mut requests = Vec::new();
        for (i, spanned) in raw.request.into_iter().enumerate() {
            let at = spanned.span().start;
            let r = spanned.into_inner();
            let err = |m: String| FileError::at_offset(path, text, at, m).to_string();
            let method = hyper::Method::from_bytes(r.method.to_ascii_uppercase().as_bytes())
                .map_err(|_| err(format!("method `{}` is not an HTTP method", r.method)))?;
            if !r.url.starts_with('/') {
                return Err(err(format!(
                    "url `{}`: write a path on the base URL, starting with /",
                    r.url
                )));
            }
            if r.weight == 0 {
                return Err(err("weight must be at least 1".into()));
            }
            let headers = r
                .headers
                .iter()
                .map(|(n, v)| {
                    hyper::header::HeaderName::from_bytes(n.as_bytes())
                        .map(|n| (n, v.clone()))
                        .map_err(|_| err(format!("header `{n}`: not a valid header name")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let req = ScenarioRequest {
                name: r.name.unwrap_or_else(|| format!("request {}", i + 1)),
                method,
                url: r.url,
                headers,
                body: r.body,
                weight: r.weight,
                think: r.think.unwrap_or_default(),
                expect_status: r.expect_status,
                expect_body: r.expect_body,
            };
            // A typo in a template fails now, at its line, not on every request.
            let sample = scope(rows.first(), 0, 0);
            req.render(&sample).map_err(err)?;
            requests.push(req);
        }
        Ok(Scenario {
            base_url: raw.base_url,
            requests,
            rows,
        })
    }

    /// The request for draw `pick` in [0, total weight).
    pub fn pick(&self, mut pick: u64) -> &ScenarioRequest {
        for r in &self.requests {
            if pick < u64::from(r.weight) {
                return r;
            }
            pick -= u64::from(r.weight);
        }
        self.requests.last().expect("a scenario has requests")
    }

    pub fn total_weight(&self) -> u64 {
        self.requests.iter().map(|r| u64::from(r.weight)).sum()
    }

    /// The names the plan shows: `browse ×3, add-to-cart ×1`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .requests
            .iter()
            .map(|r| format!("{} {} ×{}", r.name, r.method, r.weight))
            .collect();
        let data = if self.rows.is_empty() {
            String::new()
        } else {
            format!(", {} data rows", self.rows.len())
        };
        format!("scenario: {}{data}", parts.join(", "))
    }
}

/// What a template sees: the data row (cycling), the sequence, the user.
pub fn scope(row: Option<&BTreeMap<String, String>>, seq: u64, user: usize) -> Scope {
    Scope::from_json(&serde_json::json!({
        "row": row.cloned().unwrap_or_default(),
        "seq": seq,
        "user": user,
    }))
}

impl ScenarioRequest {
    pub fn render(&self, scope: &Scope) -> Result<Rendered, String> {
        let path = expr::render(&self.url, scope).map_err(|e| format!("url: {e}"))?;
        let body = expr::render(&self.body, scope).map_err(|e| format!("body: {e}"))?;
        let headers = self
            .headers
            .iter()
            .map(|(n, v)| {
                let v = expr::render(v, scope).map_err(|e| format!("header {n}: {e}"))?;
                hyper::header::HeaderValue::from_str(&v)
                    .map(|v| (n.clone(), v))
                    .map_err(|_| {
                        format!("header {n}: the value has characters a header cannot hold")
                    })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Rendered {
            path,
            headers,
            body,
        })
    }

    /// Whether an answer passes this request's checks.
    pub fn passes(&self, status: u16, body: &[u8]) -> bool {
        let status_ok = self.expect_status.is_none_or(|s| s == status);
        let body_ok = self
            .expect_body
            .as_deref()
            .is_none_or(|want| String::from_utf8_lossy(body).contains(want));
        status_ok && body_ok
    }

    pub fn reads_body(&self) -> bool {
        self.expect_body.is_some()
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
