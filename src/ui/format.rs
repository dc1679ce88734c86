//! Numbers as people read them on a small screen.

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

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
