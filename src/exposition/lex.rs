//! Byte-level scanning shared by the line parser and the label iterator.
//!
//! Every position handed back points at an ASCII byte (or the end), so
//! slicing the `&str` there is always on a character boundary.

use std::borrow::Cow;

const fn table(extra: &[u8], digits: bool) -> [bool; 256] {
    let mut t = [false; 256];
    let mut c = b'a';
    while c <= b'z' {
        t[c as usize] = true;
        t[(c - b'a' + b'A') as usize] = true;
        c += 1;
    }
    t[b'_' as usize] = true;
    if digits {
        let mut d = b'0';
        while d <= b'9' {
            t[d as usize] = true;
            d += 1;
        }
    }
    let mut i = 0;
    while i < extra.len() {
        t[extra[i] as usize] = true;
        i += 1;
    }
    t
}

/// First byte of a metric name: `[a-zA-Z_:]`.
pub(crate) static METRIC_START: [bool; 256] = table(b":", false);
/// Later bytes of a metric name: `[a-zA-Z0-9_:]`.
pub(crate) static METRIC_CHAR: [bool; 256] = table(b":", true);
/// First byte of a label name: `[a-zA-Z_]`.
pub(crate) static LABEL_START: [bool; 256] = table(b"", false);
/// Later bytes of a label name: `[a-zA-Z0-9_]`.
pub(crate) static LABEL_CHAR: [bool; 256] = table(b"", true);

#[inline]
pub(crate) fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Index of the first byte at or after `i` that is not a blank or tab.
#[inline]
pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_blank(b[i]) {
        i += 1;
    }
    i
}

/// Index just past the run of bytes in `class` starting at `i`.
#[inline]
pub(crate) fn scan_class(b: &[u8], mut i: usize, class: &[bool; 256]) -> usize {
    while i < b.len() && class[b[i] as usize] {
        i += 1;
    }
    i
}

/// Index just past the end of the token starting at `i` (up to a blank or
/// the end of the line).
#[inline]
pub(crate) fn scan_token(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && !is_blank(b[i]) {
        i += 1;
    }
    i
}

/// `b[i]` is an opening `"`. Returns the index just past the closing quote
/// and whether any backslash escape occurs inside; `None` when the string is
/// not terminated on this line.
#[inline]
pub(crate) fn scan_quoted(b: &[u8], i: usize) -> Option<(usize, bool)> {
    let mut j = i + 1;
    let mut escaped = false;
    while j < b.len() {
        match b[j] {
            b'"' => return Some((j + 1, escaped)),
            b'\\' => {
                escaped = true;
                j += 2;
            }
            _ => j += 1,
        }
    }
    None
}

/// Undo the escapes of a label value or quoted name: `\\`, `\"` and `\n`.
/// Any other backslash sequence is kept as written (as Prometheus does).
pub(crate) fn unescape_quoted(raw: &str, escaped: bool) -> Cow<'_, str> {
    if !escaped {
        return Cow::Borrowed(raw);
    }
    unescape(raw, true)
}

/// Undo HELP escapes: `\\` and `\n`, plus `\"` in OpenMetrics.
pub(crate) fn unescape_help(raw: &str, quotes: bool) -> Cow<'_, str> {
    if !raw.as_bytes().contains(&b'\\') {
        return Cow::Borrowed(raw);
    }
    unescape(raw, quotes)
}

fn unescape(raw: &str, quotes: bool) -> Cow<'_, str> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('"') if quotes => out.push('"'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(METRIC_START[b':' as usize] && !LABEL_START[b':' as usize]);
        assert!(!METRIC_START[b'1' as usize] && METRIC_CHAR[b'1' as usize]);
        assert!(!METRIC_CHAR[b'-' as usize] && !LABEL_CHAR[0xc3]);
    }

    #[test]
    fn quoted() {
        let b = br#""a\"b\\" rest"#;
        assert_eq!(scan_quoted(b, 0), Some((8, true)));
        assert_eq!(scan_quoted(br#""abc"#, 0), None);
        assert_eq!(scan_quoted(br#""ab\""#, 0), None);
        assert_eq!(scan_quoted(br#""""#, 0), Some((2, false)));
    }

    #[test]
    fn unescapes() {
        assert_eq!(unescape_quoted(r#"a\"b\\c\nd\te"#, true), "a\"b\\c\nd\\te");
        assert_eq!(
            unescape_help(r#"x\\y\nz \"q\""#, false),
            "x\\y\nz \\\"q\\\""
        );
        assert_eq!(unescape_help(r#"x \"q\""#, true), "x \"q\"");
        assert!(matches!(unescape_help("plain", true), Cow::Borrowed(_)));
        assert_eq!(unescape_help("end\\", false), "end\\");
    }
}
