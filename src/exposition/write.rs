//! Writing exposition text (for the demo service, tests and fixtures).
//!
//! The output parses back to the same samples with [`super::parse`].

use std::fmt::Write as _;

use super::{Format, MetricType};

/// Append a value: `NaN`, `+Inf`, `-Inf`, or the shortest decimal that
/// reads back as the same `f64`.
pub fn write_value(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v == f64::INFINITY {
        out.push_str("+Inf");
    } else if v == f64::NEG_INFINITY {
        out.push_str("-Inf");
    } else if v == 0.0 || (1e-5..1e16).contains(&v.abs()) {
        let _ = write!(out, "{v}");
    } else {
        let _ = write!(out, "{v:?}");
    }
}

fn write_escaped(out: &mut String, s: &str, quotes: bool) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quotes => out.push_str("\\\""),
            c => out.push(c),
        }
    }
}

fn is_plain_name(name: &str, metric: bool) -> bool {
    let b = name.as_bytes();
    let (start, rest) = if metric {
        (&super::lex::METRIC_START, &super::lex::METRIC_CHAR)
    } else {
        (&super::lex::LABEL_START, &super::lex::LABEL_CHAR)
    };
    !b.is_empty() && start[b[0] as usize] && b[1..].iter().all(|&c| rest[c as usize])
}

fn write_name(out: &mut String, name: &str, metric: bool) {
    if is_plain_name(name, metric) {
        out.push_str(name);
    } else {
        out.push('"');
        write_escaped(out, name, true);
        out.push('"');
    }
}

/// Append one sample line (with its `\n`). Names that are not plain
/// identifiers are written in the quoted UTF-8 form.
pub fn write_sample(
    out: &mut String,
    format: Format,
    name: &str,
    labels: &[(&str, &str)],
    value: f64,
    timestamp_ms: Option<i64>,
) {
    let plain = is_plain_name(name, true);
    if plain {
        out.push_str(name);
    }
    if !plain || !labels.is_empty() {
        out.push('{');
        if !plain {
            write_name(out, name, true);
        }
        for (i, (k, v)) in labels.iter().enumerate() {
            if i > 0 || !plain {
                out.push(',');
            }
            write_name(out, k, false);
            out.push_str("=\"");
            write_escaped(out, v, true);
            out.push('"');
        }
        out.push('}');
    }
    out.push(' ');
    write_value(out, value);
    if let Some(ts) = timestamp_ms {
        match format {
            Format::Prometheus => {
                let _ = write!(out, " {ts}");
            }
            Format::OpenMetrics => {
                let sign = if ts < 0 { "-" } else { "" };
                let abs = ts.unsigned_abs();
                let _ = write!(out, " {sign}{}.{:03}", abs / 1000, abs % 1000);
            }
        }
    }
    out.push('\n');
}

/// Append `# HELP name text`.
pub fn write_help(out: &mut String, format: Format, name: &str, help: &str) {
    out.push_str("# HELP ");
    write_name(out, name, true);
    out.push(' ');
    write_escaped(out, help, format == Format::OpenMetrics);
    out.push('\n');
}

/// Append `# TYPE name type` (`untyped` in the Prometheus format for
/// [`MetricType::Unknown`]).
pub fn write_type(out: &mut String, format: Format, name: &str, kind: MetricType) {
    out.push_str("# TYPE ");
    write_name(out, name, true);
    out.push(' ');
    out.push_str(match (format, kind) {
        (Format::Prometheus, MetricType::Unknown) => "untyped",
        _ => kind.as_str(),
    });
    out.push('\n');
}

/// Append `# UNIT name unit`.
pub fn write_unit(out: &mut String, name: &str, unit: &str) {
    out.push_str("# UNIT ");
    write_name(out, name, true);
    out.push(' ');
    out.push_str(unit);
    out.push('\n');
}

/// Append the OpenMetrics terminator `# EOF`.
pub fn write_eof(out: &mut String) {
    out.push_str("# EOF\n");
}
