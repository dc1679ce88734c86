//! Label and field selectors: the `labelSelector=` / `fieldSelector=` query syntax and the
//! `matchLabels` / `matchExpressions` objects workloads carry.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A conjunction of requirements; the empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selector(pub Vec<Requirement>);

/// Splits on commas outside parentheses: `a in (x,y),b` is two requirements.
fn split_top_level(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0i32, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_set(rest: &str, whole: &str) -> Result<Vec<String>, String> {
    let inner = rest
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| {
            format!("unable to parse requirement: {whole}: expected a set like (a,b)")
        })?;
    Ok(inner
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect())
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
}

fn parse_requirement(part: &str) -> Result<Requirement, String> {
    let part = part.trim();
    let bad = || format!("unable to parse requirement: found '{part}'");
    if let Some(key) = part.strip_prefix('!') {
        let key = key.trim();
        return if valid_key(key) {
            Ok(Requirement::NotExists(key.into()))
        } else {
            Err(bad())
        };
    }
    for (op, ctor) in [("!=", 0), ("==", 1), ("=", 1)] {
        if let Some((k, v)) = part.split_once(op) {
            let (k, v) = (k.trim().to_string(), v.trim().to_string());
            if !valid_key(&k) || v.contains(['=', '!', '(', ')', ' ']) {
                return Err(bad());
            }
            return Ok(if ctor == 0 {
                Requirement::NotEquals(k, v)
            } else {
                Requirement::Equals(k, v)
            });
        }
    }
    let mut words = part.splitn(2, char::is_whitespace);
    let key = words.next().unwrap_or_default().trim().to_string();
    let rest = words.next().unwrap_or_default().trim();
    if !valid_key(&key) {
        return Err(bad());
    }
    if rest.is_empty() {
        return Ok(Requirement::Exists(key));
    }
    if let Some(set) = rest.strip_prefix("notin") {
        return Ok(Requirement::NotIn(key, parse_set(set, part)?));
    }
    if let Some(set) = rest.strip_prefix("in") {
        return Ok(Requirement::In(key, parse_set(set, part)?));
    }
    Err(bad())
}

impl Selector {
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        split_top_level(text)
            .into_iter()
            .map(parse_requirement)
            .collect::<Result<_, _>>()
            .map(Selector)
    }

    /// A `LabelSelector` object (`matchLabels`, `matchExpressions`).
    pub fn from_label_selector(sel: &Value) -> Self {
        let mut reqs = Vec::new();
        if let Some(labels) = sel.get("matchLabels").and_then(Value::as_object) {
            for (k, v) in labels {
                reqs.push(Requirement::Equals(
                    k.clone(),
                    v.as_str().unwrap_or_default().into(),
                ));
            }
        }
        for expr in sel
            .get("matchExpressions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = expr["key"].as_str().unwrap_or_default().to_string();
            let values: Vec<String> = expr["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            reqs.push(match expr["operator"].as_str().unwrap_or_default() {
                "In" => Requirement::In(key, values),
                "NotIn" => Requirement::NotIn(key, values),
                "Exists" => Requirement::Exists(key),
                _ => Requirement::NotExists(key),
            });
        }
        Selector(reqs)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Matches against a flat string map; missing values count as absent.
    pub fn matches_with(&self, lookup: impl Fn(&str) -> Option<String>) -> bool {
        self.0.iter().all(|req| match req {
            Requirement::Equals(k, v) => lookup(k).as_deref() == Some(v.as_str()),
            Requirement::NotEquals(k, v) => lookup(k).as_deref() != Some(v.as_str()),
            Requirement::In(k, vs) => lookup(k).is_some_and(|l| vs.contains(&l)),
            Requirement::NotIn(k, vs) => lookup(k).is_none_or(|l| !vs.contains(&l)),
            Requirement::Exists(k) => lookup(k).is_some(),
            Requirement::NotExists(k) => lookup(k).is_none(),
        })
    }

    pub fn matches_labels(&self, labels: Option<&Map<String, Value>>) -> bool {
        self.matches_with(|k| {
            labels
                .and_then(|l| l.get(k))
                .and_then(Value::as_str)
                .map(String::from)
        })
    }

    /// Field selectors name dotted paths into the object (`metadata.name`, `spec.nodeName`).
    pub fn matches_fields(&self, obj: &Value) -> bool {
        self.matches_with(|path| {
            let mut at = obj;
            for part in path.split('.') {
                at = at.get(part)?;
            }
            match at {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            }
        })
    }

    pub fn matches_object(&self, obj: &Value) -> bool {
        self.matches_labels(obj["metadata"]["labels"].as_object())
    }
}

/// A `LabelSelector` object as query text (`app=web,tier in (a,b)`), as a Scale's status shows it.
pub fn to_query(sel: &Value) -> String {
    Selector::from_label_selector(sel)
        .0
        .iter()
        .map(|r| match r {
            Requirement::Equals(k, v) => format!("{k}={v}"),
            Requirement::NotEquals(k, v) => format!("{k}!={v}"),
            Requirement::In(k, vs) => format!("{k} in ({})", vs.join(",")),
            Requirement::NotIn(k, vs) => format!("{k} notin ({})", vs.join(",")),
            Requirement::Exists(k) => k.clone(),
            Requirement::NotExists(k) => format!("!{k}"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn parses_every_operator() {
        let sel = Selector::parse(
            "app=web, tier!=db,env in (prod, staging),zone notin (a),canary,!legacy",
        )
        .unwrap();
        assert_eq!(
            sel.0,
            vec![
                Requirement::Equals("app".into(), "web".into()),
                Requirement::NotEquals("tier".into(), "db".into()),
                Requirement::In("env".into(), vec!["prod".into(), "staging".into()]),
                Requirement::NotIn("zone".into(), vec!["a".into()]),
                Requirement::Exists("canary".into()),
                Requirement::NotExists("legacy".into()),
            ]
        );
        assert_eq!(
            Selector::parse("a==b").unwrap().0,
            vec![Requirement::Equals("a".into(), "b".into())]
        );
        assert!(Selector::parse("").unwrap().is_empty());
        assert!(Selector::parse("a in b").is_err());
        assert!(Selector::parse("a b c").is_err());
    }

    #[test]
    fn matches_labels_like_kubernetes() {
        let l = labels(json!({"app": "web", "env": "prod"}));
        let yes = |s: &str| Selector::parse(s).unwrap().matches_labels(Some(&l));
        assert!(yes("app=web"));
        assert!(!yes("app=api"));
        assert!(yes("tier!=db"), "!= matches a missing label");
        assert!(yes("env in (prod,dev)"));
        assert!(!yes("env notin (prod)"));
        assert!(yes("zone notin (a)"));
        assert!(yes("app,!zone"));
        assert!(!yes("app,zone"));
    }

    #[test]
    fn builds_from_label_selector_objects() {
        let sel = Selector::from_label_selector(&json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]},
                                 {"key": "old", "operator": "DoesNotExist"}]
        }));
        assert!(sel.matches_labels(Some(&labels(json!({"app": "web", "env": "prod"})))));
        assert!(!sel.matches_labels(Some(&labels(
            json!({"app": "web", "env": "prod", "old": "1"})
        ))));
        assert!(!sel.matches_labels(None));
    }

    #[test]
    fn field_selectors_read_dotted_paths() {
        let pod = json!({"metadata": {"name": "p1"}, "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}});
        assert!(Selector::parse("metadata.name=p1,spec.nodeName=n1")
            .unwrap()
            .matches_fields(&pod));
        assert!(!Selector::parse("status.phase!=Running")
            .unwrap()
            .matches_fields(&pod));
    }
}
