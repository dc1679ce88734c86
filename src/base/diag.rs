//! Errors in user files (config, themes, runbooks, rules) that say where and what.
//! Every loader of a user file goes through `parse_toml` so that they all report
//! the same way: `path:line:column: message`.

use serde::de::DeserializeOwned;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl FileError {
    /// Locates a byte offset of `text` as a 1-based line and column (columns count chars).
    pub fn at_offset(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_col(text, offset);
        FileError {
            path: path.to_path_buf(),
            line,
            column,
            message: message.into(),
        }
    }

    /// An error about the file as a whole (it could not be read, say).
    pub fn whole_file(path: &Path, message: impl Into<String>) -> Self {
        FileError {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: message.into(),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

impl std::error::Error for FileError {}

pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Parses TOML into `T`, turning toml's error into a located `FileError` and adding
/// a did-you-mean to serde's "unknown field" and "unknown variant" messages.
pub fn parse_toml<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, FileError> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let message = with_suggestion(e.message().trim());
        FileError::at_offset(path, text, offset, message)
    })
}

/// Like `parse_toml`, but reports every error it can rather than the first: all syntax
/// errors, then one error per top-level key or `[[table]]` entry that does not fit `T`.
/// `T` must give every top-level field a default, so each piece can be checked alone.
pub fn parse_toml_all<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, Vec<FileError>> {
    use toml::de::{DeArray, DeTable, DeValue, Deserializer};
    use toml::Spanned;

    let locate = |e: toml::de::Error| {
        let offset = e.span().map_or(0, |s| s.start);
        FileError::at_offset(path, text, offset, with_suggestion(e.message().trim()))
    };
    let (root, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        return Err(syntax.into_iter().map(locate).collect());
    }
    let root_span = root.span();
    let mut errors = Vec::new();
    for (key, value) in root.get_ref().iter() {
        let pieces: Vec<Spanned<DeValue>> = match value.get_ref() {
            DeValue::Array(items)
                if items
                    .iter()
                    .all(|i| matches!(i.get_ref(), DeValue::Table(_))) =>
            {
                items
                    .iter()
                    .map(|item| {
                        let mut one = DeArray::new();
                        one.push(item.clone());
                        Spanned::new(value.span(), DeValue::Array(one))
                    })
                    .collect()
            }
            _ => vec![value.clone()],
        };
        for piece in pieces {
            let mut table = DeTable::new();
            table.insert(key.clone(), piece);
            if let Err(e) =
                T::deserialize(Deserializer::from(Spanned::new(root_span.clone(), table)))
            {
                errors.push(locate(e));
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| (e.line, e.column));
        return Err(errors);
    }
    T::deserialize(Deserializer::from(root)).map_err(|e| vec![locate(e)])
}

/// serde words these as "unknown field `colr`, expected one of `a`, `b`" (or
/// "expected `a`"); the closest expected name is usually what was meant.
fn with_suggestion(message: &str) -> String {
    let Some(rest) = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))
    else {
        return message.to_string();
    };
    let Some(end) = rest.find('`') else {
        return message.to_string();
    };
    let given = &rest[..end];
    let expected = expected_names(&rest[end..]);
    match did_you_mean(given, expected.iter().map(String::as_str)) {
        Some(best) => format!("{message} (did you mean `{best}`?)"),
        None => message.to_string(),
    }
}

fn expected_names(s: &str) -> Vec<String> {
    s.split('`')
        .skip(2)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The candidate closest to `given`, if it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(given, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        refresh: String,
        theme: Option<String>,
    }

    #[test]
    fn unknown_key_is_located_with_suggestion() {
        let text = "refresh = \"2s\"\nthme = \"light\"\n";
        let err = parse_toml::<Sample>(Path::new("c.toml"), text).unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(
            err.message.contains("did you mean `theme`"),
            "{}",
            err.message
        );
        assert!(err
            .to_string()
            .starts_with("c.toml:2:1: unknown field `thme`"));
    }

    #[test]
    fn syntax_error_is_located() {
        let text = "refresh = \"2s\"\n\ntheme = = 1\n";
        let err = parse_toml::<Sample>(Path::new("c.toml"), text).unwrap_err();
        assert_eq!(err.line, 3);
    }

    #[derive(Debug, Deserialize, Default)]
    #[serde(deny_unknown_fields, default)]
    #[allow(dead_code)]
    struct Many {
        refresh: Option<String>,
        item: Vec<Item>,
    }

    #[derive(Debug, Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        name: String,
    }

    #[test]
    fn every_bad_section_is_reported() {
        let text =
            "refresh = 3\n[[item]]\nname = \"a\"\n[[item]]\nnmae = \"b\"\n[[item]]\nname = 4\n";
        let errs = parse_toml_all::<Many>(Path::new("m.toml"), text).unwrap_err();
        let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 5, 7], "{errs:?}");
        assert!(errs[1].message.contains("did you mean `name`"));
    }

    #[test]
    fn good_file_parses_whole() {
        let text = "refresh = \"2s\"\n[[item]]\nname = \"a\"\n[[item]]\nname = \"b\"\n";
        let m = parse_toml_all::<Many>(Path::new("m.toml"), text).unwrap();
        assert_eq!(m.item.len(), 2);
    }

    #[test]
    fn every_syntax_error_is_reported() {
        let errs =
            parse_toml_all::<Many>(Path::new("m.toml"), "a = = 1\nb = \"x\nc = 2\n").unwrap_err();
        assert!(!errs.is_empty());
        assert_eq!(errs[0].line, 1);
    }

    #[test]
    fn no_suggestion_for_unrelated_names() {
        assert_eq!(did_you_mean("zzzz", ["refresh", "theme"]), None);
        assert_eq!(
            did_you_mean("refesh", ["refresh", "theme"]),
            Some("refresh")
        );
    }

    #[test]
    fn line_col_counts_chars_not_bytes() {
        assert_eq!(line_col("é = 1\nab", 7), (2, 1));
        assert_eq!(line_col("éx", 2), (1, 2));
    }
}
