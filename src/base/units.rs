//! Numbers as people read them on a small screen, and the units they are in.

use serde::Serialize;

/// What a panel's numbers measure, so they read as `230 ms`, not `0.23`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Seconds,
    Millis,
    Bytes,
    /// 0–100.
    Percent,
    /// 0–1, shown as a percentage.
    Ratio,
    PerSecond,
    #[default]
    None,
}

/// The spellings a config may use, for the error message.
pub const UNIT_NAMES: &str = "s, ms, bytes, %, ratio, req/s (or /s)";

impl Unit {
    pub fn parse(text: &str) -> Option<Unit> {
        Some(match text.trim() {
            "s" | "seconds" => Unit::Seconds,
            "ms" | "milliseconds" => Unit::Millis,
            "bytes" | "B" => Unit::Bytes,
            "%" | "percent" => Unit::Percent,
            "ratio" => Unit::Ratio,
            "" | "none" => Unit::None,
            t if t.ends_with("/s") => Unit::PerSecond,
            _ => return None,
        })
    }
}

/// `64mb`, `2GiB`, `1gb`, `1048576`: a size as Redis and people write it,
/// with 1024-based units (Redis reads `1mb` as 1,048,576 bytes too).
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim().to_ascii_lowercase();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits.parse().map_err(|_| {
        format!("{text:?} is not a size (expected e.g. 512mb, 2gb or a number of bytes)")
    })?;
    let scale: u64 = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => {
            return Err(format!(
                "{text:?}: unit {other:?} is not one of b, kb, mb, gb (1024-based)"
            ))
        }
    };
    n.checked_mul(scale)
        .ok_or_else(|| format!("{text:?} is too large"))
}

pub fn bytes(n: f64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = n.max(0.0);
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{v:.0} {}", UNITS[0])
    } else if v < 10.0 {
        format!("{v:.1} {}", UNITS[u])
    } else {
        format!("{v:.0} {}", UNITS[u])
    }
}

/// "3.3M", "512B": bytes in at most five characters, for dense table cells.
pub fn short_bytes(n: f64) -> String {
    const UNITS: [&str; 6] = ["B", "K", "M", "G", "T", "P"];
    let mut v = n.max(0.0);
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u > 0 && v < 10.0 {
        format!("{v:.1}{}", UNITS[u])
    } else {
        format!("{v:.0}{}", UNITS[u])
    }
}

pub fn rate(bytes_per_sec: f64) -> String {
    format!("{}/s", bytes(bytes_per_sec))
}

pub fn percent(p: f64) -> String {
    if p >= 99.95 {
        "100%".into()
    } else {
        format!("{p:.1}%")
    }
}

/// "2m", "1h30m": the span a chart covers.
pub fn span(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 2 * 86400 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        s => format!("{}d{}h", s / 86400, (s % 86400) / 3600),
    }
}

/// A chosen range as people name it: `5m`, `1h`, `6h`, `24h`; a range that
/// is no whole number of minutes falls back to [`span`].
pub fn range_name(secs: i64) -> String {
    match secs {
        s if s >= 3600 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => span(s),
    }
}

/// CPU as `docker stats` shows it: percent of one core, so above 100 is fine.
pub fn cpu(percent: f64) -> String {
    format!("{percent:.1}%")
}

/// A value in a panel's unit as a person reads it: `231 ms`, `1.50 s`,
/// `12 MiB`, `4.20%`, `1234/s`; NaN and infinities as Prometheus spells them.
pub fn with_unit(unit: Unit, v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    match unit {
        Unit::Seconds if v.abs() < 1.0 => format!("{} ms", figures(v * 1000.0)),
        Unit::Seconds => format!("{} s", figures(v)),
        Unit::Millis if v.abs() >= 1000.0 => format!("{} s", figures(v / 1000.0)),
        Unit::Millis => format!("{} ms", figures(v)),
        Unit::Bytes => bytes(v),
        Unit::Percent => format!("{}%", figures(v)),
        Unit::Ratio => format!("{}%", figures(v * 100.0)),
        Unit::PerSecond => format!("{}/s", figures(v)),
        Unit::None => figures(v),
    }
}

/// About three significant figures: 0.231, 23.1, 2310; tiny values in e-notation.
fn figures(v: f64) -> String {
    match v.abs() {
        0.0 => "0".into(),
        a if a >= 100.0 => format!("{v:.0}"),
        a if a >= 10.0 => format!("{v:.1}"),
        a if a >= 0.01 => format!("{v:.2}"),
        _ => format!("{v:.2e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_as_redis_reads_them() {
        assert_eq!(parse_bytes("64mb"), Ok(64 << 20));
        assert_eq!(parse_bytes("2GiB"), Ok(2 << 30));
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("3 parsecs").unwrap_err().contains("unit"));
    }

    #[test]
    fn formats() {
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(bytes(25.0 * 1024.0 * 1024.0 * 1024.0), "25 GiB");
        assert_eq!(rate(2048.0), "2.0 KiB/s");
        assert_eq!(percent(12.345), "12.3%");
        assert_eq!(percent(99.99), "100%");
        assert_eq!(span(76), "76s");
        assert_eq!(span(600), "10m");
        assert_eq!(span(3 * 3600 + 60), "3h01m");
        let named: Vec<String> = [300, 3600, 6 * 3600, 24 * 3600, 90]
            .into_iter()
            .map(range_name)
            .collect();
        assert_eq!(named, ["5m", "1h", "6h", "24h", "90s"]);
        assert_eq!(cpu(197.04), "197.0%");
        assert_eq!(short_bytes(512.0), "512B");
        assert_eq!(short_bytes(3.4e6), "3.2M");
        assert_eq!(short_bytes(1000.0), "1.0K");
        assert_eq!(short_bytes(200.0 * 1024.0), "200K");
    }

    #[test]
    fn values_in_units() {
        assert_eq!(with_unit(Unit::Seconds, 0.231), "231 ms");
        assert_eq!(with_unit(Unit::Seconds, 1.5), "1.50 s");
        assert_eq!(with_unit(Unit::Millis, 2500.0), "2.50 s");
        assert_eq!(with_unit(Unit::Ratio, 0.042), "4.20%");
        assert_eq!(with_unit(Unit::Percent, 85.0), "85.0%");
        assert_eq!(with_unit(Unit::PerSecond, 1234.0), "1234/s");
        assert_eq!(with_unit(Unit::None, f64::INFINITY), "+Inf");
        assert_eq!(with_unit(Unit::None, 0.0001), "1.00e-4");
    }
}
