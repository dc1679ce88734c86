//! Lazy iteration over a sample's label set.
//!
//! The parser validates a label set once and keeps only the text between
//! the braces; iterating re-reads it (cheap, and allocation-free unless a
//! value contains escapes).

use std::borrow::Cow;

use super::lex::{scan_class, scan_quoted, skip_ws, unescape_quoted, LABEL_CHAR, LABEL_START};

/// One label of a sample.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label<'a> {
    pub name: Cow<'a, str>,
    pub value: Cow<'a, str>,
}

/// Iterator over the labels of a [`super::Sample`], in the order written.
#[derive(Debug, Clone)]
pub struct Labels<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Labels<'a> {
    /// `text` is the validated content between `{` and `}`.
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }
}

impl<'a> Iterator for Labels<'a> {
    type Item = Label<'a>;

    fn next(&mut self) -> Option<Label<'a>> {
        let line = self.text;
        let b = line.as_bytes();
        loop {
            let mut i = self.pos;
            while i < b.len() && (b[i] == b',' || b[i] == b' ' || b[i] == b'\t') {
                i += 1;
            }
            if i >= b.len() {
                self.pos = i;
                return None;
            }
            let name = if LABEL_START[b[i] as usize] {
                let end = scan_class(b, i + 1, &LABEL_CHAR);
                let n = Cow::Borrowed(&line[i..end]);
                i = end;
                n
            } else if b[i] == b'"' {
                let Some((end, esc)) = scan_quoted(b, i) else {
                    self.pos = b.len();
                    return None;
                };
                let n = unescape_quoted(&line[i + 1..end - 1], esc);
                i = end;
                n
            } else {
                self.pos = b.len();
                return None;
            };
            i = skip_ws(b, i);
            if i >= b.len() || b[i] != b'=' {
                // The bare quoted metric name: not a label.
                self.pos = i;
                continue;
            }
            i = skip_ws(b, i + 1);
            let Some((end, esc)) = (i < b.len() && b[i] == b'"')
                .then(|| scan_quoted(b, i))
                .flatten()
            else {
                self.pos = b.len();
                return None;
            };
            self.pos = end;
            return Some(Label {
                name,
                value: unescape_quoted(&line[i + 1..end - 1], esc),
            });
        }
    }
}
