//! Time as opsdeck reads and writes it: RFC 3339 (the `time` crate, the one
//! parser and formatter), unix seconds, and the clock faces the views show.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Unix seconds now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Now in RFC 3339 with the clock's full precision, as records are stamped.
pub fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Unix seconds in RFC 3339 (`2026-01-01T10:00:00Z`); empty when out of range.
pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Unix nanoseconds in RFC 3339 with the fraction kept.
pub fn rfc3339_nanos(nanos: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos))
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// An RFC 3339 time (as Prometheus, Alertmanager, engines and opsdeck's own
/// records write it) in unix seconds, with the fraction.
pub fn unix_seconds(text: &str) -> Option<f64> {
    let t = OffsetDateTime::parse(text.trim(), &Rfc3339).ok()?;
    Some(t.unix_timestamp_nanos() as f64 / 1e9)
}

/// Whole unix seconds of an RFC 3339 time.
pub fn unix_secs(text: &str) -> Option<i64> {
    Some(
        OffsetDateTime::parse(text.trim(), &Rfc3339)
            .ok()?
            .unix_timestamp(),
    )
}

/// Unix nanoseconds of an RFC 3339 time (as engines and kubelets stamp
/// lines); the zero time (`0001-01-01T00:00:00Z`, "never") is None.
pub fn unix_nanos(text: &str) -> Option<i64> {
    let t = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    if t.year() <= 1 {
        return None;
    }
    i64::try_from(t.unix_timestamp_nanos()).ok()
}

/// "14:03:27", UTC, from unix seconds.
pub fn time_of_day(unix: i64) -> String {
    let s = unix.rem_euclid(86400);
    format!("{:02}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
}

/// "14:03:27.250", UTC, from unix nanoseconds: log lines come faster than seconds.
pub fn time_of_day_millis(nanos: i64) -> String {
    let millis = nanos.rem_euclid(1_000_000_000) / 1_000_000;
    format!(
        "{}.{millis:03}",
        time_of_day(nanos.div_euclid(1_000_000_000))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips() {
        assert_eq!(rfc3339(1_767_261_600), "2026-01-01T10:00:00Z");
        assert_eq!(unix_secs("2026-01-01T10:00:00Z"), Some(1_767_261_600));
        assert_eq!(
            unix_seconds("2026-01-01T10:00:00.5Z"),
            Some(1_767_261_600.5)
        );
        assert_eq!(unix_secs("2026-01-01T11:00:00+01:00"), Some(1_767_261_600));
        assert_eq!(
            rfc3339_nanos(1_767_261_600_250_000_000),
            "2026-01-01T10:00:00.25Z"
        );
        assert_eq!(unix_nanos("0001-01-01T00:00:00Z"), None);
        assert_eq!(unix_secs("yesterday"), None);
        assert!(unix_seconds(&now_rfc3339()).is_some());
    }

    #[test]
    fn clock_faces() {
        assert_eq!(time_of_day(86400 + 3600 + 61), "01:01:01");
        assert_eq!(time_of_day_millis(61_250_000_000), "00:01:01.250");
    }
}
