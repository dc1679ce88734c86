//! The per-line parser: sample lines and `#` lines.

use std::borrow::Cow;

use super::error::{LineError, Reason};
use super::lex::{
    is_blank, scan_class, scan_quoted, scan_token, skip_ws, unescape_help, unescape_quoted,
    LABEL_CHAR, LABEL_START, METRIC_CHAR, METRIC_START,
};
use super::number::{parse_timestamp_ms, parse_timestamp_secs, parse_value};
use super::{Format, Metadata, MetadataKind, MetricType, Sample, Scrape};

type Fail = (usize, Reason);

pub(crate) struct LineParser<'a> {
    format: Format,
    /// Label names of the current line, for the duplicate check (reused).
    seen: Vec<&'a str>,
    pub(crate) scrape: Scrape<'a>,
    eof_seen: bool,
    after_eof_reported: bool,
    last_line: u32,
}

impl<'a> LineParser<'a> {
    pub(crate) fn new(format: Format, size_hint: usize) -> Self {
        Self {
            format,
            seen: Vec::with_capacity(16),
            scrape: Scrape {
                format,
                // Real payloads run 80–150 bytes per sample, HELP/TYPE
                // included; a generous guess avoids regrowing.
                samples: Vec::with_capacity(size_hint / 64 + 4),
                metadata: Vec::with_capacity(size_hint / 192 + 4),
                errors: Vec::new(),
            },
            eof_seen: false,
            after_eof_reported: false,
            last_line: 0,
        }
    }

    pub(crate) fn error(&mut self, line: u32, column: usize, reason: Reason) {
        self.last_line = self.last_line.max(line);
        let column = u32::try_from(column + 1).unwrap_or(u32::MAX);
        self.scrape.errors.push(LineError {
            line,
            column,
            reason,
        });
    }

    /// Parse one line (without its `\n`; a trailing `\r` is tolerated).
    #[inline]
    pub(crate) fn line(&mut self, line: &'a str, lineno: u32) {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let b = line.as_bytes();
        let start = skip_ws(b, 0);
        if start == b.len() {
            return; // blank line
        }
        self.last_line = lineno;
        if self.eof_seen {
            if !self.after_eof_reported {
                self.after_eof_reported = true;
                self.error(lineno, start, Reason::ContentAfterEof);
            }
            return;
        }
        let result = if b[start] == b'#' {
            self.hash_line(line, start, lineno)
        } else {
            self.sample_line(line, start, lineno)
        };
        if let Err((col, reason)) = result {
            self.error(lineno, col, reason);
        }
    }

    pub(crate) fn finish(mut self) -> Scrape<'a> {
        if self.format == Format::OpenMetrics && !self.eof_seen {
            self.error(self.last_line.saturating_add(1), 0, Reason::MissingEof);
        }
        self.scrape
    }

    /// `# HELP`, `# TYPE`, `# UNIT`, `# EOF` or a comment.
    fn hash_line(&mut self, line: &'a str, start: usize, lineno: u32) -> Result<(), Fail> {
        let b = line.as_bytes();
        let kw_start = skip_ws(b, start + 1);
        let kw_end = scan_token(b, kw_start);
        let keyword = &line[kw_start..kw_end];
        let which = match keyword {
            "HELP" => 0,
            "TYPE" => 1,
            "UNIT" => 2,
            "EOF" if kw_end == b.len() || skip_ws(b, kw_end) == b.len() => {
                if self.format == Format::OpenMetrics {
                    self.eof_seen = true;
                }
                return Ok(());
            }
            _ => return Ok(()), // a comment
        };
        // The keyword must be followed by a blank ("# HELPER" is a comment).
        if kw_end < b.len() && !is_blank(b[kw_end]) {
            return Ok(());
        }
        let name_start = skip_ws(b, kw_end);
        let (name, name_end) = if name_start < b.len() && b[name_start] == b'"' {
            let (end, esc) =
                scan_quoted(b, name_start).ok_or((name_start, Reason::MalformedMetadata))?;
            (unescape_quoted(&line[name_start + 1..end - 1], esc), end)
        } else {
            let end = scan_class(b, name_start, &METRIC_CHAR);
            if end == name_start || !METRIC_START[b[name_start] as usize] {
                return Err((name_start, Reason::MalformedMetadata));
            }
            (Cow::Borrowed(&line[name_start..end]), end)
        };
        if name_end < b.len() && !is_blank(b[name_end]) {
            return Err((name_end, Reason::MalformedMetadata));
        }
        // HELP text is the rest of the line: after exactly one blank in
        // OpenMetrics, after all blanks in the Prometheus format (as its
        // parsers do). TYPE and UNIT are single tokens.
        let rest_start = match self.format {
            Format::OpenMetrics if name_end < b.len() => name_end + 1,
            Format::OpenMetrics => name_end,
            Format::Prometheus => skip_ws(b, name_end),
        };
        let kind = match which {
            0 => MetadataKind::Help(unescape_help(
                &line[rest_start..],
                self.format == Format::OpenMetrics,
            )),
            1 => {
                let t0 = skip_ws(b, name_end);
                let t1 = scan_token(b, t0);
                if t0 == t1 {
                    return Err((t0, Reason::MalformedMetadata));
                }
                if skip_ws(b, t1) != b.len() {
                    return Err((skip_ws(b, t1), Reason::TrailingCharacters));
                }
                let t = MetricType::parse(&line[t0..t1]).ok_or((t0, Reason::UnknownType))?;
                MetadataKind::Type(t)
            }
            _ => {
                let u0 = skip_ws(b, name_end);
                let u1 = scan_token(b, u0);
                if skip_ws(b, u1) != b.len() {
                    return Err((skip_ws(b, u1), Reason::TrailingCharacters));
                }
                MetadataKind::Unit(Cow::Borrowed(&line[u0..u1]))
            }
        };
        self.scrape.metadata.push(Metadata {
            line: lineno,
            name,
            kind,
        });
        Ok(())
    }

    /// `name{labels} value [timestamp] [# {exemplar labels} value [ts]]`
    #[inline]
    fn sample_line(&mut self, line: &'a str, start: usize, lineno: u32) -> Result<(), Fail> {
        let b = line.as_bytes();
        let mut i = start;
        let mut name: Option<Cow<'a, str>> = None;
        if METRIC_START[b[i] as usize] {
            let end = scan_class(b, i + 1, &METRIC_CHAR);
            name = Some(Cow::Borrowed(&line[i..end]));
            i = end;
            if i < b.len() && !is_blank(b[i]) && b[i] != b'{' {
                return Err((i, Reason::InvalidMetricName));
            }
            i = skip_ws(b, i);
        } else if b[i] != b'{' {
            return Err((i, Reason::InvalidMetricName));
        }
        let mut labels = "";
        if i < b.len() && b[i] == b'{' {
            let (end, quoted_name) = self.scan_labels(line, i + 1)?;
            labels = &line[i + 1..end - 1];
            if let Some(q) = quoted_name {
                if name.is_some() {
                    return Err((i + 1, Reason::DuplicateMetricName));
                }
                name = Some(q);
            }
            i = skip_ws(b, end);
        }
        let name = name.ok_or((start, Reason::MissingMetricName))?;
        if i >= b.len() {
            return Err((i, Reason::MissingValue));
        }
        let v_end = scan_token(b, i);
        let value = parse_value(&line[i..v_end]).ok_or((i, Reason::InvalidValue))?;
        i = skip_ws(b, v_end);
        let mut timestamp_ms = None;
        if i < b.len() && b[i] != b'#' {
            let t_end = scan_token(b, i);
            let ts = &line[i..t_end];
            timestamp_ms = Some(
                match self.format {
                    Format::Prometheus => parse_timestamp_ms(ts),
                    Format::OpenMetrics => parse_timestamp_secs(ts),
                }
                .ok_or((i, Reason::InvalidTimestamp))?,
            );
            i = skip_ws(b, t_end);
        }
        if i < b.len() {
            if b[i] != b'#' {
                return Err((i, Reason::TrailingCharacters));
            }
            self.skip_exemplar(line, i)?;
        }
        self.scrape.samples.push(Sample {
            name,
            raw_labels: labels,
            value,
            timestamp_ms,
            line: lineno,
        });
        Ok(())
    }

    /// Validate a label set starting just after `{`. Returns the index just
    /// past `}` and the metric name if one was given as a bare quoted string
    /// (the UTF-8 form `{"my.metric", a="b"}`).
    #[inline]
    fn scan_labels(
        &mut self,
        line: &'a str,
        mut i: usize,
    ) -> Result<(usize, Option<Cow<'a, str>>), Fail> {
        let b = line.as_bytes();
        self.seen.clear();
        let mut quoted_name = None;
        let mut first = true;
        loop {
            i = skip_ws(b, i);
            if i >= b.len() {
                return Err((i, Reason::UnterminatedLabels));
            }
            let lname: &'a str;
            match b[i] {
                b'}' => return Ok((i + 1, quoted_name)),
                c if LABEL_START[c as usize] => {
                    let end = scan_class(b, i + 1, &LABEL_CHAR);
                    lname = &line[i..end];
                    i = end;
                }
                b'"' => {
                    let (end, esc) = scan_quoted(b, i).ok_or((i, Reason::UnterminatedLabels))?;
                    let raw = &line[i + 1..end - 1];
                    let after = skip_ws(b, end);
                    if first && after < b.len() && (b[after] == b',' || b[after] == b'}') {
                        // A bare quoted string first in the set: the metric name.
                        quoted_name = Some(unescape_quoted(raw, esc));
                        first = false;
                        i = after;
                        if b[i] == b',' {
                            i += 1;
                        }
                        continue;
                    }
                    lname = raw;
                    i = end;
                }
                _ => return Err((i, Reason::InvalidLabelName)),
            }
            first = false;
            i = skip_ws(b, i);
            if i >= b.len() || b[i] != b'=' {
                return Err((i, Reason::ExpectedEquals));
            }
            i = skip_ws(b, i + 1);
            if i >= b.len() || b[i] != b'"' {
                return Err((i, Reason::ExpectedLabelValue));
            }
            let (end, _) = scan_quoted(b, i).ok_or((i, Reason::UnterminatedLabelValue))?;
            if self.seen.contains(&lname) {
                return Err((i, Reason::DuplicateLabel));
            }
            self.seen.push(lname);
            i = skip_ws(b, end);
            if i >= b.len() {
                return Err((i, Reason::UnterminatedLabels));
            }
            match b[i] {
                b',' => i += 1,
                b'}' => return Ok((i + 1, quoted_name)),
                _ => return Err((i, Reason::ExpectedCommaOrBrace)),
            }
        }
    }

    /// OpenMetrics exemplar: `# {labels} value [timestamp]`. Checked and
    /// skipped; the sample itself is kept.
    fn skip_exemplar(&mut self, line: &'a str, hash: usize) -> Result<(), Fail> {
        let b = line.as_bytes();
        let bad = |_| (hash, Reason::InvalidExemplar);
        let mut i = skip_ws(b, hash + 1);
        if i >= b.len() || b[i] != b'{' {
            return Err((i, Reason::InvalidExemplar));
        }
        let (end, _) = self.scan_labels(line, i + 1).map_err(bad)?;
        i = skip_ws(b, end);
        let v_end = scan_token(b, i);
        parse_value(&line[i..v_end]).ok_or((i, Reason::InvalidExemplar))?;
        i = skip_ws(b, v_end);
        if i < b.len() {
            let t_end = scan_token(b, i);
            parse_value(&line[i..t_end])
                .filter(|t| t.is_finite())
                .ok_or((i, Reason::InvalidExemplar))?;
            i = skip_ws(b, t_end);
        }
        if i < b.len() {
            return Err((i, Reason::InvalidExemplar));
        }
        Ok(())
    }
}
