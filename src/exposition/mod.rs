//! Parser for the Prometheus text exposition format (0.0.4) and OpenMetrics
//! text 1.0.
//!
//! Pure and allocation-light: [`parse`] borrows names and label sets from
//! the input (a label value is copied only when it contains an escape), so
//! a scrape costs a handful of allocations in all, not one per sample. Bad
//! lines are collected in [`Scrape::errors`] with their line number and
//! reason; every other line is still parsed.
//!
//! ```
//! use opsdeck::exposition::{parse, Format};
//! let text = "# TYPE http_requests_total counter\n\
//!             http_requests_total{code=\"200\"} 1027 1395066363000\n\
//!             oops\n";
//! let scrape = parse(text, Format::Prometheus);
//! assert_eq!(scrape.samples.len(), 1);
//! assert_eq!(scrape.samples[0].label("code").as_deref(), Some("200"));
//! assert_eq!(scrape.errors[0].line, 3);
//! ```
//!
//! [`group`] (or [`Scrape::group`]) then assembles metric families: counters,
//! gauges, histograms (buckets sorted by `le`, ready for
//! `metrics::histogram::histogram_quantile`) and summaries.
//!
//! Leniency, in both formats: blank lines and leading blanks are ignored,
//! `\r\n` line ends are accepted, a trailing comma in a label set is
//! accepted, unknown escapes in label values are kept as written, exemplars
//! are checked and skipped, and UTF-8 quoted names (`{"my.metric"}`) are
//! read. OpenMetrics timestamps (seconds) are converted to milliseconds.

use std::borrow::Cow;

mod error;
mod group;
mod labels;
mod lex;
mod line;
mod number;
mod verdict;
mod write;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use error::{LineError, Reason};
pub use group::{
    group, Bucket, Families, Family, HistogramData, Quantile, Series, SeriesValue, SummaryData,
};
pub use labels::{Label, Labels};
pub use verdict::{judge, Verdict};
pub use write::{write_eof, write_help, write_sample, write_type, write_unit, write_value};

/// Which text format a payload is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// `text/plain; version=0.0.4`: timestamps in integer milliseconds.
    #[default]
    Prometheus,
    /// `application/openmetrics-text`: timestamps in seconds, `# EOF`
    /// required at the end.
    OpenMetrics,
}

impl Format {
    /// The format named by an HTTP `Content-Type` header.
    pub fn from_content_type(content_type: &str) -> Format {
        let media = content_type.split(';').next().unwrap_or("").trim();
        if media.eq_ignore_ascii_case("application/openmetrics-text") {
            Format::OpenMetrics
        } else {
            Format::Prometheus
        }
    }

    /// The format from the `Content-Type` header when there is one, else
    /// from the body: OpenMetrics if its last line is `# EOF`.
    pub fn detect(content_type: Option<&str>, body: &[u8]) -> Format {
        if let Some(ct) = content_type {
            return Format::from_content_type(ct);
        }
        let trimmed = body.trim_ascii_end();
        if trimmed.ends_with(b"\n# EOF") || trimmed == b"# EOF" {
            Format::OpenMetrics
        } else {
            Format::Prometheus
        }
    }
}

/// A metric family's type, from `# TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricType {
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    Info,
    StateSet,
    /// `untyped` (Prometheus) or `unknown` (OpenMetrics), or no `# TYPE`.
    Unknown,
}

impl MetricType {
    /// Parse a `# TYPE` keyword (either format's spelling).
    pub fn parse(s: &str) -> Option<MetricType> {
        Some(match s {
            "counter" => MetricType::Counter,
            "gauge" => MetricType::Gauge,
            "histogram" => MetricType::Histogram,
            "gaugehistogram" => MetricType::GaugeHistogram,
            "summary" => MetricType::Summary,
            "info" => MetricType::Info,
            "stateset" => MetricType::StateSet,
            "untyped" | "unknown" => MetricType::Unknown,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::GaugeHistogram => "gaugehistogram",
            MetricType::Summary => "summary",
            MetricType::Info => "info",
            MetricType::StateSet => "stateset",
            MetricType::Unknown => "unknown",
        }
    }
}

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample<'a> {
    /// The full sample name, e.g. `http_request_duration_seconds_bucket`.
    pub name: Cow<'a, str>,
    /// The validated text between `{` and `}` ("" without labels); read it
    /// with [`Sample::labels`].
    pub raw_labels: &'a str,
    pub value: f64,
    /// Milliseconds since the epoch, when the line carries a timestamp.
    pub timestamp_ms: Option<i64>,
    /// 1-based line number.
    pub line: u32,
}

impl<'a> Sample<'a> {
    /// The labels in the order written (escapes undone).
    pub fn labels(&self) -> Labels<'a> {
        Labels::new(self.raw_labels)
    }

    /// The value of one label.
    pub fn label(&self, name: &str) -> Option<Cow<'a, str>> {
        self.labels().find(|l| l.name == name).map(|l| l.value)
    }
}

/// One `# HELP`, `# TYPE` or `# UNIT` line.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata<'a> {
    pub line: u32,
    /// The family name as written on the line.
    pub name: Cow<'a, str>,
    pub kind: MetadataKind<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MetadataKind<'a> {
    Help(Cow<'a, str>),
    Type(MetricType),
    Unit(Cow<'a, str>),
}

/// Everything read from one payload.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scrape<'a> {
    pub format: Format,
    /// Sample lines in input order.
    pub samples: Vec<Sample<'a>>,
    /// `# HELP` / `# TYPE` / `# UNIT` lines in input order.
    pub metadata: Vec<Metadata<'a>>,
    /// Rejected lines, in input order.
    pub errors: Vec<LineError>,
}

impl<'a> Scrape<'a> {
    /// Assemble the samples into metric families (see [`group`]).
    pub fn group(&self) -> Families<'a> {
        group(self)
    }
}

/// Parse a whole payload.
pub fn parse(text: &str, format: Format) -> Scrape<'_> {
    let mut p = line::LineParser::new(format, text.len());
    for (n, line) in text.split('\n').enumerate() {
        p.line(line, line_number(n));
    }
    p.finish()
}

/// Parse a payload that may not be valid UTF-8: a line that is not is
/// reported as [`Reason::InvalidUtf8`] and the others are parsed.
pub fn parse_bytes(bytes: &[u8], format: Format) -> Scrape<'_> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return parse(text, format);
    }
    let mut p = line::LineParser::new(format, bytes.len());
    for (n, line) in bytes.split(|&c| c == b'\n').enumerate() {
        match std::str::from_utf8(line) {
            Ok(text) => p.line(text, line_number(n)),
            Err(e) => p.error(line_number(n), e.valid_up_to(), Reason::InvalidUtf8),
        }
    }
    p.finish()
}

fn line_number(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}
