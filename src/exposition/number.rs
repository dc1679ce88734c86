//! Sample values and timestamps.

/// Parse a sample value the way Go's `strconv.ParseFloat` reads the ones
/// exporters write: decimal and exponent forms, `NaN`, `+Inf`, `-Inf`
/// (case-insensitive, `Infinity` too). Short integers take a fast path.
#[inline]
pub(crate) fn parse_value(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let (neg, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    // Up to 15 decimal digits fit exactly in an f64 mantissa.
    if !digits.is_empty() && digits.len() <= 15 {
        let mut n: u64 = 0;
        let mut all_digits = true;
        for &c in digits {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                all_digits = false;
                break;
            }
            n = n * 10 + d as u64;
        }
        if all_digits {
            let v = n as f64;
            return Some(if neg { -v } else { v });
        }
    }
    s.parse::<f64>().ok()
}

/// Prometheus text: integer milliseconds since the epoch.
#[inline]
pub(crate) fn parse_timestamp_ms(s: &str) -> Option<i64> {
    s.parse::<i64>().ok()
}

/// OpenMetrics: seconds since the epoch, possibly fractional; returned in
/// milliseconds (rounded).
#[inline]
pub(crate) fn parse_timestamp_secs(s: &str) -> Option<i64> {
    let secs = parse_value(s)?;
    let ms = (secs * 1000.0).round();
    // i64::MAX is not exactly representable; stay strictly inside.
    (ms.is_finite() && ms.abs() < 9.2e18).then_some(ms as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(parse_value("0"), Some(0.0));
        assert_eq!(parse_value("-12"), Some(-12.0));
        assert_eq!(parse_value("+7"), Some(7.0));
        assert_eq!(parse_value("1.446073e+06"), Some(1446073.0));
        assert_eq!(parse_value("1e-3"), Some(0.001));
        assert_eq!(
            parse_value("123456789012345678901"),
            Some(123456789012345678901.0)
        );
        assert_eq!(parse_value("+Inf"), Some(f64::INFINITY));
        assert_eq!(parse_value("-Inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_value("inf"), Some(f64::INFINITY));
        assert!(parse_value("NaN").unwrap().is_nan());
        assert_eq!(parse_value(""), None);
        assert_eq!(parse_value("-"), None);
        assert_eq!(parse_value("1x"), None);
        assert_eq!(parse_value("12a4"), None);
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp_ms("1395066363000"), Some(1395066363000));
        assert_eq!(parse_timestamp_ms("-5"), Some(-5));
        assert_eq!(parse_timestamp_ms("1.5"), None);
        assert_eq!(parse_timestamp_secs("1520879607.789"), Some(1520879607789));
        assert_eq!(parse_timestamp_secs("1"), Some(1000));
        assert_eq!(parse_timestamp_secs("NaN"), None);
        assert_eq!(parse_timestamp_secs("1e300"), None);
    }
}
