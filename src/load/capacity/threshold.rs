//! `--threshold 'p95<1s'`: a condition on one stage's figures, written in
//! the product's one expression language (the runbooks' conditions) with
//! units on numbers: `500ms`, `1s`, `1%`. Each is rewritten to plain numbers
//! (seconds, ratios) and evaluated over the stage's names.

use crate::load::stats::LoadFigures;
use crate::runbook::expr::{self, Scope};
use serde::Serialize;
use serde_json::json;

/// The names a threshold can read, with what they hold.
pub const NAMES: [(&str, &str); 11] = [
    ("p50", "median latency, seconds"),
    ("p90", "90th percentile latency, seconds"),
    ("p95", "95th percentile latency, seconds"),
    ("p99", "99th percentile latency, seconds"),
    ("max", "slowest answer, seconds"),
    ("mean", "mean latency, seconds"),
    (
        "errors",
        "failed requests over all requests: transport errors, HTTP 4xx/5xx and failed checks",
    ),
    (
        "transport_errors",
        "requests without an answer (connect, timeout, reset, tls, other) over all requests",
    ),
    (
        "check_failures",
        "answers that failed a scenario check over all requests",
    ),
    ("rps", "requests a second over the stage"),
    ("requests", "requests finished in the stage"),
];

/// The thresholds a run without `--threshold` is judged by: the built-in
/// alert rules' warning levels (p95 over 1 s, error rate over 1 %).
pub const DEFAULTS: [&str; 2] = ["p95<1s", "errors<1%"];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    /// As typed.
    pub text: String,
    /// With units turned into plain numbers.
    #[serde(skip)]
    expr: String,
    /// The names it reads, in the order of [`NAMES`].
    #[serde(skip)]
    reads: Vec<&'static str>,
}

/// One threshold judged on one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judged {
    pub threshold: String,
    pub passed: bool,
    /// The figures it read, formatted: `p95 1.8 s`.
    pub observed: String,
}

/// What a stage's figures add beyond the load figures: failed checks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Extra {
    pub check_failures: u64,
}

impl Threshold {
    pub fn parse(text: &str) -> Result<Threshold, String> {
        let expr = with_plain_numbers(text).map_err(|e| format!("--threshold `{text}`: {e}"))?;
        let names = expr::expr_names(&expr).map_err(|e| format!("--threshold `{text}`: {e}"))?;
        let unknown: Vec<&String> = names
            .iter()
            .filter(|n| !NAMES.iter().any(|(k, _)| k == n))
            .collect();
        if let Some(n) = unknown.first() {
            let known: Vec<&str> = NAMES.iter().map(|(k, _)| *k).collect();
            return Err(format!(
                "--threshold `{text}`: `{n}` is not a figure of a stage (known: {})",
                known.join(", ")
            ));
        }
        let reads = NAMES
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| names.contains(*k))
            .collect::<Vec<_>>();
        if reads.is_empty() {
            return Err(format!(
                "--threshold `{text}`: it reads no figure (try p95<1s)"
            ));
        }
        Ok(Threshold {
            text: text.to_string(),
            expr,
            reads,
        })
    }

    /// Judges one stage; an expression that cannot be evaluated fails the
    /// stage (it was checked at parse time, so this is not expected).
    pub fn judge(&self, f: &LoadFigures, extra: Extra) -> Judged {
        let scope = scope(f, extra);
        let passed = expr::eval_bool(&self.expr, &Scope::from_json(&scope));
        let mut observed: Vec<String> = self
            .reads
            .iter()
            .map(|n| show(n, scope.get(*n).and_then(|v| v.as_f64()).unwrap_or(0.0)))
            .collect();
        if let Err(e) = &passed {
            observed.push(format!("cannot judge: {e}"));
        }
        Judged {
            threshold: self.text.clone(),
            passed: passed.unwrap_or(false),
            observed: observed.join(", "),
        }
    }
}

/// The figures of a stage under their threshold names.
pub fn scope(f: &LoadFigures, extra: Extra) -> serde_json::Value {
    let ratio = |n: u64| {
        if f.requests == 0 {
            0.0
        } else {
            n as f64 / f.requests as f64
        }
    };
    let http_failed: u64 = f.statuses.range(400..).map(|(_, n)| n).sum();
    let s = |ms: f64| ms / 1000.0;
    json!({
        "p50": s(f.latency.p50), "p90": s(f.latency.p90), "p95": s(f.latency.p95),
        "p99": s(f.latency.p99), "max": s(f.latency.max), "mean": s(f.latency.mean),
        "errors": ratio(f.errors + http_failed + extra.check_failures),
        "transport_errors": ratio(f.errors),
        "check_failures": ratio(extra.check_failures),
        "rps": f.rps,
        "requests": f.requests,
    })
}

/// A figure as the verdict shows it: `p95 1.8 s`, `errors 0.4 %`.
pub fn show(name: &str, v: f64) -> String {
    match name {
        "errors" | "transport_errors" | "check_failures" => {
            format!("{name} {} %", short(v * 100.0))
        }
        "rps" => format!("{} requests/s", short(v)),
        "requests" => format!("{v:.0} requests"),
        // Under a tenth of a second, milliseconds read better: `p95 54 ms`.
        _ if v < 0.1 => {
            let ms = v * 1000.0;
            let ms = if ms >= 10.0 {
                format!("{ms:.0}")
            } else {
                short(ms)
            };
            format!("{name} {ms} ms")
        }
        _ => format!("{name} {} s", short(v)),
    }
}

/// Two decimals at most, trailing zeros dropped: 0.41, 1.8, 12.
pub fn short(v: f64) -> String {
    if v.abs() >= 100.0 {
        return format!("{v:.0}");
    }
    let t = format!("{v:.2}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" {
        "0".into()
    } else {
        t.to_string()
    }
}

/// `p95<1s and errors<0.5%` → `p95<1 and errors<0.005`. A number glued to
/// a name (`p95`) is part of the name and left alone.
fn with_plain_numbers(text: &str) -> Result<String, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let glued =
            i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_' || chars[i - 1] == '.');
        if !c.is_ascii_digit() || glued {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
            i += 1;
        }
        let number: String = chars[start..i].iter().collect();
        let unit_start = i;
        while i < chars.len() && (chars[i].is_ascii_alphabetic() || chars[i] == '%') {
            i += 1;
        }
        let unit: String = chars[unit_start..i].iter().collect();
        let scale = match unit.as_str() {
            "" => None,
            "us" | "µs" => Some(1e-6),
            "ms" => Some(1e-3),
            "s" => Some(1.0),
            "m" => Some(60.0),
            "%" => Some(0.01),
            other => {
                return Err(format!(
                    "`{number}{other}`: unknown unit (use ms, s, m or %)"
                ))
            }
        };
        match scale {
            None => out.push_str(&number),
            Some(k) => {
                let v: f64 = number
                    .parse()
                    .map_err(|_| format!("`{number}` is not a number"))?;
                out.push_str(&format!("{}", v * k));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::stats::{Sample, Stats};
    use std::time::Duration;

    fn figures(latency_ms: u64, ok: u64, failed_500: u64) -> LoadFigures {
        let mut s = Stats::new();
        for i in 0..ok + failed_500 {
            s.record(&Sample {
                done_at: Duration::from_millis(i),
                latency: Duration::from_millis(latency_ms),
                service: Duration::from_millis(latency_ms),
                result: Ok(if i < ok { 200 } else { 500 }),
            });
        }
        s.snapshot(Duration::from_secs(1), 4)
    }

    #[test]
    fn units_become_seconds_and_ratios() {
        assert_eq!(with_plain_numbers("p95<1s").unwrap(), "p95<1");
        assert_eq!(with_plain_numbers("p99 < 250ms").unwrap(), "p99 < 0.25");
        assert_eq!(
            with_plain_numbers("errors<0.5% and p95<2m").unwrap(),
            "errors<0.005 and p95<120"
        );
        assert_eq!(with_plain_numbers("rps > 100").unwrap(), "rps > 100");
        assert!(with_plain_numbers("p95<1h")
            .unwrap_err()
            .contains("unknown unit"));
    }

    #[test]
    fn a_threshold_judges_a_stage_and_names_what_it_read() {
        let t = Threshold::parse("p95<1s").unwrap();
        let fast = t.judge(&figures(410, 100, 0), Extra::default());
        assert!(fast.passed);
        assert_eq!(fast.observed, "p95 0.41 s");
        let slow = t.judge(&figures(1800, 100, 0), Extra::default());
        assert!(!slow.passed);
        assert_eq!(slow.observed, "p95 1.8 s");
        let e = Threshold::parse("errors<1%").unwrap();
        let j = e.judge(&figures(5, 98, 2), Extra::default());
        assert!(!j.passed, "{j:?}");
        assert_eq!(j.observed, "errors 2 %");
        // Failed checks count as errors too.
        let j = e.judge(&figures(5, 100, 0), Extra { check_failures: 5 });
        assert!(!j.passed && j.observed == "errors 5 %", "{j:?}");
        let both = Threshold::parse("p95 < 1s and errors < 1%").unwrap();
        assert_eq!(
            both.judge(&figures(5, 100, 0), Extra::default()).observed,
            "p95 5 ms, errors 0 %"
        );
    }

    #[test]
    fn bad_thresholds_are_refused_with_their_text() {
        let e = Threshold::parse("p96<1s").unwrap_err();
        assert!(
            e.contains("`p96` is not a figure") && e.contains("p95"),
            "{e}"
        );
        let e = Threshold::parse("p95 <<< 1").unwrap_err();
        assert!(e.contains("--threshold `p95 <<< 1`"), "{e}");
        assert!(Threshold::parse("1 < 2")
            .unwrap_err()
            .contains("reads no figure"));
        for d in DEFAULTS {
            Threshold::parse(d).unwrap();
        }
    }
}
