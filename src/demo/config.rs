//! The demo service's configuration, read from `DEMO_*` environment
//! variables (how a container is configured) and overridden by flags.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use super::faults::{DownMode, FaultSettings};

pub const DEFAULT_LISTEN: &str = "0.0.0.0:8080";

/// Everything `serve` needs.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoConfig {
    pub listen: SocketAddr,
    /// Reported by `demo_build_info{version}` and `GET /`.
    pub version: String,
    pub faults: FaultSettings,
    /// The faults switch on only this long after start: a release that
    /// passes a deploy's health gate and fails afterwards.
    pub faults_after: Option<std::time::Duration>,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN.parse().expect("default listen address"),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            faults: FaultSettings::default(),
            faults_after: None,
        }
    }
}

/// A variable or flag whose value could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub name: String,
    pub value: String,
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={:?}: {}", self.name, self.value, self.reason)
    }
}

impl std::error::Error for ConfigError {}

impl DemoConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup`, so tests need not touch the
    /// process environment. Unset and empty variables keep the default.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut config = DemoConfig::default();
        if let Some(v) = get("DEMO_LISTEN") {
            config.listen = parse_with("DEMO_LISTEN", &v, |s| s.parse().ok(), "an ip:port")?;
        }
        if let Some(v) = get("DEMO_VERSION") {
            config.version = v.trim().to_owned();
        }
        let f = &mut config.faults;
        if let Some(v) = get("DEMO_FAULT_SLOW_MS") {
            f.slow_ms = parse_with("DEMO_FAULT_SLOW_MS", &v, |s| s.parse().ok(), "milliseconds")?;
        }
        if let Some(v) = get("DEMO_FAULT_SLOW_JITTER") {
            f.slow_jitter = parse_with("DEMO_FAULT_SLOW_JITTER", &v, parse_ratio, RATIO)?;
        }
        if let Some(v) = get("DEMO_FAULT_ERROR_RATIO") {
            f.error_ratio = parse_with("DEMO_FAULT_ERROR_RATIO", &v, parse_ratio, RATIO)?;
        }
        if let Some(v) = get("DEMO_FAULT_DOWN") {
            f.down = parse_with("DEMO_FAULT_DOWN", &v, DownMode::parse_env, DOWN)?;
        }
        if let Some(v) = get("DEMO_FAULT_UNHEALTHY") {
            f.unhealthy = parse_with("DEMO_FAULT_UNHEALTHY", &v, parse_bool, "a boolean")?;
        }
        if let Some(v) = get("DEMO_FAULT_CRASH_AFTER") {
            let after = parse_with("DEMO_FAULT_CRASH_AFTER", &v, parse_delay, DELAY)?;
            f.crash_after = Some(after);
        }
        if let Some(v) = get("DEMO_FAULT_AFTER") {
            config.faults_after = Some(parse_with("DEMO_FAULT_AFTER", &v, parse_delay, DELAY)?);
        }
        if let Some(v) = get("DEMO_BURN_CPU") {
            f.burn_threads = parse_with("DEMO_BURN_CPU", &v, parse_threads, "a thread count")?;
        }
        config.validate("environment")?;
        Ok(config)
    }

    /// Checks the fault settings; `origin` names where they came from.
    pub fn validate(&self, origin: &str) -> Result<(), ConfigError> {
        self.faults.validate().map_err(|reason| ConfigError {
            name: origin.to_owned(),
            value: String::new(),
            reason,
        })
    }
}

const RATIO: &str = "a number between 0 and 1";
const DOWN: &str = "off, close, 503 or a boolean";
const DELAY: &str = "seconds (\"5\", \"0.5\") or a duration (\"500ms\", \"2m\")";

fn parse_with<T>(
    name: &str,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Result<T, ConfigError> {
    parse(value.trim()).ok_or_else(|| ConfigError {
        name: name.to_owned(),
        value: value.to_owned(),
        reason: format!("expected {expected}"),
    })
}

fn parse_ratio(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|r| (0.0..=1.0).contains(r))
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// `DEMO_BURN_CPU` is a count, but `true` reads as the one thread people
/// usually mean.
fn parse_threads(s: &str) -> Option<usize> {
    s.parse().ok().or_else(|| parse_bool(s).map(usize::from))
}

/// A bare number is seconds (what people type in an env var); anything
/// else is a humantime duration.
pub fn parse_delay(s: &str) -> Option<Duration> {
    match s.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs >= 0.0 => Some(Duration::from_secs_f64(secs)),
        Ok(_) => None,
        Err(_) => humantime::parse_duration(s).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<DemoConfig, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        DemoConfig::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_without_variables() {
        let c = config(&[]).unwrap();
        assert_eq!(c, DemoConfig::default());
        assert_eq!(c.listen.to_string(), "0.0.0.0:8080");
        assert_eq!(c.version, env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn reads_every_variable() {
        let c = config(&[
            ("DEMO_LISTEN", "127.0.0.1:9000"),
            ("DEMO_VERSION", " 2.0.0 "),
            ("DEMO_FAULT_SLOW_MS", "250"),
            ("DEMO_FAULT_SLOW_JITTER", "0.5"),
            ("DEMO_FAULT_ERROR_RATIO", "0.1"),
            ("DEMO_FAULT_DOWN", "503"),
            ("DEMO_FAULT_UNHEALTHY", "yes"),
            ("DEMO_FAULT_CRASH_AFTER", "1.5"),
            ("DEMO_BURN_CPU", "2"),
        ])
        .unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(c.version, "2.0.0");
        assert_eq!(c.faults.slow_ms, 250);
        assert_eq!(c.faults.slow_jitter, 0.5);
        assert_eq!(c.faults.error_ratio, 0.1);
        assert_eq!(c.faults.down, DownMode::Unavailable);
        assert!(c.faults.unhealthy);
        assert_eq!(c.faults.crash_after, Some(Duration::from_millis(1500)));
        assert_eq!(c.faults.burn_threads, 2);
    }

    #[test]
    fn empty_variables_keep_defaults() {
        let c = config(&[("DEMO_FAULT_UNHEALTHY", ""), ("DEMO_LISTEN", "  ")]).unwrap();
        assert_eq!(c, DemoConfig::default());
    }

    #[test]
    fn bad_values_name_the_variable() {
        let cases = [
            ("DEMO_LISTEN", "nowhere"),
            ("DEMO_FAULT_SLOW_MS", "-3"),
            ("DEMO_FAULT_SLOW_JITTER", "2"),
            ("DEMO_FAULT_ERROR_RATIO", "1.01"),
            ("DEMO_FAULT_DOWN", "sideways"),
            ("DEMO_FAULT_UNHEALTHY", "maybe"),
            ("DEMO_FAULT_CRASH_AFTER", "soon"),
            ("DEMO_FAULT_CRASH_AFTER", "-1"),
            ("DEMO_BURN_CPU", "lots"),
        ];
        for (name, value) in cases {
            let err = config(&[(name, value)]).unwrap_err();
            assert_eq!(err.name, name, "{err}");
            assert!(err.to_string().starts_with(&format!("{name}=")), "{err}");
            assert!(err.reason.starts_with("expected"), "{err}");
        }
    }

    #[test]
    fn burn_thread_limit_is_enforced() {
        let err = config(&[("DEMO_BURN_CPU", "1000")]).unwrap_err();
        assert_eq!(err.name, "environment");
        assert!(err.reason.contains("burn_threads"), "{err}");
    }

    #[test]
    fn burn_accepts_a_boolean() {
        assert_eq!(
            config(&[("DEMO_BURN_CPU", "true")])
                .unwrap()
                .faults
                .burn_threads,
            1
        );
        assert_eq!(
            config(&[("DEMO_BURN_CPU", "off")])
                .unwrap()
                .faults
                .burn_threads,
            0
        );
    }

    #[test]
    fn delays_take_seconds_or_durations() {
        assert_eq!(parse_delay("0"), Some(Duration::ZERO));
        assert_eq!(parse_delay("5"), Some(Duration::from_secs(5)));
        assert_eq!(parse_delay("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_delay("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_delay("inf"), None);
        assert_eq!(parse_delay("later"), None);
    }
}
