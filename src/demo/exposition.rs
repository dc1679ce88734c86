//! The demo service's `/metrics` body, written through the crate's one
//! exposition writer (`crate::exposition::write`), in the Prometheus text format.

pub use crate::exposition::MetricType as Kind;
use crate::exposition::{write_help, write_sample, write_type, write_value, Format};

/// The `Content-Type` a Prometheus scraper expects for this format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

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
        write_help(&mut self.out, Format::Prometheus, name, help);
        write_type(&mut self.out, Format::Prometheus, name, kind);
    }

    /// Writes one sample line; `labels` keep their given order.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        write_sample(&mut self.out, Format::Prometheus, name, labels, value, None);
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// A sample value as the format spells it (also used for `le` labels).
pub fn format_value(value: f64) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
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
        assert_eq!(format_value(f64::NAN), "NaN");
        assert_eq!(format_value(10.0), "10");
        assert_eq!(format_value(0.005), "0.005");
        // Tiny bucket bounds use an exponent, which Prometheus reads as it writes them.
        assert_eq!(format_value(0.0000001), "1e-7");
    }
}
