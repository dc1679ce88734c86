//! A silence's label matchers, as Alertmanager spells them in its API
//! (`name`, `value`, `isRegex`, `isEqual`) and as people type them
//! (`job=api`, `env!=dev`, `instance=~"db-.*"`, `severity!~info|none`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Matcher {
    pub name: String,
    pub value: String,
    #[serde(rename = "isRegex")]
    pub is_regex: bool,
    /// False for `!=` and `!~`. Alertmanager before 0.22 has no such field: equal.
    #[serde(rename = "isEqual", default = "equal_by_default")]
    pub is_equal: bool,
}

fn equal_by_default() -> bool {
    true
}

impl Matcher {
    pub fn equal(name: &str, value: &str) -> Self {
        Matcher {
            name: name.to_string(),
            value: value.to_string(),
            is_regex: false,
            is_equal: true,
        }
    }

    fn op(&self) -> &'static str {
        match (self.is_equal, self.is_regex) {
            (true, false) => "=",
            (false, false) => "!=",
            (true, true) => "=~",
            (false, true) => "!~",
        }
    }

    /// Reads `NAME OP VALUE` with OP one of `=`, `!=`, `=~`, `!~`; the value
    /// may be double-quoted. A regex must compile (Alertmanager anchors it).
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
        let value = unquote(value.trim())
            .ok_or_else(|| format!("matcher {text:?}: the quoted value is not closed"))?;
        let m = Matcher {
            name: name.to_string(),
            value,
            is_regex,
            is_equal,
        };
        if is_regex {
            m.regex()
                .map_err(|e| format!("matcher {text:?}: not a regular expression: {e}"))?;
        }
        Ok(m)
    }

    fn regex(&self) -> Result<regex::Regex, regex::Error> {
        regex::Regex::new(&format!("^(?:{})$", self.value))
    }

    fn matches_value(&self, v: &str) -> bool {
        let hit = if self.is_regex {
            self.regex().is_ok_and(|r| r.is_match(v))
        } else {
            self.value == v
        };
        hit == self.is_equal
    }

    /// Whether an alert with these labels (`alertname` among them) matches;
    /// a missing label reads as empty, as in Alertmanager.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.matches_value(labels.get(&self.name).map_or("", String::as_str))
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{:?}", self.name, self.op(), self.value)
    }
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

/// `"a\"b"` → `a"b`; an unquoted value is taken as it is.
fn unquote(v: &str) -> Option<String> {
    let Some(inner) = v.strip_prefix('"') else {
        return Some(v.to_string());
    };
    let inner = inner.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(chars.next()?);
        } else {
            out.push(c);
        }
    }
    Some(out)
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
        assert_eq!(m.value, r#"say "hi""#);
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
