//! Checking `RuleSpec`s and turning them into evaluable `Rule`s.

use super::runbook_ref::RunbookRef;
use super::suggest;
use crate::config::alert_rule::{Op, RuleSpec};
use crate::model::Severity;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What a rule is evaluated over.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleSource {
    /// Series names or `*` patterns over opsdeck's own series.
    Metric(Vec<String>),
    Promql {
        prometheus: String,
        query: String,
    },
}

/// `value op threshold`, with an optional second, less severe level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Condition {
    pub op: Op,
    pub threshold: f64,
    pub warn_threshold: Option<f64>,
}

/// Which level of a rule a value reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Only `warn_threshold` is crossed.
    Warn,
    /// `threshold` is crossed (or a threshold-less PromQL rule returned the series).
    Main,
}

/// A checked rule, ready for the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    pub source: RuleSource,
    /// None only for PromQL rules, which then follow Prometheus semantics:
    /// every series the query returns is in alert.
    pub condition: Option<Condition>,
    pub for_secs: f64,
    pub keep_firing_secs: f64,
    pub severity: Severity,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub runbook: Option<RunbookRef>,
    pub enabled: bool,
}

impl Rule {
    /// The level `value` reaches, if any.
    pub fn level(&self, value: f64) -> Option<Level> {
        let Some(c) = self.condition else {
            return Some(Level::Main);
        };
        if c.op.holds(value, c.threshold) {
            Some(Level::Main)
        } else if c.warn_threshold.is_some_and(|w| c.op.holds(value, w)) {
            Some(Level::Warn)
        } else {
            None
        }
    }

    pub fn level_severity(&self, level: Level) -> Severity {
        match level {
            Level::Warn => Severity::Warning,
            Level::Main => self.severity,
        }
    }

    pub fn level_threshold(&self, level: Level) -> Option<f64> {
        let c = self.condition?;
        match level {
            Level::Warn => c.warn_threshold,
            Level::Main => Some(c.threshold),
        }
    }

    pub fn has_warn_level(&self) -> bool {
        self.condition.is_some_and(|c| c.warn_threshold.is_some())
    }
}

/// A problem with one rule; shown as `alert "NAME": message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub rule: String,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "alert {:?}: {}", self.rule, self.message)
    }
}

impl std::error::Error for RuleError {}

impl RuleSpec {
    /// Checks one rule on its own; `validate_rules` adds the checks that need
    /// the whole set (unique names, known Prometheus names).
    pub fn validate(&self) -> Result<Rule, RuleError> {
        let fail = |message: String| RuleError {
            rule: self.name.clone(),
            message,
        };
        if self.name.trim().is_empty() || self.name.trim() != self.name {
            return Err(fail(
                "the name must be non-empty, without leading or trailing spaces".into(),
            ));
        }
        let source = self.source().map_err(fail)?;
        let condition = self.condition(&source).map_err(fail)?;
        if self.severity == Severity::Ok {
            return Err(fail("severity must be info, warning or critical".into()));
        }
        if condition.is_some_and(|c| c.warn_threshold.is_some())
            && self.severity != Severity::Critical
        {
            return Err(fail(format!(
                "warn_threshold adds a warning level below the rule's severity, so severity must be \
                 critical (it is {})",
                self.severity
            )));
        }
        let runbook = match (&self.runbook, &self.runbook_url) {
            (Some(_), Some(_)) => {
                return Err(fail(
                    "set runbook (a local id) or runbook_url, not both".into(),
                ))
            }
            (Some(id), None) if id.trim().is_empty() => {
                return Err(fail("runbook is empty".into()))
            }
            (None, Some(url)) if url.trim().is_empty() => {
                return Err(fail("runbook_url is empty".into()))
            }
            (Some(id), None) => Some(RunbookRef::Id(id.clone())),
            (None, Some(url)) => Some(RunbookRef::Url(url.clone())),
            (None, None) => None,
        };
        Ok(Rule {
            name: self.name.clone(),
            source,
            condition,
            for_secs: self.for_duration.as_secs_f64(),
            keep_firing_secs: self.keep_firing_for.as_secs_f64(),
            severity: self.severity,
            labels: self.labels.clone(),
            annotations: self.annotations.clone(),
            runbook,
            enabled: self.enabled,
        })
    }

    fn source(&self) -> Result<RuleSource, String> {
        match (&self.metric, &self.promql) {
            (Some(_), Some(_)) => Err("set either metric or promql, not both".into()),
            (None, None) => {
                Err("set metric (a series name or pattern) or promql (with prometheus)".into())
            }
            (Some(patterns), None) => {
                if self.prometheus.is_some() {
                    return Err("prometheus only applies to promql rules; a metric rule reads opsdeck's own series".into());
                }
                if patterns.0.is_empty() {
                    return Err("metric is an empty list".into());
                }
                if patterns.0.iter().any(|p| p.trim().is_empty()) {
                    return Err("metric contains an empty series name".into());
                }
                Ok(RuleSource::Metric(patterns.0.clone()))
            }
            (None, Some(query)) => {
                if query.trim().is_empty() {
                    return Err("promql is empty".into());
                }
                match &self.prometheus {
                    Some(p) if !p.trim().is_empty() => Ok(RuleSource::Promql {
                        prometheus: p.clone(),
                        query: query.clone(),
                    }),
                    _ => Err(
                        "a promql rule needs prometheus = the name of a [[prometheus]] entry"
                            .into(),
                    ),
                }
            }
        }
    }

    fn condition(&self, source: &RuleSource) -> Result<Option<Condition>, String> {
        let (op, threshold) = match (self.op, self.threshold) {
            (Some(op), Some(t)) => (op, t),
            (None, None) if matches!(source, RuleSource::Promql { .. }) => {
                if self.warn_threshold.is_some() {
                    return Err("warn_threshold needs op and threshold".into());
                }
                return Ok(None);
            }
            (None, None) => return Err("a metric rule needs op and threshold".into()),
            (Some(_), None) => return Err("op is set but threshold is missing".into()),
            (None, Some(_)) => return Err("threshold is set but op is missing".into()),
        };
        if !threshold.is_finite() {
            return Err(format!(
                "threshold must be a finite number, not {threshold}"
            ));
        }
        if let Some(warn) = self.warn_threshold {
            check_warn_threshold(op, threshold, warn)?;
        }
        Ok(Some(Condition {
            op,
            threshold,
            warn_threshold: self.warn_threshold,
        }))
    }
}

fn check_warn_threshold(op: Op, threshold: f64, warn: f64) -> Result<(), String> {
    if !warn.is_finite() {
        return Err(format!(
            "warn_threshold must be a finite number, not {warn}"
        ));
    }
    // The warning level must be reached before the main one as the value
    // worsens, or it could never be the only level crossed.
    let ok = match op {
        Op::Gt | Op::Ge => warn < threshold,
        Op::Lt | Op::Le => warn > threshold,
        Op::Eq | Op::Ne => {
            return Err(format!("warn_threshold needs op >, >=, < or <=, not {op}"));
        }
    };
    if ok {
        Ok(())
    } else {
        let side = if matches!(op, Op::Gt | Op::Ge) {
            "below"
        } else {
            "above"
        };
        Err(format!(
            "with op {op}, warn_threshold ({warn}) must be {side} threshold ({threshold})"
        ))
    }
}

/// Checks a whole set of rules: each alone, unique names, and PromQL rules
/// naming a configured Prometheus. Reports every problem, not just the first.
pub fn validate_rules(
    specs: &[RuleSpec],
    prometheus_names: &[&str],
) -> Result<Vec<Rule>, Vec<RuleError>> {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    for spec in specs {
        if !seen.insert(spec.name.as_str()) {
            errors.push(RuleError {
                rule: spec.name.clone(),
                message: "defined more than once; rule names must be unique".into(),
            });
            continue;
        }
        match spec.validate() {
            Ok(rule) => {
                if let RuleSource::Promql { prometheus, .. } = &rule.source {
                    if !prometheus_names.contains(&prometheus.as_str()) {
                        errors.push(RuleError {
                            rule: spec.name.clone(),
                            message: format!(
                                "no [[prometheus]] named {prometheus:?}{}",
                                suggest::hint(prometheus, prometheus_names.iter().copied())
                            ),
                        });
                        continue;
                    }
                }
                rules.push(rule);
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
