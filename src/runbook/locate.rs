//! Turns a path into the runbook document (`step[3].cases[0].goto`) into a
//! file:line:col, using toml's span-keeping parse so that problems found
//! after deserializing still point at the right line.

use crate::base::diag::FileError;
use std::path::Path;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

pub struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
    doc: Option<Spanned<DeTable<'a>>>,
}

impl<'a> Locator<'a> {
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        Locator {
            path,
            text,
            doc: DeTable::parse(text).ok(),
        }
    }

    /// The start of the deepest node on `at` that exists; a missing field
    /// points at its table, which is still the right neighbourhood.
    pub fn offset(&self, at: &[Seg]) -> usize {
        let Some(doc) = &self.doc else { return 0 };
        let mut offset = doc.span().start;
        let mut table = Some(doc.get_ref());
        let mut array: Option<&[Spanned<DeValue>]> = None;
        for seg in at {
            let node = match (*seg, table, array) {
                (Seg::Key(k), Some(t), _) => t.get(k),
                (Seg::Index(i), _, Some(a)) => a.get(i),
                _ => None,
            };
            let Some(node) = node else { break };
            offset = node.span().start;
            (table, array) = match node.get_ref() {
                DeValue::Table(t) => (Some(t), None),
                DeValue::Array(a) => (None, Some(&a[..])),
                _ => (None, None),
            };
        }
        offset
    }

    pub fn error(&self, at: &[Seg], message: impl Into<String>) -> FileError {
        FileError::at_offset(self.path, self.text, self.offset(at), message)
    }
}

/// `step[i].field`, the most common location.
pub fn step_field(i: usize, field: &str) -> [Seg<'_>; 3] {
    [Seg::Key("step"), Seg::Index(i), Seg::Key(field)]
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "id = \"x\"\n\n[[step]]\nid = \"a\"\n\n[[step]]\nid = \"b\"\ncases = [\n  { when = \"1\", goto = \"zz\" },\n]\n";

    fn line(loc: &Locator, at: &[Seg]) -> usize {
        loc.error(at, "m").line
    }

    #[test]
    fn finds_nested_values() {
        let loc = Locator::new(Path::new("f.toml"), DOC);
        assert_eq!(line(&loc, &[Seg::Key("id")]), 1);
        assert_eq!(line(&loc, &step_field(0, "id")), 4);
        assert_eq!(line(&loc, &step_field(1, "id")), 7);
        let goto = [
            Seg::Key("step"),
            Seg::Index(1),
            Seg::Key("cases"),
            Seg::Index(0),
            Seg::Key("goto"),
        ];
        let err = loc.error(&goto, "no such step");
        assert_eq!((err.line, err.column), (9, 24));
        assert_eq!(err.to_string(), "f.toml:9:24: no such step");
    }

    #[test]
    fn missing_nodes_fall_back_to_the_nearest_parent() {
        let loc = Locator::new(Path::new("f.toml"), DOC);
        let at_step = line(&loc, &[Seg::Key("step"), Seg::Index(1)]);
        assert_eq!(line(&loc, &step_field(1, "nope")), at_step);
        assert!((6..=7).contains(&at_step), "{at_step}");
        assert_eq!(
            line(&loc, &step_field(9, "id")),
            line(&loc, &[Seg::Key("step")])
        );
    }

    #[test]
    fn unparsable_text_points_at_the_start() {
        let loc = Locator::new(Path::new("f.toml"), "= broken");
        assert_eq!(loc.offset(&step_field(0, "id")), 0);
    }
}
