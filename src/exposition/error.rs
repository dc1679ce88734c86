//! Bad lines: where and why.

use std::fmt;

/// One line (or sample) that could not be used. Everything else in the
/// scrape is still parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line number in the payload.
    pub line: u32,
    /// 1-based byte column where the problem was found.
    pub column: u32,
    pub reason: Reason,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.reason
        )
    }
}

impl std::error::Error for LineError {}

/// Why a line was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// Not valid UTF-8 (only from [`super::parse_bytes`]).
    InvalidUtf8,
    InvalidMetricName,
    /// A sample line with no metric name, neither bare nor quoted in braces.
    MissingMetricName,
    /// Both a bare name and a quoted name inside the braces.
    DuplicateMetricName,
    InvalidLabelName,
    /// A label name not followed by `=`.
    ExpectedEquals,
    /// `=` not followed by a quoted value.
    ExpectedLabelValue,
    UnterminatedLabelValue,
    /// Something other than `,` or `}` after a label.
    ExpectedCommaOrBrace,
    /// The label set is not closed with `}` on this line.
    UnterminatedLabels,
    DuplicateLabel,
    MissingValue,
    InvalidValue,
    InvalidTimestamp,
    InvalidExemplar,
    /// Extra text after the value and timestamp.
    TrailingCharacters,
    /// `# HELP`, `# TYPE` or `# UNIT` without a (valid) metric name.
    MalformedMetadata,
    UnknownType,
    /// OpenMetrics: the payload does not end with `# EOF`.
    MissingEof,
    /// OpenMetrics: lines after `# EOF` (reported once; the rest is ignored).
    ContentAfterEof,
    /// Grouping: a histogram bucket without an `le` label.
    MissingBucketBound,
    /// Grouping: an `le` label that is not a number.
    InvalidBucketBound,
    /// Grouping: a summary sample without a `quantile` label.
    MissingQuantile,
    /// Grouping: a `quantile` label that is not a number.
    InvalidQuantile,
    /// Grouping: the same series and slot seen twice (the first is kept).
    DuplicateSample,
    /// Grouping: a sample whose name does not fit its family's type, e.g. a
    /// bare `foo` in a `histogram` family `foo`.
    UnexpectedSample,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reason::InvalidUtf8 => "invalid UTF-8",
            Reason::InvalidMetricName => "invalid metric name",
            Reason::MissingMetricName => "missing metric name",
            Reason::DuplicateMetricName => "metric name given twice",
            Reason::InvalidLabelName => "invalid label name",
            Reason::ExpectedEquals => "expected '=' after label name",
            Reason::ExpectedLabelValue => "expected a quoted label value",
            Reason::UnterminatedLabelValue => "unterminated label value",
            Reason::ExpectedCommaOrBrace => "expected ',' or '}' after label",
            Reason::UnterminatedLabels => "label set not closed with '}'",
            Reason::DuplicateLabel => "duplicate label name",
            Reason::MissingValue => "missing value",
            Reason::InvalidValue => "invalid value",
            Reason::InvalidTimestamp => "invalid timestamp",
            Reason::InvalidExemplar => "invalid exemplar",
            Reason::TrailingCharacters => "unexpected text after value",
            Reason::MalformedMetadata => "malformed HELP/TYPE/UNIT line",
            Reason::UnknownType => "unknown metric type",
            Reason::MissingEof => "missing '# EOF' at end of OpenMetrics payload",
            Reason::ContentAfterEof => "content after '# EOF'",
            Reason::MissingBucketBound => "histogram bucket without 'le' label",
            Reason::InvalidBucketBound => "invalid 'le' label value",
            Reason::MissingQuantile => "summary sample without 'quantile' label",
            Reason::InvalidQuantile => "invalid 'quantile' label value",
            Reason::DuplicateSample => "duplicate sample for series",
            Reason::UnexpectedSample => "sample name does not fit the family's type",
        })
    }
}
