//! One alert instance (a rule applied to one series) and its state machine.
//!
//! inactive → pending (condition true, `for` not yet met) → firing →
//! resolved (shown for a while) → inactive; no-data and error can be entered
//! from any state. Time is passed in (unix seconds); nothing here reads a clock.

use super::validate::{Level, Rule};
use crate::model::Severity;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertState {
    Inactive,
    Pending,
    Firing,
    Resolved,
    NoData,
    Error,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Inactive => "inactive",
            AlertState::Pending => "pending",
            AlertState::Firing => "firing",
            AlertState::Resolved => "resolved",
            AlertState::NoData => "no-data",
            AlertState::Error => "error",
        }
    }

    pub fn is_active(self) -> bool {
        matches!(self, AlertState::Pending | AlertState::Firing)
    }
}

impl std::fmt::Display for AlertState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one evaluation saw for an instance's series.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Observation<'a> {
    Value(f64),
    /// The condition is false without a value: a threshold-less PromQL rule
    /// whose query no longer returns this series.
    Cleared,
    /// No value; `vanished` when the series is gone altogether.
    Missing {
        vanished: bool,
    },
    Failed(&'a str),
}

/// A state change as the state machine sees it; the engine adds identity.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change {
    pub from: AlertState,
    pub to: AlertState,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Instance {
    pub series: String,
    pub labels: BTreeMap<String, String>,
    pub state: AlertState,
    pub severity: Severity,
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    /// When the current state was entered.
    pub since: f64,
    /// When the current episode (pending, then firing) began.
    pub active_since: Option<f64>,
    pub message: Option<String>,
    /// Condition timers: since when any level / the main level has held.
    pending_since: Option<f64>,
    main_since: Option<f64>,
    last_true: Option<f64>,
    /// The state an error interrupted: the timers are frozen during an error,
    /// so a firing alert whose query fails briefly comes back firing instead
    /// of waiting out `for` again.
    before_error: AlertState,
}

impl Instance {
    pub fn new(rule: &Rule, series: String, labels: BTreeMap<String, String>, now: f64) -> Self {
        Instance {
            series,
            labels,
            state: AlertState::Inactive,
            severity: rule.severity,
            value: None,
            threshold: rule.level_threshold(Level::Main),
            since: now,
            active_since: None,
            message: None,
            pending_since: None,
            main_since: None,
            last_true: None,
            before_error: AlertState::Inactive,
        }
    }

    /// Advances the state machine; returns the change, if the state (or a
    /// firing alert's severity) changed.
    pub fn step(
        &mut self,
        rule: &Rule,
        obs: Observation<'_>,
        now: f64,
        retention: f64,
    ) -> Option<Change> {
        let from = self.state;
        let effective = if from == AlertState::Error {
            self.before_error
        } else {
            from
        };
        let (to, severity, reason) = match obs {
            Observation::Failed(message) => {
                if from != AlertState::Error {
                    self.before_error = from;
                }
                self.message = Some(message.to_string());
                self.value = None;
                // The severity stays as it was, so a two-level alert that
                // was firing as a warning does not come back as critical.
                (
                    AlertState::Error,
                    self.severity,
                    format!("query failed: {message}"),
                )
            }
            Observation::Missing { vanished } => {
                self.on_missing(rule, effective, vanished, now, retention)
            }
            Observation::Value(v) => {
                self.value = Some(v);
                self.on_condition(rule, rule.level(v), effective, now, retention)
            }
            Observation::Cleared => {
                self.value = None;
                self.on_condition(rule, None, effective, now, retention)
            }
        };
        if to != AlertState::Error {
            self.message = None;
        }
        let reason = match (from, to) {
            (AlertState::Error, AlertState::Error) => reason,
            (AlertState::Error, _) if reason.is_empty() => "query works again".to_string(),
            (AlertState::Error, _) => format!("query works again; {reason}"),
            _ => reason,
        };
        let escalation =
            to == AlertState::Firing && from == AlertState::Firing && severity != self.severity;
        self.severity = severity;
        if to == from && !escalation {
            return None;
        }
        if to != from {
            self.since = now;
        }
        if to.is_active() && !effective.is_active() {
            self.active_since = Some(now);
        } else if matches!(to, AlertState::Inactive | AlertState::NoData) {
            self.active_since = None;
        }
        self.state = to;
        Some(Change { from, to, reason })
    }

    /// Time passing alone: a resolved alert leaves the display after
    /// `retention`. For instances that get no observation this round
    /// (PromQL rules between two query results).
    pub fn expire(&mut self, now: f64, retention: f64) -> Option<Change> {
        if self.state != AlertState::Resolved {
            return None;
        }
        let (to, severity, reason) = self.resolved_or_expired(now, retention);
        if to == AlertState::Resolved {
            return None;
        }
        self.state = to;
        self.severity = severity;
        self.since = now;
        self.active_since = None;
        Some(Change {
            from: AlertState::Resolved,
            to,
            reason,
        })
    }

    fn on_missing(
        &mut self,
        rule: &Rule,
        effective: AlertState,
        vanished: bool,
        now: f64,
        retention: f64,
    ) -> (AlertState, Severity, String) {
        self.value = None;
        match effective {
            AlertState::Firing if self.kept_firing(rule, now) => {
                (AlertState::Firing, self.severity, String::new())
            }
            AlertState::Resolved => self.resolved_or_expired(now, retention),
            _ => {
                self.reset_timers();
                let reason = if vanished {
                    format!("series {} is no longer reported", self.series)
                } else {
                    format!("no data for {}", self.series)
                };
                (AlertState::NoData, rule.severity, reason)
            }
        }
    }

    fn on_condition(
        &mut self,
        rule: &Rule,
        level: Option<Level>,
        effective: AlertState,
        now: f64,
        retention: f64,
    ) -> (AlertState, Severity, String) {
        let Some(level) = level else {
            return self.on_clear(rule, effective, now, retention);
        };
        self.last_true = Some(now);
        self.threshold = rule.level_threshold(level);
        let pending_since = *self.pending_since.get_or_insert(now);
        match level {
            Level::Main => {
                self.main_since.get_or_insert(now);
            }
            Level::Warn => self.main_since = None,
        }
        let why = describe_hit(rule, level, self.value);
        // Once firing, a true condition keeps it firing even if the timers
        // restarted (after keep_firing_for bridged a short clear).
        if effective != AlertState::Firing && now - pending_since < rule.for_secs {
            let wait = fmt_secs(rule.for_secs);
            return (
                AlertState::Pending,
                rule.level_severity(level),
                format!("{why}; firing after {wait}"),
            );
        }
        let severity = self.firing_severity(rule, level, effective, now);
        let reason = match (effective, severity.cmp(&self.severity)) {
            (AlertState::Firing, Ordering::Greater) => format!("{why}: escalated to {severity}"),
            (AlertState::Firing, Ordering::Less) => format!("{why}: de-escalated to {severity}"),
            (AlertState::Firing, Ordering::Equal) => why,
            _ if rule.for_secs > 0.0 => format!("{why} for {}", fmt_secs(rule.for_secs)),
            _ => why,
        };
        (AlertState::Firing, severity, reason)
    }

    fn on_clear(
        &mut self,
        rule: &Rule,
        effective: AlertState,
        now: f64,
        retention: f64,
    ) -> (AlertState, Severity, String) {
        self.pending_since = None;
        self.main_since = None;
        let why = describe_clear(rule, self.value);
        match effective {
            AlertState::Firing if self.kept_firing(rule, now) => {
                (AlertState::Firing, self.severity, String::new())
            }
            AlertState::Firing if rule.keep_firing_secs > 0.0 => {
                let keep = fmt_secs(rule.keep_firing_secs);
                (
                    AlertState::Resolved,
                    self.severity,
                    format!("{why} for keep_firing_for ({keep})"),
                )
            }
            AlertState::Firing => (AlertState::Resolved, self.severity, why),
            AlertState::Resolved => self.resolved_or_expired(now, retention),
            AlertState::Pending => {
                self.reset_timers();
                let wait = fmt_secs(rule.for_secs);
                (
                    AlertState::Inactive,
                    rule.severity,
                    format!("{why} before {wait} elapsed"),
                )
            }
            AlertState::NoData => {
                self.reset_timers();
                (
                    AlertState::Inactive,
                    rule.severity,
                    format!("data is back: {why}"),
                )
            }
            AlertState::Inactive | AlertState::Error => {
                self.reset_timers();
                (AlertState::Inactive, rule.severity, why)
            }
        }
    }

    /// keep_firing_for holds a firing alert through a clear or a gap in data.
    fn kept_firing(&self, rule: &Rule, now: f64) -> bool {
        self.last_true
            .is_some_and(|t| now - t < rule.keep_firing_secs)
    }

    fn firing_severity(
        &self,
        rule: &Rule,
        level: Level,
        effective: AlertState,
        now: f64,
    ) -> Severity {
        if level == Level::Warn || !rule.has_warn_level() {
            return rule.level_severity(level);
        }
        // With two levels, each must hold for `for` on its own, as if they
        // were two Prometheus rules: a value crossing warn and, 2 minutes
        // later, the main threshold fires as a warning first and escalates
        // once the main level has held for `for` too.
        let already = effective == AlertState::Firing && self.severity == rule.severity;
        let held = self.main_since.is_some_and(|t| now - t >= rule.for_secs);
        if already || held {
            rule.severity
        } else {
            Severity::Warning
        }
    }

    fn resolved_or_expired(&self, now: f64, retention: f64) -> (AlertState, Severity, String) {
        if now - self.since >= retention {
            let ago = fmt_secs(retention);
            (
                AlertState::Inactive,
                self.severity,
                format!("resolved {ago} ago; no longer shown"),
            )
        } else {
            (AlertState::Resolved, self.severity, String::new())
        }
    }

    fn reset_timers(&mut self) {
        self.pending_since = None;
        self.main_since = None;
        self.last_true = None;
    }
}

fn describe_hit(rule: &Rule, level: Level, value: Option<f64>) -> String {
    let (Some(c), Some(v)) = (rule.condition, value) else {
        return "the query returns this series".to_string();
    };
    match level {
        Level::Main => format!("value {} {} {}", fmt_num(v), c.op, fmt_num(c.threshold)),
        Level::Warn => {
            let warn = c.warn_threshold.unwrap_or(c.threshold);
            format!(
                "value {} {} {} (warn_threshold)",
                fmt_num(v),
                c.op,
                fmt_num(warn)
            )
        }
    }
}

fn describe_clear(rule: &Rule, value: Option<f64>) -> String {
    match (rule.condition, value) {
        (Some(_), Some(v)) if v.is_nan() => "condition cleared: value is NaN".to_string(),
        (Some(c), Some(v)) => {
            let bound = c.warn_threshold.unwrap_or(c.threshold);
            format!(
                "condition cleared: value {} {} {}",
                fmt_num(v),
                c.op.negated(),
                fmt_num(bound)
            )
        }
        _ => "condition cleared: the query no longer returns this series".to_string(),
    }
}

/// Numbers for people: enough digits to compare with a threshold, no more.
pub(crate) fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let a = v.abs();
    let decimals = if a == 0.0 {
        0
    } else if a >= 100.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        (2 - a.log10().floor() as i32).clamp(0, 9) as usize
    };
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

pub(crate) fn fmt_secs(secs: f64) -> String {
    let d = std::time::Duration::from_secs_f64(secs.max(0.0));
    crate::base::duration::HumanDuration(d).to_string()
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
