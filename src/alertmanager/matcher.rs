//! A silence's label matchers, as Alertmanager spells them in its API
//! (`name`, `value`, `isRegex`, `isEqual`) and as people type them
//! (`job=api`, `env!=dev`, `instance=~"db-.*"`, `severity!~info|none`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One matcher, its regex (for `=~` and `!~`) compiled once when it is made:
/// by [`Matcher::parse`], [`Matcher::equal`] or from Alertmanager's JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "Wire", into = "Wire")]
pub struct Matcher {
    name: String,
    value: String,
    is_regex: bool,
    is_equal: bool,
    regex: Option<regex::Regex>,
}

/// The API's spelling.
#[derive(Serialize, Deserialize)]
struct Wire {
    name: String,
    value: String,
    #[serde(rename = "isRegex")]
    is_regex: bool,
    /// False for `!=` and `!~`. Alertmanager before 0.22 has no such field: equal.
    #[serde(rename = "isEqual", default = "equal_by_default")]
    is_equal: bool,
}

fn equal_by_default() -> bool {
    true
}

impl TryFrom<Wire> for Matcher {
    type Error = String;
    fn try_from(w: Wire) -> Result<Self, String> {
        Matcher::new(w.name, w.value, w.is_regex, w.is_equal)
            .map_err(|e| format!("not a regular expression: {e}"))
    }
}

impl From<Matcher> for Wire {
    fn from(m: Matcher) -> Self {
        Wire {
            name: m.name,
            value: m.value,
            is_regex: m.is_regex,
            is_equal: m.is_equal,
        }
    }
}

/// Equal when they say the same; the compiled regex follows from that.
impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        (&self.name, &self.value, self.is_regex, self.is_equal)
            == (&other.name, &other.value, other.is_regex, other.is_equal)
    }
}

impl Eq for Matcher {}

impl std::hash::Hash for Matcher {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (&self.name, &self.value, self.is_regex, self.is_equal).hash(state);
    }
}

impl Matcher {
    /// A regex matcher's value must compile; Alertmanager anchors it, so do we.
    fn new(
        name: String,
        value: String,
        is_regex: bool,
        is_equal: bool,
    ) -> Result<Self, regex::Error> {
        let regex = if is_regex {
            Some(regex::Regex::new(&format!("^(?:{value})$"))?)
        } else {
            None
        };
        Ok(Matcher {
            name,
            value,
            is_regex,
            is_equal,
            regex,
        })
    }

    pub fn equal(name: &str, value: &str) -> Self {
        Matcher {
            name: name.to_string(),
            value: value.to_string(),
            is_regex: false,
            is_equal: true,
            regex: None,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    fn op(&self) -> &'static str {
        match (self.is_equal, self.is_regex) {
            (true, false) => "=",
            (false, false) => "!=",
            (true, true) => "=~",
            (false, true) => "!~",
        }
    }

    /// Reads `NAME OP VALUE` with OP one of `=`, `!=`, `=~`, `!~`, as
    /// Alertmanager (and amtool) read it: the value may be double-quoted,
    /// `\"`, `\n` and `\\` are escapes, any other backslash is itself. A
    /// regex must compile.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let expected =
            "expected NAME=VALUE, NAME!=VALUE, NAME=~REGEX or NAME!~REGEX, such as job=api";
        let at = text
            .find(['=', '!'])
            .ok_or_else(|| format!("matcher {text:?}: no operator; {expected}"))?;
        let (name, rest) = text.split_at(at);
        let name = name.trim();
        let (is_equal, is_regex, value) = if let Some(v) = rest.strip_prefix("=~") {
            (true, true, v)
        } else if let Some(v) = rest.strip_prefix("!~") {
            (false, true, v)
        } else if let Some(v) = rest.strip_prefix("!=") {
            (false, false, v)
        } else if let Some(v) = rest.strip_prefix('=') {
            (true, false, v)
        } else {
            return Err(format!("matcher {text:?}: {expected}"));
        };
        if !is_label_name(name) {
            return Err(format!(
                "matcher {text:?}: {name:?} is not a label name (letters, digits and _, not starting with a digit)"
            ));
        }
        let value = unquote(value.trim()).map_err(|e| format!("matcher {text:?}: {e}"))?;
        Matcher::new(name.to_string(), value, is_regex, is_equal)
            .map_err(|e| format!("matcher {text:?}: not a regular expression: {e}"))
    }

    fn matches_value(&self, v: &str) -> bool {
        let hit = match &self.regex {
            Some(r) => r.is_match(v),
            None => self.value == v,
        };
        hit == self.is_equal
    }

    /// Whether an alert with these labels (`alertname` among them) matches;
    /// a missing label reads as empty, as in Alertmanager.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.matches_value(labels.get(&self.name).map_or("", String::as_str))
    }
}

/// As Alertmanager prints a matcher: the value always quoted, with `\`,
/// newline and `"` escaped, so that [`Matcher::parse`] reads it back.
impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_label_name(&self.name) {
            f.write_str(&self.name)?;
        } else {
            // A UTF-8 name from a newer Alertmanager; shown, not typed back.
            write!(f, "\"{}\"", escape(&self.name))?;
        }
        write!(f, "{}\"{}\"", self.op(), escape(&self.value))
    }
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('"', "\\\"")
}

/// Whether every matcher holds for these labels.
pub fn all_match(matchers: &[Matcher], labels: &BTreeMap<String, String>) -> bool {
    matchers.iter().all(|m| m.matches(labels))
}

/// What Alertmanager would refuse, said before asking it: no matchers, or
/// only matchers that an alert without those labels also satisfies.
pub fn check_set(matchers: &[Matcher]) -> Result<(), String> {
    if matchers.is_empty() {
        return Err("a silence needs at least one matcher, such as alertname=DiskFull".into());
    }
    if matchers.iter().all(|m| m.matches_value("")) {
        return Err(format!(
            "{} would match every alert: at least one matcher must not match an empty label",
            list(matchers)
        ));
    }
    Ok(())
}

/// `alertname="X", job="api"`: how plans, lists and the audit log show a set.
pub fn list(matchers: &[Matcher]) -> String {
    matchers
        .iter()
        .map(Matcher::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One equality matcher per label of an alert, `alertname` first: the
/// silence that mutes exactly this alert (and any other with the same labels).
pub fn matchers_for_alert(rule: &str, labels: &BTreeMap<String, String>) -> Vec<Matcher> {
    std::iter::once(Matcher::equal("alertname", rule))
        .chain(
            labels
                .iter()
                .filter(|(k, _)| k.as_str() != "alertname")
                .map(|(k, v)| Matcher::equal(k, v)),
        )
        .collect()
}

fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A matcher's value as Alertmanager's parser reads it: an optional pair of
/// double quotes around it; `\"`, `\n` and `\\` unescaped; a backslash
/// before anything else (a regex's `\.`), or at the very end, kept.
fn unquote(raw: &str) -> Result<String, String> {
    let (inner, quoted) = match raw.strip_prefix('"') {
        Some(rest) => match rest.strip_suffix('"') {
            Some(inner) if !ends_escaped(inner) => (inner, true),
            _ => return Err("the quoted value is not closed".into()),
        },
        None => (raw, false),
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some('n') => {
                    out.push('\n');
                    chars.next();
                }
                Some(&e @ ('"' | '\\')) => {
                    out.push(e);
                    chars.next();
                }
                _ => out.push('\\'),
            },
            '"' if quoted => {
                return Err(r#"a double quote inside a quoted value is written \""#.into())
            }
            '"' => {
                return Err(
                    r#"a double quote in a value needs the value quoted: "say \"hi\"""#.into(),
                )
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Whether `text` ends in an escaping backslash (an odd run of them), so a
/// quote after it would be escaped, not closing.
fn ends_escaped(text: &str) -> bool {
    text.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_four_operators_parse_and_print_back() {
        for (text, eq, re, shown) in [
            ("job=api", true, false, r#"job="api""#),
            ("env != dev", false, false, r#"env!="dev""#),
            (r#"instance=~"db-.*""#, true, true, r#"instance=~"db-.*""#),
            (
                "severity!~info|none",
                false,
                true,
                r#"severity!~"info|none""#,
            ),
        ] {
            let m = Matcher::parse(text).unwrap();
            assert_eq!((m.is_equal, m.is_regex), (eq, re), "{text}");
            assert_eq!(m.to_string(), shown);
            assert_eq!(Matcher::parse(shown).unwrap(), m, "round trip of {shown}");
        }
        let m = Matcher::parse(r#"msg="say \"hi\"""#).unwrap();
        assert_eq!(m.value(), r#"say "hi""#);
    }

    #[test]
    fn values_escape_and_unescape_as_alertmanager_does() {
        let m = Matcher::parse(r#"msg="two\nlines \\ and \"quotes\"""#).unwrap();
        assert_eq!(m.value(), "two\nlines \\ and \"quotes\"");
        assert_eq!(
            m.to_string(),
            r#"msg="two\nlines \\ and \"quotes\"""#,
            "printed as amtool prints it"
        );
        // A backslash before anything else is itself: regexes keep theirs.
        let m = Matcher::parse(r"instance=~db\.[0-9]+\d").unwrap();
        assert_eq!(m.value(), r"db\.[0-9]+\d");
        assert!(m.matches(&labels(&[("instance", "db.12")])));
        assert_eq!(m.to_string(), r#"instance=~"db\\.[0-9]+\\d""#);
        assert_eq!(Matcher::parse(r"path=C:\").unwrap().value(), "C:\\");
        let e = Matcher::parse(r#"msg="a"b""#).unwrap_err();
        assert!(e.contains(r#"written \""#), "{e}");
        let e = Matcher::parse(r#"msg=a"b"#).unwrap_err();
        assert!(e.contains("needs the value quoted"), "{e}");
        let e = Matcher::parse(r#"msg="ends in \""#).unwrap_err();
        assert!(e.contains("not closed"), "{e}");
    }

    #[test]
    fn the_api_form_compiles_its_regex_once_and_refuses_a_bad_one() {
        let m: Matcher =
            serde_json::from_str(r#"{"name":"instance","value":"db-.*","isRegex":true}"#).unwrap();
        assert!(m.regex.is_some() && m.is_equal);
        assert!(m.matches(&labels(&[("instance", "db-7")])));
        let back = serde_json::to_value(&m).unwrap();
        assert_eq!(
            back,
            serde_json::json!({"name":"instance","value":"db-.*","isRegex":true,"isEqual":true})
        );
        let bad = serde_json::from_str::<Matcher>(r#"{"name":"x","value":"(","isRegex":true}"#);
        assert!(bad
            .unwrap_err()
            .to_string()
            .contains("not a regular expression"));
    }

    fn any_matcher() -> impl proptest::strategy::Strategy<Value = Matcher> {
        use proptest::prelude::*;
        // Any text at all, and text dense in what needs escaping.
        let value = prop_oneof![any::<String>(), "[\\\\\"\n =~!,{}a ]{0,12}"];
        (
            "[a-zA-Z_][a-zA-Z0-9_]{0,8}",
            value,
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(name, value, is_regex, is_equal)| {
                // A regex matcher needs a value that compiles: the text, escaped.
                let value = if is_regex {
                    regex::escape(&value)
                } else {
                    value
                };
                Matcher::new(name, value, is_regex, is_equal).expect("an escaped regex compiles")
            })
    }

    proptest::proptest! {
        #[test]
        fn printing_then_parsing_is_the_identity(m in any_matcher()) {
            let printed = m.to_string();
            proptest::prop_assert_eq!(Matcher::parse(&printed), Ok(m), "{}", printed);
        }
    }

    #[test]
    fn bad_matchers_say_what_is_expected() {
        let e = Matcher::parse("job").unwrap_err();
        assert!(e.contains("no operator") && e.contains("NAME=VALUE"), "{e}");
        let e = Matcher::parse("1job=x").unwrap_err();
        assert!(e.contains("not a label name"), "{e}");
        let e = Matcher::parse("job=~(").unwrap_err();
        assert!(e.contains("not a regular expression"), "{e}");
        let e = Matcher::parse(r#"job="api"#).unwrap_err();
        assert!(e.contains("not closed"), "{e}");
    }

    #[test]
    fn matching_is_anchored_and_missing_labels_read_empty() {
        let l = labels(&[("alertname", "DiskFull"), ("instance", "db-1")]);
        assert!(Matcher::parse("instance=~db-.*").unwrap().matches(&l));
        assert!(
            !Matcher::parse("instance=~db").unwrap().matches(&l),
            "anchored"
        );
        assert!(Matcher::parse("env!=prod").unwrap().matches(&l));
        assert!(Matcher::parse("env=").unwrap().matches(&l));
        assert!(!Matcher::parse("instance!~db-[0-9]").unwrap().matches(&l));
    }

    #[test]
    fn an_alerts_matchers_mute_it_and_not_its_neighbours() {
        let mine = labels(&[("job", "api"), ("severity", "critical")]);
        let ms = matchers_for_alert("DiskFull", &mine);
        assert_eq!(
            list(&ms),
            r#"alertname="DiskFull", job="api", severity="critical""#
        );
        let mut with_name = mine.clone();
        with_name.insert("alertname".into(), "DiskFull".into());
        assert!(all_match(&ms, &with_name));
        with_name.insert("job".into(), "web".into());
        assert!(!all_match(&ms, &with_name));
    }

    #[test]
    fn a_set_that_matches_everything_is_refused() {
        assert!(check_set(&[]).unwrap_err().contains("at least one matcher"));
        let e = check_set(&[Matcher::parse("job=~.*").unwrap()]).unwrap_err();
        assert!(e.contains("every alert"), "{e}");
        assert!(check_set(&[Matcher::parse("job=api").unwrap()]).is_ok());
    }
}
