//! The `[[alert]]` table as written in config: `RuleSpec` and its small types.
//! Checking a spec and turning it into an evaluable `Rule` is in `validate`.

use crate::base::duration::HumanDuration;
use crate::model::Severity;
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// One alert rule, exactly as a user writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub name: String,
    /// Series names or `*` patterns over opsdeck's own series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<MetricPatterns>,
    /// A PromQL expression evaluated by the Prometheus named in `prometheus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promql: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<Op>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// A second, less severe level: crossing it gives a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_threshold: Option<f64>,
    #[serde(
        rename = "for",
        default,
        skip_serializing_if = "HumanDuration::is_zero"
    )]
    pub for_duration: HumanDuration,
    #[serde(default, skip_serializing_if = "HumanDuration::is_zero")]
    pub keep_firing_for: HumanDuration,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// The id of a local runbook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runbook: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runbook_url: Option<String>,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
}

fn default_severity() -> Severity {
    Severity::Warning
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl RuleSpec {
    /// A rule with only a name set and every other field at its default;
    /// convenient for building specs in code (defaults, import, tests).
    pub fn named(name: &str) -> Self {
        RuleSpec {
            name: name.to_string(),
            metric: None,
            promql: None,
            prometheus: None,
            op: None,
            threshold: None,
            warn_threshold: None,
            for_duration: HumanDuration::default(),
            keep_firing_for: HumanDuration::default(),
            severity: default_severity(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            runbook: None,
            runbook_url: None,
            enabled: true,
        }
    }
}

/// The comparison between a value and a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }

    /// The operator that holds exactly when this one does not; used to
    /// explain in words why a condition cleared.
    pub fn negated(self) -> Op {
        match self {
            Op::Gt => Op::Le,
            Op::Ge => Op::Lt,
            Op::Lt => Op::Ge,
            Op::Le => Op::Gt,
            Op::Eq => Op::Ne,
            Op::Ne => Op::Eq,
        }
    }

    /// NaN never satisfies a condition, `!=` included: a 0/0 ratio (no
    /// traffic at all) must not page anyone.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        if value.is_nan() {
            return false;
        }
        match self {
            Op::Gt => value > threshold,
            Op::Ge => value >= threshold,
            Op::Lt => value < threshold,
            Op::Le => value <= threshold,
            Op::Eq => value == threshold,
            Op::Ne => value != threshold,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One series name or pattern, or a list of them: `metric = "host:cpu"` or
/// `metric = ["probe:*:error_ratio", "scrape:*:error_ratio"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricPatterns(pub Vec<String>);

impl MetricPatterns {
    pub fn one(pattern: &str) -> Self {
        MetricPatterns(vec![pattern.to_string()])
    }

    pub fn many(patterns: &[&str]) -> Self {
        MetricPatterns(patterns.iter().map(|p| p.to_string()).collect())
    }
}

impl Serialize for MetricPatterns {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [single] => serializer.serialize_str(single),
            many => many.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for MetricPatterns {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A hand-written visitor instead of `#[serde(untagged)]`, whose error
        // ("did not match any variant") would tell the user nothing.
        struct PatternsVisitor;

        impl<'de> Visitor<'de> for PatternsVisitor {
            type Value = MetricPatterns;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a series name or pattern, or a list of them")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MetricPatterns::one(v))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut patterns = Vec::new();
                while let Some(p) = seq.next_element::<String>()? {
                    patterns.push(p);
                }
                Ok(MetricPatterns(patterns))
            }
        }

        deserializer.deserialize_any(PatternsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Config {
        alert: Vec<RuleSpec>,
    }

    fn parse(text: &str) -> Result<Vec<RuleSpec>, String> {
        toml::from_str::<Config>(text)
            .map(|c| c.alert)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn parses_the_design_example() {
        let rules = parse(
            r#"
            [[alert]]
            name = "HighErrorRate"
            metric = "probe:site:error_ratio"
            op = ">"
            threshold = 0.05
            for = "5m"
            severity = "critical"
            runbook = "site-down"
            "#,
        )
        .unwrap();
        let r = &rules[0];
        assert_eq!(
            r.metric,
            Some(MetricPatterns::one("probe:site:error_ratio"))
        );
        assert_eq!(r.op, Some(Op::Gt));
        assert_eq!(r.threshold, Some(0.05));
        assert_eq!(r.for_duration, HumanDuration::from_secs(300));
        assert_eq!(r.severity, Severity::Critical);
        assert_eq!(r.runbook.as_deref(), Some("site-down"));
        assert!(r.enabled);
    }

    #[test]
    fn defaults_are_warning_enabled_and_zero_durations() {
        let rules = parse("[[alert]]\nname = \"X\"\nmetric = \"host:cpu\"").unwrap();
        assert_eq!(rules[0], {
            let mut r = RuleSpec::named("X");
            r.metric = Some(MetricPatterns::one("host:cpu"));
            r
        });
    }

    #[test]
    fn metric_accepts_a_list() {
        let rules = parse("[[alert]]\nname = \"X\"\nmetric = [\"a:*\", \"b:*\"]").unwrap();
        assert_eq!(rules[0].metric, Some(MetricPatterns::many(&["a:*", "b:*"])));
    }

    #[test]
    fn metric_of_the_wrong_type_says_what_is_expected() {
        let err = parse("[[alert]]\nname = \"X\"\nmetric = 3").unwrap_err();
        assert!(
            err.contains("a series name or pattern, or a list of them"),
            "{err}"
        );
    }

    #[test]
    fn bad_op_lists_the_valid_ones() {
        let err = parse("[[alert]]\nname = \"X\"\nop = \"=>\"").unwrap_err();
        assert!(err.contains("=>"), "{err}");
        assert!(err.contains("`>=`"), "{err}");
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let err = parse("[[alert]]\nname = \"X\"\nthreshhold = 1").unwrap_err();
        assert!(err.contains("unknown field `threshhold`"), "{err}");
    }

    #[test]
    fn bad_duration_is_a_parse_error() {
        let err = parse("[[alert]]\nname = \"X\"\nfor = \"five\"").unwrap_err();
        assert!(err.contains("invalid duration \"five\""), "{err}");
    }

    #[test]
    fn ops_compare_and_negate() {
        let cases = [
            (Op::Gt, 2.0, 1.0, true),
            (Op::Gt, 1.0, 1.0, false),
            (Op::Ge, 1.0, 1.0, true),
            (Op::Lt, 0.5, 1.0, true),
            (Op::Le, 1.0, 1.0, true),
            (Op::Eq, 0.0, 0.0, true),
            (Op::Ne, 0.0, 0.0, false),
        ];
        for (op, v, t, want) in cases {
            assert_eq!(op.holds(v, t), want, "{v} {op} {t}");
            assert_eq!(op.negated().holds(v, t), !want, "{v} not {op} {t}");
        }
    }

    #[test]
    fn nan_never_holds() {
        for op in [Op::Gt, Op::Ge, Op::Lt, Op::Le, Op::Eq, Op::Ne] {
            assert!(!op.holds(f64::NAN, 0.0), "{op}");
        }
    }

    #[test]
    fn serializes_back_to_toml_compactly() {
        let mut r = RuleSpec::named("X");
        r.metric = Some(MetricPatterns::one("host:cpu"));
        r.op = Some(Op::Ge);
        r.threshold = Some(80.0);
        r.for_duration = HumanDuration::from_secs(300);
        let text = toml::to_string(&r).unwrap();
        assert!(text.contains("op = \">=\""), "{text}");
        assert!(text.contains("for = \"5m\""), "{text}");
        assert!(!text.contains("enabled"), "{text}");
        assert!(!text.contains("keep_firing_for"), "{text}");
        assert_eq!(toml::from_str::<RuleSpec>(&text).unwrap(), r);
    }
}
