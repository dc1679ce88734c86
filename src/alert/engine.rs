//! The alert engine: rules applied to series, one instance per (rule, series).
//!
//! Pure: the caller passes the time and a view of the metric store, and
//! feeds PromQL results in; the engine returns transitions to record.

use super::flap::{Emitted, FlapTracker};
use super::series::{labels_key, series_labels};
use super::state::{AlertState, Change, Instance, Observation};
use super::validate::{Rule, RuleSource};
use super::view::{display_order, AlertView, Transition};
use crate::model::Severity;
use std::collections::{BTreeMap, BTreeSet};

/// Read access to the latest values of opsdeck's own series.
pub trait SeriesLookup {
    /// Every series matching `pattern` (an exact name or a `*` pattern, see
    /// `alert::glob_match`) with its latest value; None when it has no
    /// recent sample.
    fn matching(&self, pattern: &str) -> Vec<(String, Option<f64>)>;

    /// What is known of a series' subject beyond its name (a pod's workload
    /// and node, a workload's namespace), added to the labels of an alert on it.
    fn subject_labels(&self, _series: &str) -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    /// Whether the subject of `series`, no longer reported, is known to be
    /// gone (a deleted pod) rather than unread: its alert resolves instead
    /// of waiting in no-data.
    fn gone(&self, _series: &str) -> bool {
        false
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineOptions {
    /// How long a resolved alert stays visible.
    pub resolved_retention_secs: f64,
    pub flap_window_secs: f64,
    /// More state changes than this within the window is flapping.
    pub flap_max_changes: usize,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            resolved_retention_secs: 15.0 * 60.0,
            flap_window_secs: 10.0 * 60.0,
            flap_max_changes: 6,
        }
    }
}

/// One series of a PromQL result: its labels and value.
pub type PromSample = (BTreeMap<String, String>, f64);

/// What the Prometheus source hands over for one rule: the result series,
/// or the error message of a failed query.
pub type PromResult = Result<Vec<PromSample>, String>;

/// The key of a PromQL rule's own instance, used when its query fails or
/// returns nothing, so that state is visible even with no series to hang it on.
const RULE_LEVEL: &str = "";

#[derive(Debug, Clone)]
struct Tracked {
    inst: Instance,
    flap: FlapTracker,
    /// The rule's annotations expanded over this instance's labels and value
    /// (as of its last active evaluation), with notes on what could not be.
    expanded: Option<(BTreeMap<String, String>, Vec<String>)>,
}

#[derive(Debug, Clone)]
pub struct AlertEngine {
    rules: Vec<Rule>,
    /// What is known of each target beyond its series' names (the workload
    /// a probe serves, its URL, the service it belongs to), added to the
    /// labels of every alert about it.
    target_labels: BTreeMap<String, BTreeMap<String, String>>,
    /// Keyed by rule index, then series; BTreeMap keeps output deterministic.
    instances: BTreeMap<(usize, String), Tracked>,
    options: EngineOptions,
}

impl AlertEngine {
    /// Disabled rules are dropped here, so nothing downstream has to check.
    pub fn new(rules: Vec<Rule>) -> Self {
        Self::with_options(rules, EngineOptions::default())
    }

    pub fn with_options(rules: Vec<Rule>, options: EngineOptions) -> Self {
        let rules = rules.into_iter().filter(|r| r.enabled).collect();
        AlertEngine {
            rules,
            target_labels: BTreeMap::new(),
            instances: BTreeMap::new(),
            options,
        }
    }

    /// Labels every later alert about `target` carries; a series' own
    /// labels and the rule's win over them.
    pub fn set_target_labels(&mut self, target: &str, labels: BTreeMap<String, String>) {
        if labels.is_empty() {
            self.target_labels.remove(target);
        } else {
            self.target_labels.insert(target.to_string(), labels);
        }
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The PromQL rules to run, as (rule name, Prometheus name, query).
    pub fn promql_rules(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.rules.iter().filter_map(|r| match &r.source {
            RuleSource::Promql { prometheus, query } => {
                Some((r.name.as_str(), prometheus.as_str(), query.as_str()))
            }
            RuleSource::Metric(_) => None,
        })
    }

    /// Evaluates every metric rule against `lookup`, and lets time pass for
    /// PromQL rules (resolved alerts expiring, flapping settling).
    pub fn evaluate(&mut self, now: f64, lookup: &dyn SeriesLookup) -> Vec<Transition> {
        let mut out = Vec::new();
        for ri in 0..self.rules.len() {
            match &self.rules[ri].source {
                RuleSource::Metric(patterns) => {
                    let seen = collect_series(patterns, lookup);
                    self.observe_metric(ri, &seen, lookup, now, &mut out);
                }
                RuleSource::Promql { .. } => {
                    for key in self.keys_of(ri) {
                        self.apply(&key, now, &mut out, |inst, _, now, retention| {
                            inst.expire(now, retention)
                        });
                    }
                }
            }
        }
        self.forget_idle();
        out
    }

    /// Feeds one PromQL rule's query result. Unknown names are ignored: a
    /// query may still be in flight for a rule that a config reload removed.
    pub fn ingest_promql(
        &mut self,
        rule_name: &str,
        now: f64,
        result: PromResult,
    ) -> Vec<Transition> {
        let mut out = Vec::new();
        let Some(ri) = self
            .rules
            .iter()
            .position(|r| r.name == rule_name && matches!(r.source, RuleSource::Promql { .. }))
        else {
            return out;
        };
        match result {
            Err(message) => {
                if self.keys_of(ri).is_empty() {
                    self.insert(ri, RULE_LEVEL.to_string(), BTreeMap::new(), now);
                }
                for key in self.keys_of(ri) {
                    self.observe(&key, Observation::Failed(&message), now, &mut out);
                }
            }
            Ok(samples) => self.observe_promql(ri, samples, now, &mut out),
        }
        self.forget_idle();
        out
    }

    /// Current alerts for display: every instance not inactive, worst and
    /// oldest first.
    pub fn alerts(&self) -> Vec<AlertView> {
        let mut list: Vec<AlertView> = self
            .instances
            .iter()
            .filter(|(_, t)| t.inst.state != AlertState::Inactive)
            .map(|((ri, _), t)| self.view(&self.rules[*ri], t))
            .collect();
        list.sort_by(display_order);
        list
    }

    /// The worst severity among firing alerts; drives `opsdeck status`'s exit code.
    pub fn worst_firing(&self) -> Option<Severity> {
        self.instances
            .values()
            .filter(|t| t.inst.state == AlertState::Firing)
            .map(|t| t.inst.severity)
            .max()
    }

    fn observe_metric(
        &mut self,
        ri: usize,
        seen: &BTreeMap<String, Option<f64>>,
        lookup: &dyn SeriesLookup,
        now: f64,
        out: &mut Vec<Transition>,
    ) {
        for (series, value) in seen {
            let key = (ri, series.clone());
            if !self.instances.contains_key(&key) {
                let mut labels = series_labels(series);
                for (k, v) in lookup.subject_labels(series) {
                    labels.entry(k).or_insert(v);
                }
                let known = labels.get("target").and_then(|t| self.target_labels.get(t));
                for (k, v) in known.into_iter().flatten() {
                    labels.entry(k.clone()).or_insert_with(|| v.clone());
                }
                self.insert(ri, series.clone(), labels, now);
            }
            let obs = match value {
                Some(v) => Observation::Value(*v),
                None => Observation::Missing { vanished: false },
            };
            self.observe(&key, obs, now, out);
        }
        for key in self.keys_of(ri) {
            if seen.contains_key(&key.1) {
                continue;
            }
            if lookup.gone(&key.1) {
                self.observe(&key, Observation::Cleared, now, out);
            } else {
                self.vanished(&key, now, out);
            }
        }
    }

    fn observe_promql(
        &mut self,
        ri: usize,
        samples: Vec<PromSample>,
        now: f64,
        out: &mut Vec<Transition>,
    ) {
        let has_condition = self.rules[ri].condition.is_some();
        let no_series = samples.is_empty();
        let mut seen = BTreeSet::new();
        for (labels, value) in samples {
            let key = (ri, labels_key(&labels));
            if !self.instances.contains_key(&key) {
                self.insert(ri, key.1.clone(), labels, now);
            }
            self.observe(&key, Observation::Value(value), now, out);
            seen.insert(key);
        }
        // An empty result means "nothing in alert" for a Prometheus-style
        // rule, but "no data" for a rule with its own threshold.
        if no_series && has_condition && self.keys_of(ri).is_empty() {
            self.insert(ri, RULE_LEVEL.to_string(), BTreeMap::new(), now);
        }
        for key in self.keys_of(ri) {
            if seen.contains(&key) {
                continue;
            }
            if key.1 == RULE_LEVEL {
                let obs = if no_series && has_condition {
                    Observation::Missing { vanished: false }
                } else {
                    Observation::Cleared
                };
                self.observe(&key, obs, now, out);
            } else if has_condition {
                self.vanished(&key, now, out);
            } else {
                self.observe(&key, Observation::Cleared, now, out);
            }
        }
        // The rule-level instance only stands in while there is no series;
        // once cleared it goes, flap history or not, so a later error lands
        // on the real series instead.
        let rule_level = (ri, RULE_LEVEL.to_string());
        if self
            .instances
            .get(&rule_level)
            .is_some_and(|t| t.inst.state == AlertState::Inactive)
        {
            self.instances.remove(&rule_level);
        }
    }

    /// A series that is gone: an inactive instance is simply forgotten; any
    /// other goes to no-data, and is forgotten after the retention time.
    fn vanished(&mut self, key: &(usize, String), now: f64, out: &mut Vec<Transition>) {
        let Some(t) = self.instances.get(key) else {
            return;
        };
        let retention = self.options.resolved_retention_secs;
        match t.inst.state {
            AlertState::Inactive => {
                self.instances.remove(key);
            }
            AlertState::NoData if now - t.inst.since >= retention => {
                self.apply(key, now, out, |inst, _, _, _| {
                    inst.state = AlertState::Inactive;
                    let gone = super::state::fmt_secs(retention);
                    Some(Change {
                        from: AlertState::NoData,
                        to: AlertState::Inactive,
                        reason: format!("series {} gone for {gone}; forgotten", inst.series),
                    })
                });
                self.instances.remove(key);
            }
            _ => self.observe(key, Observation::Missing { vanished: true }, now, out),
        }
    }

    fn observe(
        &mut self,
        key: &(usize, String),
        obs: Observation<'_>,
        now: f64,
        out: &mut Vec<Transition>,
    ) {
        self.apply(key, now, out, |inst, rule, now, retention| {
            inst.step(rule, obs, now, retention)
        });
    }

    /// Runs one state-machine step on an instance and passes its change
    /// through flap damping into `out`.
    fn apply<F>(&mut self, key: &(usize, String), now: f64, out: &mut Vec<Transition>, step: F)
    where
        F: FnOnce(&mut Instance, &Rule, f64, f64) -> Option<Change>,
    {
        let opts = self.options;
        let rule = &self.rules[key.0];
        let Some(t) = self.instances.get_mut(key) else {
            return;
        };
        let change = step(&mut t.inst, rule, now, opts.resolved_retention_secs);
        // Expanded while active, as Prometheus does, so a resolved alert
        // keeps the text it had when it last fired.
        let templated = rule.annotations.values().any(|v| v.contains("{{"));
        if templated && (t.expanded.is_none() || t.inst.state.is_active()) {
            let value = t.inst.value.unwrap_or(f64::NAN);
            t.expanded = Some(super::template::expand_all(
                &rule.annotations,
                &t.inst.labels,
                value,
            ));
        }
        let emitted = t.flap.filter(
            change,
            t.inst.state,
            now,
            opts.flap_window_secs,
            opts.flap_max_changes,
        );
        if let Some(e) = emitted {
            out.push(transition(rule, &t.inst, e, now));
        }
    }

    fn insert(
        &mut self,
        ri: usize,
        series: String,
        mut labels: BTreeMap<String, String>,
        now: f64,
    ) {
        let rule = &self.rules[ri];
        // The rule's labels win, as in Prometheus.
        labels.extend(rule.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
        let inst = Instance::new(rule, series.clone(), labels, now);
        self.instances.insert(
            (ri, series),
            Tracked {
                inst,
                flap: FlapTracker::default(),
                expanded: None,
            },
        );
    }

    fn keys_of(&self, ri: usize) -> Vec<(usize, String)> {
        self.instances
            .range((ri, String::new())..(ri + 1, String::new()))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Inactive instances with no flap history carry nothing worth keeping;
    /// dropping them bounds memory by what is (or was recently) alerting.
    fn forget_idle(&mut self) {
        self.instances
            .retain(|_, t| t.inst.state != AlertState::Inactive || !t.flap.is_idle());
    }

    fn view(&self, rule: &Rule, t: &Tracked) -> AlertView {
        let i = &t.inst;
        let (annotations, notes) = t
            .expanded
            .clone()
            .unwrap_or_else(|| (rule.annotations.clone(), Vec::new()));
        AlertView {
            rule: rule.name.clone(),
            series: i.series.clone(),
            labels: i.labels.clone(),
            annotations,
            notes,
            state: i.state,
            severity: i.severity,
            value: i.value,
            threshold: i.threshold,
            since: i.since,
            active_since: i.active_since,
            runbook: rule.runbook.clone(),
            message: i.message.clone(),
            flapping: t.flap.is_flapping(),
        }
    }
}

/// Series matched by any of a rule's patterns. An exact name the store does
/// not know is still listed (without a value): a rule on one named series
/// that has never reported is "no data", not silently nothing.
fn collect_series(patterns: &[String], lookup: &dyn SeriesLookup) -> BTreeMap<String, Option<f64>> {
    let mut seen: BTreeMap<String, Option<f64>> = BTreeMap::new();
    for pattern in patterns {
        for (name, value) in lookup.matching(pattern) {
            let slot = seen.entry(name).or_insert(None);
            if slot.is_none() {
                *slot = value;
            }
        }
        if !crate::metrics::glob::is_pattern(pattern) {
            seen.entry(pattern.clone()).or_insert(None);
        }
    }
    seen
}

fn transition(rule: &Rule, inst: &Instance, emitted: Emitted, now: f64) -> Transition {
    Transition {
        rule: rule.name.clone(),
        series: inst.series.clone(),
        labels: inst.labels.clone(),
        from: emitted.change.from,
        to: emitted.change.to,
        severity: inst.severity,
        value: inst.value,
        threshold: inst.threshold,
        at: now,
        reason: emitted.change.reason,
        flapping: emitted.flapping,
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
