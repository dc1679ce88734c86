//! Typed runbook parameters and how they get their values: given on the
//! command line, taken from the alert's labels, or the declared default.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

pub type Params = BTreeMap<String, Value>;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    #[default]
    String,
    Int,
    Float,
    Bool,
    Duration,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    #[serde(default)]
    pub description: String,
    #[serde(default, rename = "type")]
    pub kind: ParamType,
    #[serde(default)]
    pub default: Option<Value>,
    #[serde(default)]
    pub choices: Vec<Value>,
    /// `labels.NAME`: bind from the label of the alert that opened the runbook.
    #[serde(default)]
    pub from_alert: Option<String>,
}

impl ParamType {
    /// A value typed by a person (CLI `--param`, an input step).
    pub fn parse(self, raw: &str) -> Result<Value, String> {
        let raw = raw.trim();
        let bad = || format!("`{raw}` is not a valid {}", self.name());
        match self {
            ParamType::String => Ok(Value::String(raw.to_string())),
            ParamType::Int => raw.parse::<i64>().map(Value::from).map_err(|_| bad()),
            ParamType::Float => raw
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Value::from)
                .ok_or_else(bad),
            ParamType::Bool => match raw.to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "1" => Ok(Value::Bool(true)),
                "false" | "no" | "n" | "0" => Ok(Value::Bool(false)),
                _ => Err(bad()),
            },
            ParamType::Duration => {
                crate::base::duration::parse(raw).map(|_| Value::String(raw.to_string()))
            }
        }
    }

    /// A value written in the file (default, choices): must already have the type.
    pub fn accept(self, v: &Value) -> Result<Value, String> {
        let ok = match (self, v) {
            (ParamType::String, Value::String(_)) => true,
            (ParamType::Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
            (ParamType::Float, Value::Number(_)) => true,
            (ParamType::Bool, Value::Bool(_)) => true,
            (ParamType::Duration, Value::String(s)) => crate::base::duration::parse(s).is_ok(),
            _ => false,
        };
        if ok {
            Ok(v.clone())
        } else {
            Err(format!("{v} is not a valid {}", self.name()))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Int => "int",
            ParamType::Float => "float",
            ParamType::Bool => "bool",
            ParamType::Duration => "duration",
        }
    }
}

impl ParamSpec {
    /// Checks a typed value against `choices`.
    pub fn check_choice(&self, v: &Value) -> Result<(), String> {
        if self.choices.is_empty() || self.choices.iter().any(|c| loosely_equal(c, v)) {
            Ok(())
        } else {
            let list: Vec<String> = self.choices.iter().map(display).collect();
            Err(format!("{} is not one of: {}", display(v), list.join(", ")))
        }
    }

    /// Parses what a person typed and checks it against type and choices.
    pub fn parse_input(&self, raw: &str) -> Result<Value, String> {
        let v = self.kind.parse(raw)?;
        self.check_choice(&v)?;
        Ok(v)
    }

    /// The alert label this param binds from, if `from_alert` is `labels.X`.
    pub fn alert_label(&self) -> Option<&str> {
        self.from_alert.as_deref()?.strip_prefix("labels.")
    }
}

/// Numbers compare by value so that a choice `2` matches an input of `2.0`.
fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Shows strings bare, as people typed them.
pub fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "(unset)".to_string(),
        other => other.to_string(),
    }
}

/// Binds every declared param: explicit value, then alert label, then default.
/// Params that an `input` step fills may stay unset (null); any other
/// missing or invalid value is reported, all at once.
pub fn bind(
    specs: &BTreeMap<String, ParamSpec>,
    asked_later: &[&str],
    given: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
) -> Result<Params, Vec<String>> {
    let mut problems = Vec::new();
    for name in given.keys().filter(|k| !specs.contains_key(*k)) {
        let hint = crate::runbook::suggest(name, specs.keys().map(String::as_str))
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        problems.push(format!("unknown param `{name}`{hint}"));
    }
    let mut params = Params::new();
    for (name, spec) in specs {
        let raw = given
            .get(name)
            .or_else(|| spec.alert_label().and_then(|l| labels.get(l)));
        let value = match (raw, &spec.default) {
            (Some(raw), _) => spec.parse_input(raw),
            (None, Some(default)) => spec.kind.accept(default),
            (None, None) if asked_later.contains(&name.as_str()) => Ok(Value::Null),
            (None, None) => Err(match spec.alert_label() {
                Some(l) => format!(
                    "no value (give --param {name}=... or open from an alert with label `{l}`)"
                ),
                None => format!("no value (give --param {name}=...)"),
            }),
        };
        match value {
            Ok(v) => {
                params.insert(name.clone(), v);
            }
            Err(e) => problems.push(format!("param `{name}`: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(params)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(kind: ParamType, default: Option<Value>, choices: Vec<Value>) -> ParamSpec {
        ParamSpec {
            kind,
            default,
            choices,
            ..ParamSpec::default()
        }
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_each_type() {
        assert_eq!(ParamType::Int.parse(" 4 ").unwrap(), json!(4));
        assert_eq!(ParamType::Float.parse("0.5").unwrap(), json!(0.5));
        assert_eq!(ParamType::Bool.parse("Yes").unwrap(), json!(true));
        assert_eq!(ParamType::Duration.parse("5m").unwrap(), json!("5m"));
        assert!(ParamType::Int
            .parse("four")
            .unwrap_err()
            .contains("not a valid int"));
        assert!(ParamType::Float.parse("NaN").is_err());
        assert!(ParamType::Bool.parse("maybe").is_err());
        assert!(ParamType::Duration.parse("later").is_err());
    }

    #[test]
    fn accepts_only_values_of_the_declared_type() {
        assert!(ParamType::Int.accept(&json!(3)).is_ok());
        assert!(ParamType::Int.accept(&json!(3.5)).is_err());
        assert!(ParamType::Float.accept(&json!(3)).is_ok());
        assert!(ParamType::String.accept(&json!(3)).is_err());
        assert!(ParamType::Duration.accept(&json!("1h")).is_ok());
        assert!(ParamType::Bool.accept(&json!("true")).is_err());
    }

    #[test]
    fn choices_compare_numbers_by_value() {
        let s = spec(ParamType::Float, None, vec![json!(1), json!(2)]);
        assert!(s.parse_input("2.0").is_ok());
        assert!(s.parse_input("3").unwrap_err().contains("not one of: 1, 2"));
    }

    #[test]
    fn bind_prefers_given_then_alert_then_default() {
        let mut specs = BTreeMap::new();
        specs.insert(
            "workload".to_string(),
            ParamSpec {
                from_alert: Some("labels.workload".into()),
                default: Some(json!("d")),
                ..ParamSpec::default()
            },
        );
        specs.insert(
            "n".to_string(),
            spec(ParamType::Int, Some(json!(2)), vec![]),
        );
        let labels = map(&[("workload", "local/shop/api")]);
        let p = bind(&specs, &[], &map(&[]), &labels).unwrap();
        assert_eq!(
            (p["workload"].clone(), p["n"].clone()),
            (json!("local/shop/api"), json!(2))
        );
        let p = bind(&specs, &[], &map(&[("workload", "x"), ("n", "5")]), &labels).unwrap();
        assert_eq!(
            (p["workload"].clone(), p["n"].clone()),
            (json!("x"), json!(5))
        );
        let p = bind(&specs, &[], &map(&[]), &map(&[])).unwrap();
        assert_eq!(p["workload"], json!("d"));
    }

    #[test]
    fn bind_reports_every_problem() {
        let mut specs = BTreeMap::new();
        specs.insert(
            "workload".to_string(),
            ParamSpec {
                from_alert: Some("labels.workload".into()),
                ..ParamSpec::default()
            },
        );
        specs.insert("n".to_string(), spec(ParamType::Int, None, vec![]));
        specs.insert("later".to_string(), ParamSpec::default());
        let errs = bind(
            &specs,
            &["later"],
            &map(&[("n", "x"), ("workloads", "w")]),
            &map(&[]),
        )
        .unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs[0].contains("unknown param `workloads` (did you mean `workload`?)"));
        assert!(errs
            .iter()
            .any(|e| e.contains("param `n`: `x` is not a valid int")));
        assert!(errs.iter().any(|e| e.contains("label `workload`")));
        let p = bind(
            &specs,
            &["later", "workload"],
            &map(&[("n", "1")]),
            &map(&[]),
        )
        .unwrap();
        assert_eq!(p["later"], Value::Null);
    }
}
