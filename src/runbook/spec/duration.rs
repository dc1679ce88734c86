//! Durations are written the way people say them ("2s", "5m", "1h 30m").

use serde::{Deserialize, Deserializer, Serializer};
use std::time::Duration;

pub fn parse(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim())
        .map_err(|e| format!("invalid duration `{text}`: {e} (write e.g. \"30s\", \"5m\", \"1h\")"))
}

pub fn format(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(*d))
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    parse(&text).map_err(serde::de::Error::custom)
}

/// `Option<Duration>` fields; use with `#[serde(default, with = "...")]`.
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
    fn parses_and_formats_round_trip() {
        assert_eq!(parse("2s").unwrap(), Duration::from_secs(2));
        assert_eq!(parse(" 1h 30m ").unwrap(), Duration::from_secs(5400));
        assert_eq!(format(Duration::from_secs(90)), "1m 30s");
    }

    #[test]
    fn rejects_garbage_with_a_hint() {
        let err = parse("soon").unwrap_err();
        assert!(err.contains("soon") && err.contains("30s"), "{err}");
    }
}
