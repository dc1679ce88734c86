//! A writer for the Prometheus text exposition format (version 0.0.4).
//!
//! Written by hand rather than through a client library: the demo service
//! only needs a handful of families, and owning the writer lets the tests
//! check the exact bytes a scraper sees.

use std::fmt::Write as _;

/// The `Content-Type` a Prometheus scraper expects for this format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The metric types this writer emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// Accumulates families and samples into one exposition document.
#[derive(Debug, Default)]
pub struct TextWriter {
    out: String,
}

impl TextWriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a family with its `# HELP` and `# TYPE` lines.
    pub fn family(&mut self, name: &str, help: &str, kind: Kind) {
        // Writing into a String cannot fail.
        let _ = writeln!(self.out, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.out, "# TYPE {name} {}", kind.as_str());
    }

    /// Writes one sample line; `labels` keep their given order.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (key, val)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{key}=\"{}\"", escape_label(val));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {}", format_value(value));
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// Formats a sample value the way the format spells special floats.
pub fn format_value(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value == f64::INFINITY {
        "+Inf".to_owned()
    } else if value == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else {
        // Rust's shortest round-trip Display never uses an exponent and
        // prints whole numbers without a fraction, both valid here.
        value.to_string()
    }
}

/// Label values escape backslash, double quote and line feed.
fn escape_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            other => out.push(other),
        }
    }
    out
}

/// HELP text escapes only backslash and line feed.
fn escape_help(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_family_header_and_samples() {
        let mut w = TextWriter::new();
        w.family("demo_up", "Whether the service is up.", Kind::Gauge);
        w.sample("demo_up", &[], 1.0);
        w.family("x_total", "Requests.", Kind::Counter);
        w.sample("x_total", &[("route", "/work"), ("status", "200")], 3.0);
        assert_eq!(
            w.finish(),
            "# HELP demo_up Whether the service is up.\n\
             # TYPE demo_up gauge\n\
             demo_up 1\n\
             # HELP x_total Requests.\n\
             # TYPE x_total counter\n\
             x_total{route=\"/work\",status=\"200\"} 3\n"
        );
    }

    #[test]
    fn histogram_kind_is_spelled_out() {
        let mut w = TextWriter::new();
        w.family("h", "H.", Kind::Histogram);
        assert!(w.finish().ends_with("# TYPE h histogram\n"));
    }

    #[test]
    fn escapes_label_values_and_help() {
        let mut w = TextWriter::new();
        w.family("m", "a \\ b\nc", Kind::Gauge);
        w.sample("m", &[("v", "q\"\\\n")], 0.5);
        let text = w.finish();
        assert!(text.contains("# HELP m a \\\\ b\\nc\n"), "{text}");
        assert!(text.contains("m{v=\"q\\\"\\\\\\n\"} 0.5\n"), "{text}");
    }

    #[test]
    fn formats_special_and_ordinary_values() {
        assert_eq!(format_value(f64::INFINITY), "+Inf");
        assert_eq!(format_value(f64::NEG_INFINITY), "-Inf");
        assert_eq!(format_value(f64::NAN), "NaN");
        assert_eq!(format_value(10.0), "10");
        assert_eq!(format_value(0.005), "0.005");
        assert_eq!(format_value(0.0000001), "0.0000001");
    }
}
