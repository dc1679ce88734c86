//! What a load run is asked to do, checked before anything is sent, and the
//! action plan that previews it.

use super::profile::Profile;
use crate::action::{Plan, PlanStep, Request, StepOp, Verb};
use crate::model::{WorkloadAddr, WorkloadKind};
use std::time::Duration;

/// The target name under which load runs are addressed (`load/_/HOST:PORT`)
/// in plans, locks and the audit log.
pub const LOAD_TARGET: &str = "load";

/// When the run ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    After(Duration),
    Count(u64),
}

/// The parts of the URL the connections need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub https: bool,
    pub host: String,
    pub port: u16,
    /// Path and query, at least `/`.
    pub path: String,
}

impl Endpoint {
    pub fn parse(url: &str) -> Result<Self, String> {
        let shown = crate::base::redact::redact(url);
        let uri: hyper::Uri = url
            .parse()
            .map_err(|e| format!("`{shown}` is not a URL: {e}"))?;
        let https = match uri.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            _ => return Err(format!("`{shown}`: expected an http:// or https:// URL")),
        };
        let authority = uri
            .authority()
            .ok_or_else(|| format!("`{shown}`: expected a host after the scheme"))?;
        if authority.as_str().contains('@') {
            return Err(format!(
                "`{shown}`: credentials in the URL are not sent; pass -H 'Authorization: ...' instead"
            ));
        }
        let host = authority.host().trim_matches(['[', ']']).to_string();
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        let path = uri
            .path_and_query()
            .map_or("/".to_string(), |p| p.as_str().to_string());
        let path = if path.is_empty() { "/".into() } else { path };
        Ok(Endpoint {
            https,
            host,
            port,
            path,
        })
    }

    /// `host:port`, with brackets around an IPv6 address.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoadSpec {
    pub url: String,
    pub endpoint: Endpoint,
    pub method: hyper::Method,
    pub headers: Vec<(hyper::header::HeaderName, hyper::header::HeaderValue)>,
    pub body: Vec<u8>,
    /// Connections (HTTP/1.1) or concurrent streams (HTTP/2).
    pub connections: usize,
    pub stop: Stop,
    pub profile: Profile,
    pub http2: bool,
    pub timeout: Duration,
}

/// Parses one `-H 'Name: value'`.
pub fn parse_header(
    text: &str,
) -> Result<(hyper::header::HeaderName, hyper::header::HeaderValue), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("header `{text}`: expected `Name: value`"))?;
    let name = hyper::header::HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| format!("header `{}`: not a valid header name", name.trim()))?;
    let value = hyper::header::HeaderValue::from_str(value.trim())
        .map_err(|_| format!("header `{name}`: the value has characters a header cannot hold"))?;
    Ok((name, value))
}

impl LoadSpec {
    /// Checks the figures make sense together.
    pub fn validate(&self) -> Result<(), String> {
        self.profile.validate()?;
        if self.connections == 0 {
            return Err("-c must be at least 1".into());
        }
        match self.stop {
            Stop::After(d) if d.is_zero() => return Err("-d must be longer than zero".into()),
            Stop::Count(0) => return Err("-n must be at least 1".into()),
            _ => {}
        }
        if self.timeout.is_zero() {
            return Err("--timeout must be longer than zero".into());
        }
        if let (Stop::Count(n), true) = (self.stop, self.profile.is_open()) {
            if self.profile.send_time(n - 1).is_none() {
                return Err(format!(
                    "the {} profile never sends {n} requests",
                    self.profile
                ));
            }
        }
        Ok(())
    }

    /// The action address of this run: `load/_/HOST:PORT`.
    pub fn address(&self) -> WorkloadAddr {
        WorkloadAddr::new(LOAD_TARGET, "", &self.endpoint.authority())
    }

    pub fn request(&self) -> Request {
        Request {
            workload: self.address(),
            verb: Verb::Load {
                url: crate::base::redact::redact(&self.url),
                profile: self.profile.to_string(),
            },
        }
    }

    /// How many requests the schedule sends (None: as many as the connections manage).
    pub fn expected_requests(&self) -> Option<u64> {
        match self.stop {
            Stop::Count(n) => Some(n),
            Stop::After(d) => self.profile.count_until(d).map(|n| n.ceil() as u64),
        }
    }

    /// How long the run lasts (None: until `-n` requests are done, closed model).
    pub fn expected_duration(&self) -> Option<Duration> {
        match self.stop {
            Stop::After(d) => Some(d),
            Stop::Count(n) => self.profile.send_time(n.saturating_sub(1)),
        }
    }

    pub fn protocol(&self) -> &'static str {
        if self.http2 {
            "HTTP/2"
        } else {
            "HTTP/1.1 keep-alive"
        }
    }

    /// The preview a person confirms: what is sent, where, how hard, how long.
    /// Header values are left out: they often carry tokens.
    pub fn plan(&self) -> Plan {
        let request = self.request();
        let url = crate::base::redact::redact(&self.url);
        let duration = self.expected_duration().map_or_else(
            || "until done".to_string(),
            |d| crate::base::duration::HumanDuration(d).to_string(),
        );
        let count = self.expected_requests().map_or_else(
            || "as many requests as answers allow".to_string(),
            |n| format!("~{n} requests"),
        );
        let peak = self
            .profile
            .peak_rate()
            .map_or_else(|| "no rate limit".to_string(), |r| format!("peak {r}/s"));
        let mut detail = format!(
            "{} {}, {} connections, {}, {duration}, {count}, {peak}, timeout {}",
            self.method,
            self.protocol(),
            self.connections,
            self.profile,
            crate::base::duration::HumanDuration(self.timeout)
        );
        if !self.headers.is_empty() {
            let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
            detail.push_str(&format!(", headers {}", names.join(" ")));
        }
        if !self.body.is_empty() {
            detail.push_str(&format!(", body {} bytes", self.body.len()));
        }
        Plan {
            summary: format!("load {url}: {}, {duration}, {count}", self.profile),
            steps: vec![PlanStep {
                op: StepOp::Load,
                subject: url,
                detail,
            }],
            kind: WorkloadKind::Endpoint,
            request,
            destructive: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(url: &str, stop: Stop, profile: Profile) -> LoadSpec {
        LoadSpec {
            url: url.into(),
            endpoint: Endpoint::parse(url).unwrap(),
            method: hyper::Method::GET,
            headers: vec![parse_header("Authorization: Bearer s3cret").unwrap()],
            body: Vec::new(),
            connections: 8,
            stop,
            profile,
            http2: false,
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn endpoints_get_default_ports_and_paths() {
        let e = Endpoint::parse("https://example.org").unwrap();
        assert_eq!((e.https, e.port, e.path.as_str()), (true, 443, "/"));
        let e = Endpoint::parse("http://[::1]:8080/work?ms=5").unwrap();
        assert_eq!(e.authority(), "[::1]:8080");
        assert_eq!(e.path, "/work?ms=5");
        assert!(Endpoint::parse("ftp://x/").unwrap_err().contains("http://"));
        let e = Endpoint::parse("http://u:pw@h/").unwrap_err();
        assert!(!e.contains("pw"), "{e}");
    }

    #[test]
    fn the_plan_states_rate_count_and_duration_without_secrets() {
        let s = spec(
            "http://127.0.0.1:9/work?token=abc",
            Stop::After(Duration::from_secs(10)),
            Profile::Spike {
                base: 10.0,
                times: 5.0,
                at: Duration::from_secs(2),
                hold: Duration::from_secs(2),
            },
        );
        let plan = s.plan();
        assert_eq!(plan.request.workload.to_string(), "load/_/127.0.0.1:9");
        let text = format!("{} {}", plan.summary, plan.steps[0].detail);
        assert!(text.contains("~180 requests"), "{text}");
        assert!(text.contains("peak 50/s"), "{text}");
        assert!(text.contains("10s"), "{text}");
        assert!(text.contains("authorization"), "{text}");
        assert!(!text.contains("s3cret") && !text.contains("abc"), "{text}");
    }

    #[test]
    fn impossible_runs_are_refused_before_sending() {
        let mut s = spec("http://h/", Stop::Count(0), Profile::Max);
        assert!(s.validate().unwrap_err().contains("-n"));
        s.stop = Stop::Count(10);
        s.connections = 0;
        assert!(s.validate().unwrap_err().contains("-c"));
        assert!(parse_header("nocolon").unwrap_err().contains("Name: value"));
    }
}
