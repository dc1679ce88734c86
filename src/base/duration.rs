//! A duration written the way people write them in config ("5m", "1h30m").

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::time::Duration;

/// A `std::time::Duration` that reads and writes humantime strings, so a bad
/// value is reported by the TOML parser at its file:line like any other field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct HumanDuration(pub Duration);

impl HumanDuration {
    pub fn from_secs(secs: u64) -> Self {
        HumanDuration(Duration::from_secs(secs))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        humantime::parse_duration(text.trim())
            .map(HumanDuration)
            .map_err(|e| {
                format!(
                    "invalid duration {text:?}: {e} (write it like \"30s\", \"5m\" or \"1h30m\")"
                )
            })
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0.as_secs_f64()
    }

    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // humantime separates units with spaces ("1h 30m"); drop them so the
        // text reads like what people type in config and Prometheus ("1h30m").
        let text = humantime::format_duration(self.0).to_string();
        f.write_str(&text.replace(' ', ""))
    }
}

impl Serialize for HumanDuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        HumanDuration::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A duration from text, as config, runbooks and rules write them.
pub fn parse(text: &str) -> Result<Duration, String> {
    HumanDuration::parse(text).map(|h| h.0)
}

/// The compact form people type: `1m30s`.
pub fn format(d: Duration) -> String {
    HumanDuration(d).to_string()
}

/// For plain `Duration` fields: `#[serde(with = "crate::base::duration")]`.
pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    HumanDuration(*d).serialize(s)
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    HumanDuration::deserialize(d).map(|h| h.0)
}

/// For `Option<Duration>` fields: `#[serde(default, with = "crate::base::duration::opt")]`.
pub mod opt {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        super::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_compact_and_spaced_forms() {
        assert_eq!(
            HumanDuration::parse("5m").unwrap().0,
            Duration::from_secs(300)
        );
        assert_eq!(
            HumanDuration::parse("1h30m").unwrap().0,
            Duration::from_secs(5400)
        );
        assert_eq!(
            HumanDuration::parse(" 2s ").unwrap().0,
            Duration::from_secs(2)
        );
    }

    #[test]
    fn rejects_garbage_with_a_hint() {
        let err = HumanDuration::parse("5 minutes-ish").unwrap_err();
        assert!(err.contains("invalid duration"), "{err}");
        assert!(err.contains("5m"), "{err}");
    }

    #[test]
    fn serializes_without_spaces() {
        let d = HumanDuration::from_secs(5400);
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"1h30m\"");
        assert_eq!(HumanDuration::default().to_string(), "0s");
        assert_eq!(HumanDuration::from_secs(90).to_string(), "1m30s");
    }

    #[test]
    fn deserialize_reports_bad_values() {
        let err = serde_json::from_str::<HumanDuration>("\"soon\"").unwrap_err();
        assert!(
            err.to_string().contains("invalid duration \"soon\""),
            "{err}"
        );
    }
}
