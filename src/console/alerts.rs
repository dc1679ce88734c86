//! The console's alert state: opsdeck's own `AlertEngine` and the alerts each
//! Prometheus reports, listed together with where each comes from.

use crate::alert::{
    display_order, AlertEngine, AlertView, ExternalAlert, PromResult, Rule, SeriesLookup,
    Transition,
};
use crate::alertmanager::Silence;
use crate::console::{Acks, ClusterSeries, SilenceRow};
use crate::metrics::MetricStore;
use crate::model::Ack;
use crate::model::Severity;
use crate::prometheus::PromRuleRow;
use std::collections::VecDeque;

/// The source name of alerts from opsdeck's own rules.
pub const OWN_SOURCE: &str = "opsdeck";
/// State changes kept for display, newest last.
pub const TRANSITIONS_KEPT: usize = 500;
/// A series not updated for this long counts as having no data.
const STALE_AFTER_SECS: i64 = 60;

#[derive(Debug, Clone)]
pub struct Alerts {
    pub engine: AlertEngine,
    /// Alerts reported by each Prometheus or Alertmanager, by its configured name.
    pub external: Vec<(String, Vec<ExternalAlert>)>,
    /// Ids of the local runbooks, to map `runbook_url`s onto.
    pub runbook_ids: Vec<String>,
    pub transitions: VecDeque<Transition>,
    /// Each Alertmanager's silences, by its configured name.
    pub silences: Vec<(String, Vec<Silence>)>,
    /// Each Prometheus's own alerting rules, by its configured name.
    pub prom_rules: Vec<(String, Vec<PromRuleRow>)>,
    /// Local acknowledgements, reloaded from the data dir on start.
    pub acks: Acks,
    /// The sources that are Alertmanagers: a merged alert names one of them
    /// first, where a silence for it goes.
    pub alertmanagers: std::collections::BTreeSet<String>,
}

/// One line of the alerts list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AlertRow {
    /// Where it comes from; an Alertmanager when one holds a copy.
    pub source: String,
    /// Every source reporting this same alert (a Prometheus, its
    /// Alertmanager, opsdeck's own rule): one alert, one row.
    pub sources: Vec<String>,
    #[serde(flatten)]
    pub alert: AlertView,
    /// The rule's comparison, to show the value against the threshold.
    pub op: Option<crate::alert::Op>,
    /// The local runbook to open, when the rule names one or its URL maps to one.
    pub runbook_id: Option<String>,
    /// Silences (or inhibiting alerts) muting it; a muted alert pages no one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub muted_by: Vec<String>,
    /// Acknowledged here while in its current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ack: Option<Ack>,
}

impl AlertRow {
    pub fn muted(&self) -> bool {
        !self.muted_by.is_empty()
    }

    pub fn acked(&self) -> bool {
        self.ack.is_some()
    }
}

impl Default for Alerts {
    fn default() -> Self {
        Alerts::new(Vec::new(), Vec::new())
    }
}

impl Alerts {
    /// The config's rules (built-ins merged with `[[alert]]`) and the ids of
    /// the runbooks in the catalogue. A config that loaded has valid rules.
    pub fn from_config(config: &crate::config::Config, runbook_ids: Vec<String>) -> Self {
        let rules = crate::alert::rules_of(config).unwrap_or_default();
        let mut alerts = Alerts::new(rules, runbook_ids);
        for (target, labels) in crate::alert::target_labels(config) {
            alerts.engine.set_target_labels(&target, labels);
        }
        alerts
    }

    pub fn new(rules: Vec<Rule>, runbook_ids: Vec<String>) -> Self {
        Alerts {
            engine: AlertEngine::new(rules),
            external: Vec::new(),
            runbook_ids,
            transitions: VecDeque::new(),
            silences: Vec::new(),
            prom_rules: Vec::new(),
            acks: Acks::default(),
            alertmanagers: Default::default(),
        }
    }

    /// Evaluates the metric rules over the store's latest values and the
    /// clusters' pod states.
    pub fn evaluate(&mut self, now: i64, store: &MetricStore, cluster: &ClusterSeries) {
        let lookup = StoreLookup {
            store,
            cluster,
            now,
        };
        let changes = self.engine.evaluate(now as f64, &lookup);
        self.record(changes);
    }

    pub fn ingest_promql(&mut self, at: i64, results: Vec<(String, PromResult)>) {
        for (rule, result) in results {
            let changes = self.engine.ingest_promql(&rule, at as f64, result);
            self.record(changes);
        }
    }

    /// Every PromQL rule on `prometheus` failed: the server did not answer.
    pub fn prometheus_failed(&mut self, prometheus: &str, at: i64, reason: &str) {
        let results: Vec<(String, PromResult)> = self
            .engine
            .promql_rules()
            .filter(|(_, p, _)| *p == prometheus)
            .map(|(rule, _, _)| (rule.to_string(), Err(format!("{prometheus}: {reason}"))))
            .collect();
        self.ingest_promql(at, results);
    }

    pub fn set_external(&mut self, source: String, alerts: Vec<ExternalAlert>) {
        match self.external.iter_mut().find(|(s, _)| *s == source) {
            Some(slot) => slot.1 = alerts,
            None => self.external.push((source, alerts)),
        }
    }

    pub fn set_silences(&mut self, source: String, silences: Vec<Silence>) {
        match self.silences.iter_mut().find(|(s, _)| *s == source) {
            Some(slot) => slot.1 = silences,
            None => self.silences.push((source, silences)),
        }
    }

    pub fn set_prom_rules(&mut self, source: String, rules: Vec<PromRuleRow>) {
        match self.prom_rules.iter_mut().find(|(s, _)| *s == source) {
            Some(slot) => slot.1 = rules,
            None => self.prom_rules.push((source, rules)),
        }
    }

    /// Every silence, each with how many of its Alertmanager's alerts it mutes.
    pub fn silence_rows(&self) -> Vec<SilenceRow> {
        self.silences
            .iter()
            .flat_map(|(source, list)| {
                list.iter().map(move |s| {
                    let tag = format!("silence {}", s.id);
                    let muting = self
                        .external
                        .iter()
                        .filter(|(src, _)| src == source)
                        .flat_map(|(_, alerts)| alerts)
                        .filter(|a| a.muted_by.contains(&tag))
                        .count();
                    SilenceRow {
                        source: source.clone(),
                        silence: s.clone(),
                        muting,
                    }
                })
            })
            .collect()
    }

    /// Every Prometheus's alerting rules, firing first, with runbooks mapped.
    pub fn prom_rule_rows(&self) -> Vec<PromRuleRow> {
        let rank = |state: &str| match state {
            "firing" => 0,
            "pending" => 1,
            _ => 2,
        };
        let mut rows: Vec<PromRuleRow> = self
            .prom_rules
            .iter()
            .flat_map(|(_, list)| list.iter().cloned())
            .map(|mut r| {
                r.runbook_id = r
                    .runbook
                    .as_ref()
                    .and_then(|rb| rb.local_id(&self.runbook_ids));
                r
            })
            .collect();
        rows.sort_by(|a, b| {
            rank(&a.state)
                .cmp(&rank(&b.state))
                .then(b.severity.cmp(&a.severity))
                .then_with(|| (a.health == "ok").cmp(&(b.health == "ok")))
                .then_with(|| a.source.cmp(&b.source))
                .then_with(|| a.name.cmp(&b.name))
        });
        rows
    }

    /// Records a local acknowledgement of `row` in memory; writing it to
    /// the log is the executors' part.
    pub fn acknowledge(&mut self, row: &AlertRow, who: &str, now: i64, note: &str) -> Ack {
        let ack = Ack::of(row, who, now, note);
        self.acks.record(ack.clone());
        ack
    }

    fn record(&mut self, changes: Vec<Transition>) {
        for t in changes {
            if self.transitions.len() == TRANSITIONS_KEPT {
                self.transitions.pop_front();
            }
            self.transitions.push_back(t);
        }
    }

    /// Every alert to show, worst and oldest first; muted ones last.
    pub fn rows(&self) -> Vec<AlertRow> {
        let own = self
            .engine
            .alerts()
            .into_iter()
            .map(|a| (OWN_SOURCE.to_string(), ExternalAlert::new(a)));
        let external = self
            .external
            .iter()
            .flat_map(|(s, list)| list.iter().map(move |a| (s.clone(), a.clone())));
        let rows: Vec<AlertRow> = own
            .chain(external)
            .map(|(source, ExternalAlert { alert, muted_by })| AlertRow {
                op: (source == OWN_SOURCE)
                    .then(|| self.engine.rules().iter().find(|r| r.name == alert.rule))
                    .flatten()
                    .and_then(|r| r.condition)
                    .map(|c| c.op),
                runbook_id: alert
                    .runbook
                    .as_ref()
                    .and_then(|r| r.local_id(&self.runbook_ids)),
                sources: vec![source.clone()],
                source,
                alert,
                muted_by,
                ack: None,
            })
            .collect();
        let mut rows = merge_copies(rows, &self.alertmanagers);
        for r in &mut rows {
            r.ack = self.acks.current(r).cloned();
        }
        // What a silence mutes goes below everything that can still page,
        // and what someone acknowledged below what no one has looked at.
        rows.sort_by(|a, b| {
            a.muted()
                .cmp(&b.muted())
                .then_with(|| a.acked().cmp(&b.acked()))
                .then_with(|| display_order(&a.alert, &b.alert))
                .then_with(|| a.source.cmp(&b.source))
        });
        rows
    }

    /// The worst severity among firing alerts, opsdeck's own and others',
    /// each counted once, leaving out what an Alertmanager silence mutes
    /// (a silence on one copy mutes them all).
    pub fn worst_firing(&self) -> Option<Severity> {
        self.rows()
            .iter()
            .filter(|r| r.alert.state == crate::alert::AlertState::Firing && !r.muted())
            .map(|r| r.alert.severity)
            .max()
    }
}

/// Labels that name a copy rather than the alert: opsdeck's series names.
const COPY_LABELS: &[&str] = &["alertname", "series", "metric"];

/// Whether `a` and `b` are one alert seen through two sources: the same rule,
/// and one's labels all present with the same values in the other (an
/// Alertmanager's copy carries the Prometheus's external labels besides).
fn same_alert(a: &AlertRow, b: &AlertRow) -> bool {
    if a.alert.rule != b.alert.rule {
        return false;
    }
    let own = |r: &AlertRow| -> Vec<(String, String)> {
        r.alert
            .labels
            .iter()
            .filter(|(k, _)| !COPY_LABELS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let (la, lb) = (own(a), own(b));
    let within = |x: &[(String, String)], y: &[(String, String)]| x.iter().all(|p| y.contains(p));
    within(&la, &lb) || within(&lb, &la)
}

/// One row per alert: copies from several sources folded together, the most
/// advanced state kept, every silence muting the row, an Alertmanager first.
fn merge_copies(
    rows: Vec<AlertRow>,
    alertmanagers: &std::collections::BTreeSet<String>,
) -> Vec<AlertRow> {
    let mut out: Vec<AlertRow> = Vec::new();
    for r in rows {
        match out.iter_mut().find(|o| same_alert(o, &r)) {
            Some(o) => {
                o.sources.extend(r.sources.iter().cloned());
                for m in r.muted_by {
                    if !o.muted_by.contains(&m) {
                        o.muted_by.push(m);
                    }
                }
                if crate::alert::state_rank(r.alert.state) < crate::alert::state_rank(o.alert.state)
                {
                    o.alert.state = r.alert.state;
                    o.alert.since = r.alert.since;
                }
                o.alert.severity = o.alert.severity.max(r.alert.severity);
                o.alert.value = o.alert.value.or(r.alert.value);
                o.alert.threshold = o.alert.threshold.or(r.alert.threshold);
                o.op = o.op.or(r.op);
                o.runbook_id = o.runbook_id.take().or(r.runbook_id);
                if alertmanagers.contains(&r.source) && !alertmanagers.contains(&o.source) {
                    o.source = r.source;
                }
            }
            None => out.push(r),
        }
    }
    out
}

/// The store as the engine reads it: a series' latest value, unless stale.
struct StoreLookup<'a> {
    store: &'a MetricStore,
    cluster: &'a ClusterSeries,
    now: i64,
}

impl SeriesLookup for StoreLookup<'_> {
    fn matching(&self, pattern: &str) -> Vec<(String, Option<f64>)> {
        let mut out: Vec<(String, Option<f64>)> = self
            .store
            .matching(pattern)
            .into_iter()
            .map(|(name, last)| {
                let fresh = last.filter(|(t, _)| self.now - t <= STALE_AFTER_SECS);
                (name.to_string(), fresh.map(|(_, v)| v))
            })
            .collect();
        out.extend(self.cluster.matching(pattern, self.now, STALE_AFTER_SECS));
        out
    }

    fn subject_labels(&self, series: &str) -> std::collections::BTreeMap<String, String> {
        self.cluster.subject_labels(series)
    }

    fn gone(&self, series: &str) -> bool {
        self.cluster.gone(series, self.now, STALE_AFTER_SECS)
    }
}

impl AlertRow {
    /// `0 < 1`: the value against the threshold it crossed; a failed query's error.
    pub fn value_text(&self) -> String {
        let (r, a) = (self, &self.alert);
        if let (crate::alert::AlertState::Error, Some(m)) = (a.state, &a.message) {
            return m.clone();
        }
        let Some(v) = a.value else {
            return "-".into();
        };
        match (a.threshold, r.op) {
            (Some(t), Some(op)) => format!("{} {op} {}", number(v), number(t)),
            (Some(t), None) => format!("{} / {}", number(v), number(t)),
            (None, _) => number(v),
        }
    }
}

/// Up to three decimals, trailing zeros dropped: `0.053`, `1`, `87.5`.
pub fn number(v: f64) -> String {
    if v.abs() >= 1000.0 {
        return format!("{v:.0}");
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(number(0.0534), "0.053");
        assert_eq!(number(1.0), "1");
        assert_eq!(number(87.5), "87.5");
        assert_eq!(number(123456.7), "123457");
    }

    use crate::alert::{AlertState, MetricPatterns, Op, RuleSpec};

    fn probe_rule() -> Rule {
        let mut r = RuleSpec::named("SiteDown");
        r.metric = Some(MetricPatterns::one("probe:*:up"));
        r.op = Some(Op::Lt);
        r.threshold = Some(1.0);
        r.severity = Severity::Critical;
        r.runbook_url = Some("https://wiki.example/runbooks/site-down.md".into());
        r.validate().unwrap()
    }

    #[test]
    fn fires_and_resolves_over_the_store_and_maps_the_runbook() {
        let mut a = Alerts::new(vec![probe_rule()], vec!["site-down".into()]);
        let mut store = MetricStore::new();
        store.record("probe:site:up", 100, 0.0);
        a.evaluate(100, &store, &ClusterSeries::default());
        let rows = a.rows();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].alert.state, AlertState::Firing);
        assert_eq!(rows[0].source, OWN_SOURCE);
        assert_eq!(rows[0].runbook_id.as_deref(), Some("site-down"));
        assert_eq!(a.worst_firing(), Some(Severity::Critical));
        store.record("probe:site:up", 105, 1.0);
        a.evaluate(105, &store, &ClusterSeries::default());
        assert_eq!(a.rows()[0].alert.state, AlertState::Resolved);
        assert_eq!(a.worst_firing(), None);
        let states: Vec<AlertState> = a.transitions.iter().map(|t| t.to).collect();
        assert!(states.ends_with(&[AlertState::Resolved]), "{states:?}");
    }

    #[test]
    fn an_unreachable_prometheus_puts_its_rules_in_error() {
        let mut spec = RuleSpec::named("ApiUp");
        spec.promql = Some("up == 0".into());
        spec.prometheus = Some("main".into());
        let mut a = Alerts::new(vec![spec.validate().unwrap()], Vec::new());
        a.ingest_promql(
            100,
            vec![("ApiUp".into(), Ok(vec![(Default::default(), 0.0)]))],
        );
        assert_eq!(a.rows()[0].alert.state, AlertState::Firing);
        a.prometheus_failed("other", 101, "refused");
        assert_eq!(a.rows()[0].alert.state, AlertState::Firing);
        a.prometheus_failed("main", 102, "connection refused");
        let row = &a.rows()[0];
        assert_eq!(row.alert.state, AlertState::Error);
        assert!(
            row.alert
                .message
                .as_deref()
                .unwrap_or("")
                .contains("main: connection refused"),
            "{row:?}"
        );
    }

    #[test]
    fn a_stale_series_is_no_data() {
        let mut a = Alerts::new(vec![probe_rule()], Vec::new());
        let mut store = MetricStore::new();
        store.record("probe:site:up", 100, 0.0);
        a.evaluate(100, &store, &ClusterSeries::default());
        a.evaluate(
            100 + STALE_AFTER_SECS + 1,
            &store,
            &ClusterSeries::default(),
        );
        assert_eq!(a.rows()[0].alert.state, AlertState::NoData);
    }

    #[test]
    fn external_alerts_are_listed_with_their_source_and_count_when_firing() {
        let mut a = Alerts::new(Vec::new(), vec!["site-down".into()]);
        let view = AlertView {
            rule: "DemoErrors".into(),
            series: String::new(),
            labels: Default::default(),
            annotations: Default::default(),
            notes: Vec::new(),
            state: AlertState::Firing,
            severity: Severity::Warning,
            value: Some(0.5),
            threshold: None,
            since: 10.0,
            active_since: Some(10.0),
            runbook: Some(crate::alert::RunbookRef::Url("http://w/site-down".into())),
            message: None,
            flapping: false,
        };
        a.set_external("main".into(), vec![ExternalAlert::new(view.clone())]);
        a.set_external("main".into(), vec![ExternalAlert::new(view.clone())]);
        let rows = a.rows();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].source, "main");
        assert_eq!(rows[0].runbook_id.as_deref(), Some("site-down"));
        assert_eq!(a.worst_firing(), Some(Severity::Warning));
        // The same alert through its Alertmanager, silenced there: one row,
        // two sources, muted everywhere.
        let mut silenced = ExternalAlert::new(view.clone());
        silenced.alert.labels.insert("cluster".into(), "eu".into());
        silenced.muted_by = vec!["silence 1".into()];
        a.alertmanagers.insert("am".into());
        a.set_external("am".into(), vec![silenced]);
        let rows = a.rows();
        assert_eq!(rows.len(), 1, "{rows:#?}");
        assert_eq!(rows[0].sources, ["main", "am"]);
        assert_eq!(rows[0].source, "am", "a silence goes to the Alertmanager");
        assert!(rows[0].muted());
        assert_eq!(a.worst_firing(), None, "a silenced alert pages no one");
        // Another instance of the rule is another alert.
        let mut other = ExternalAlert::new(view);
        other.alert.labels.insert("instance".into(), "b:80".into());
        a.set_external("main".into(), vec![other]);
        assert_eq!(a.rows().len(), 2);
    }
}
