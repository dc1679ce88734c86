use super::*;
use crate::alert::runbook_ref::RunbookRef;
use crate::base::duration::HumanDuration;
use crate::config::alert_rule::{MetricPatterns, Op, RuleSpec};
use crate::metrics::glob::glob_match;
use AlertState::*;

/// A metric store stand-in: series name → latest value.
#[derive(Default)]
struct Store(BTreeMap<String, Option<f64>>);

impl Store {
    fn set(&mut self, name: &str, value: Option<f64>) -> &mut Self {
        self.0.insert(name.to_string(), value);
        self
    }
}

impl SeriesLookup for Store {
    fn matching(&self, pattern: &str) -> Vec<(String, Option<f64>)> {
        self.0
            .iter()
            .filter(|(name, _)| glob_match(pattern, name))
            .map(|(n, v)| (n.clone(), *v))
            .collect()
    }
}

fn metric(name: &str, patterns: &[&str], op: Op, threshold: f64, for_secs: u64) -> RuleSpec {
    let mut r = RuleSpec::named(name);
    r.metric = Some(MetricPatterns::many(patterns));
    r.op = Some(op);
    r.threshold = Some(threshold);
    r.for_duration = HumanDuration::from_secs(for_secs);
    r
}

fn promql(name: &str, threshold: Option<f64>) -> RuleSpec {
    let mut r = RuleSpec::named(name);
    r.promql = Some("up == 0".into());
    r.prometheus = Some("main".into());
    if let Some(t) = threshold {
        r.op = Some(Op::Gt);
        r.threshold = Some(t);
    }
    r
}

fn engine(specs: Vec<RuleSpec>) -> AlertEngine {
    engine_with(specs, EngineOptions::default())
}

fn engine_with(specs: Vec<RuleSpec>, options: EngineOptions) -> AlertEngine {
    AlertEngine::with_options(
        specs.iter().map(|s| s.validate().unwrap()).collect(),
        options,
    )
}

fn moves(ts: &[Transition]) -> Vec<(String, AlertState, AlertState)> {
    ts.iter()
        .map(|t| (t.series.clone(), t.from, t.to))
        .collect()
}

fn mv(series: &str, from: AlertState, to: AlertState) -> (String, AlertState, AlertState) {
    (series.to_string(), from, to)
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn one_instance_per_matching_series() {
    let mut spec = metric("DiskFull", &["host:disk:*:used_ratio"], Op::Gt, 0.9, 0);
    spec.labels.insert("team".into(), "ops".into());
    spec.runbook = Some("disk".into());
    let mut e = engine(vec![spec]);
    let mut store = Store::default();
    store
        .set("host:disk:/:used_ratio", Some(0.95))
        .set("host:disk:/var:used_ratio", Some(0.5))
        .set("host:cpu", Some(99.0));
    let ts = e.evaluate(100.0, &store);
    assert_eq!(moves(&ts), [mv("host:disk:/:used_ratio", Inactive, Firing)]);
    let t = &ts[0];
    assert_eq!(
        (t.rule.as_str(), t.value, t.threshold, t.at),
        ("DiskFull", Some(0.95), Some(0.9), 100.0)
    );
    assert_eq!(t.reason, "value 0.95 > 0.9");
    assert_eq!(t.labels["mount"], "/");
    assert_eq!(t.labels["team"], "ops");
    let alerts = e.alerts();
    assert_eq!(alerts.len(), 1, "the healthy /var instance is not shown");
    assert_eq!(alerts[0].runbook, Some(RunbookRef::Id("disk".into())));
    assert_eq!(alerts[0].since, 100.0);
}

#[test]
fn several_patterns_share_one_instance_per_series() {
    let spec = metric(
        "Slow",
        &["*:latency_p95", "probe:*:latency_p95"],
        Op::Gt,
        1.0,
        0,
    );
    let mut e = engine(vec![spec]);
    let mut store = Store::default();
    store.set("probe:site:latency_p95", Some(2.0));
    assert_eq!(
        moves(&e.evaluate(0.0, &store)),
        [mv("probe:site:latency_p95", Inactive, Firing)]
    );
    assert_eq!(e.alerts().len(), 1);
}

#[test]
fn for_keeps_an_alert_pending_across_evaluations() {
    let mut e = engine(vec![metric("Cpu", &["host:cpu"], Op::Gt, 80.0, 300)]);
    let mut store = Store::default();
    store.set("host:cpu", Some(90.0));
    assert_eq!(
        moves(&e.evaluate(0.0, &store)),
        [mv("host:cpu", Inactive, Pending)]
    );
    assert!(e.evaluate(150.0, &store).is_empty());
    assert_eq!(e.alerts()[0].state, Pending);
    assert_eq!(e.worst_firing(), None);
    let ts = e.evaluate(300.0, &store);
    assert_eq!(moves(&ts), [mv("host:cpu", Pending, Firing)]);
    assert_eq!(ts[0].reason, "value 90 > 80 for 5m");
    assert_eq!(e.worst_firing(), Some(Severity::Warning));
    assert_eq!(e.alerts()[0].active_since, Some(0.0));
}

#[test]
fn an_exact_series_that_never_reported_is_no_data() {
    let mut e = engine(vec![metric("Cpu", &["host:cpu"], Op::Gt, 80.0, 0)]);
    let ts = e.evaluate(0.0, &Store::default());
    assert_eq!(moves(&ts), [mv("host:cpu", Inactive, NoData)]);
    assert_eq!(ts[0].reason, "no data for host:cpu");
    assert_eq!(e.alerts()[0].state, NoData);
    let mut store = Store::default();
    store.set("host:cpu", None);
    assert!(
        e.evaluate(10.0, &store).is_empty(),
        "still no data: no new transition"
    );
    store.set("host:cpu", Some(10.0));
    assert_eq!(
        moves(&e.evaluate(20.0, &store)),
        [mv("host:cpu", NoData, Inactive)]
    );
    assert!(e.alerts().is_empty());
}

#[test]
fn a_pattern_matching_nothing_creates_nothing() {
    let mut e = engine(vec![metric("Down", &["probe:*:up"], Op::Eq, 0.0, 0)]);
    assert!(e.evaluate(0.0, &Store::default()).is_empty());
    assert!(e.alerts().is_empty());
}

#[test]
fn a_vanished_series_goes_no_data_then_is_forgotten() {
    let options = EngineOptions {
        resolved_retention_secs: 100.0,
        ..EngineOptions::default()
    };
    let mut e = engine_with(
        vec![metric("Down", &["probe:*:up"], Op::Eq, 0.0, 0)],
        options,
    );
    let mut store = Store::default();
    store
        .set("probe:a:up", Some(0.0))
        .set("probe:b:up", Some(1.0));
    e.evaluate(0.0, &store);
    let empty = Store::default();
    let ts = e.evaluate(10.0, &empty);
    assert_eq!(
        moves(&ts),
        [mv("probe:a:up", Firing, NoData)],
        "the inactive b is dropped quietly"
    );
    assert_eq!(ts[0].reason, "series probe:a:up is no longer reported");
    assert!(e.evaluate(100.0, &empty).is_empty());
    let ts = e.evaluate(110.0, &empty);
    assert_eq!(moves(&ts), [mv("probe:a:up", NoData, Inactive)]);
    assert_eq!(ts[0].reason, "series probe:a:up gone for 1m40s; forgotten");
    assert!(e.alerts().is_empty());
    assert!(e.evaluate(120.0, &empty).is_empty());
}

#[test]
fn resolved_alerts_stay_visible_for_the_retention_time() {
    let options = EngineOptions {
        resolved_retention_secs: 600.0,
        ..EngineOptions::default()
    };
    let mut e = engine_with(vec![metric("Cpu", &["host:cpu"], Op::Gt, 80.0, 0)], options);
    let mut store = Store::default();
    store.set("host:cpu", Some(90.0));
    e.evaluate(0.0, &store);
    store.set("host:cpu", Some(20.0));
    assert_eq!(
        moves(&e.evaluate(60.0, &store)),
        [mv("host:cpu", Firing, Resolved)]
    );
    assert!(e.evaluate(659.0, &store).is_empty());
    let shown = e.alerts();
    assert_eq!(
        (shown[0].state, shown[0].since, shown[0].active_since),
        (Resolved, 60.0, Some(0.0))
    );
    assert_eq!(
        moves(&e.evaluate(660.0, &store)),
        [mv("host:cpu", Resolved, Inactive)]
    );
    assert!(e.alerts().is_empty());
}

#[test]
fn a_flapping_series_does_not_storm() {
    let options = EngineOptions {
        flap_window_secs: 600.0,
        flap_max_changes: 4,
        ..EngineOptions::default()
    };
    let mut e = engine_with(vec![metric("Cpu", &["host:cpu"], Op::Gt, 80.0, 0)], options);
    let mut store = Store::default();
    let mut emitted = Vec::new();
    for i in 0..40 {
        let v = if i % 2 == 0 { 90.0 } else { 10.0 };
        store.set("host:cpu", Some(v));
        emitted.extend(e.evaluate(i as f64 * 10.0, &store));
    }
    assert_eq!(emitted.len(), 5, "{:?}", moves(&emitted));
    assert!(emitted[4].flapping);
    assert!(e.alerts()[0].flapping);
    // Steady from now on: flapping ends with one summary, once the window
    // holds few enough changes.
    store.set("host:cpu", Some(10.0));
    let mut later = Vec::new();
    for i in 40..120 {
        later.extend(e.evaluate(i as f64 * 10.0, &store));
    }
    assert_eq!(later.len(), 1, "{:?}", moves(&later));
    assert!(
        later[0]
            .reason
            .starts_with("flapping stopped (35 changes held back); now resolved"),
        "{}",
        later[0].reason
    );
    assert!(!e.alerts()[0].flapping);
}

#[test]
fn promql_results_drive_instances_by_label_set() {
    let mut spec = promql("TargetDown", None);
    spec.labels.insert("severity_hint".into(), "x".into());
    spec.severity = Severity::Critical;
    let mut e = engine(vec![spec]);
    let down = labels(&[("instance", "a:9100"), ("job", "node")]);
    let ts = e.ingest_promql("TargetDown", 0.0, Ok(vec![(down.clone(), 0.0)]));
    assert_eq!(
        moves(&ts),
        [mv("{instance=\"a:9100\",job=\"node\"}", Inactive, Firing)]
    );
    assert_eq!(ts[0].labels["job"], "node");
    assert_eq!(ts[0].labels["severity_hint"], "x");
    assert_eq!(e.worst_firing(), Some(Severity::Critical));
    let ts = e.ingest_promql("TargetDown", 30.0, Ok(vec![]));
    assert_eq!(
        moves(&ts),
        [mv("{instance=\"a:9100\",job=\"node\"}", Firing, Resolved)]
    );
    assert_eq!(
        e.alerts()[0].state,
        Resolved,
        "an empty result is all clear, not no-data"
    );
}

#[test]
fn a_failing_query_is_an_error_on_every_instance() {
    let mut e = engine(vec![promql("TargetDown", None)]);
    let ts = e.ingest_promql("TargetDown", 0.0, Err("connection refused".into()));
    assert_eq!(
        moves(&ts),
        [mv("", Inactive, Error)],
        "a rule-level instance carries the error"
    );
    let shown = e.alerts();
    assert_eq!(
        (shown[0].state, shown[0].message.as_deref()),
        (Error, Some("connection refused"))
    );

    let a = labels(&[("instance", "a")]);
    let ts = e.ingest_promql("TargetDown", 10.0, Ok(vec![(a.clone(), 0.0)]));
    assert_eq!(
        moves(&ts),
        [
            mv("{instance=\"a\"}", Inactive, Firing),
            mv("", Error, Inactive)
        ]
    );
    let ts = e.ingest_promql("TargetDown", 20.0, Err("timeout".into()));
    assert_eq!(
        moves(&ts),
        [mv("{instance=\"a\"}", Firing, Error)],
        "no rule-level instance while series exist"
    );
    let ts = e.ingest_promql("TargetDown", 30.0, Ok(vec![(a, 0.0)]));
    assert_eq!(moves(&ts), [mv("{instance=\"a\"}", Error, Firing)]);
    assert_eq!(e.alerts().len(), 1, "the rule-level instance was forgotten");
}

#[test]
fn a_threshold_promql_rule_with_no_result_is_no_data() {
    let mut e = engine(vec![promql("Ratio", Some(0.5))]);
    let ts = e.ingest_promql("Ratio", 0.0, Ok(vec![]));
    assert_eq!(moves(&ts), [mv("", Inactive, NoData)]);
    let x = labels(&[("job", "x")]);
    let ts = e.ingest_promql("Ratio", 10.0, Ok(vec![(x.clone(), 0.9)]));
    assert_eq!(
        moves(&ts),
        [
            mv("{job=\"x\"}", Inactive, Firing),
            mv("", NoData, Inactive)
        ]
    );
    assert_eq!(e.alerts()[0].threshold, Some(0.5));
    let ts = e.ingest_promql("Ratio", 20.0, Ok(vec![]));
    assert_eq!(
        moves(&ts),
        [mv("{job=\"x\"}", Firing, NoData)],
        "a series gone from a threshold rule"
    );
}

#[test]
fn evaluate_expires_resolved_promql_alerts() {
    let options = EngineOptions {
        resolved_retention_secs: 60.0,
        ..EngineOptions::default()
    };
    let mut e = engine_with(vec![promql("Down", None)], options);
    e.ingest_promql("Down", 0.0, Ok(vec![(labels(&[("i", "a")]), 0.0)]));
    e.ingest_promql("Down", 10.0, Ok(vec![]));
    assert!(e.evaluate(69.0, &Store::default()).is_empty());
    assert_eq!(
        moves(&e.evaluate(70.0, &Store::default())),
        [mv("{i=\"a\"}", Resolved, Inactive)]
    );
    assert!(e.alerts().is_empty());
}

#[test]
fn ingest_ignores_unknown_and_metric_rules() {
    let mut e = engine(vec![metric("Cpu", &["host:cpu"], Op::Gt, 80.0, 0)]);
    assert!(e.ingest_promql("Nope", 0.0, Err("x".into())).is_empty());
    assert!(e.ingest_promql("Cpu", 0.0, Err("x".into())).is_empty());
    assert!(e.alerts().is_empty());
}

#[test]
fn disabled_rules_are_not_run_and_promql_rules_are_listed() {
    let mut off = metric("Off", &["host:cpu"], Op::Gt, 0.0, 0);
    off.enabled = false;
    let e = engine(vec![
        off,
        metric("Cpu", &["host:cpu"], Op::Gt, 80.0, 0),
        promql("Down", None),
    ]);
    let names: Vec<&str> = e.rules().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Cpu", "Down"]);
    assert_eq!(
        e.promql_rules().collect::<Vec<_>>(),
        [("Down", "main", "up == 0")]
    );
}

#[test]
fn alerts_are_listed_worst_and_oldest_first() {
    let mut crit = metric("Disk", &["host:disk:*:used_ratio"], Op::Gt, 0.9, 0);
    crit.severity = Severity::Critical;
    let mut e = engine(vec![metric("Cpu", &["host:cpu"], Op::Gt, 80.0, 0), crit]);
    let mut store = Store::default();
    store.set("host:cpu", Some(90.0));
    e.evaluate(0.0, &store);
    store.set("host:disk:/b:used_ratio", Some(0.95));
    e.evaluate(10.0, &store);
    store.set("host:disk:/a:used_ratio", Some(0.95));
    e.evaluate(20.0, &store);
    let order: Vec<(String, Severity)> = e
        .alerts()
        .into_iter()
        .map(|a| (a.series, a.severity))
        .collect();
    assert_eq!(
        order,
        [
            ("host:disk:/b:used_ratio".to_string(), Severity::Critical),
            ("host:disk:/a:used_ratio".to_string(), Severity::Critical),
            ("host:cpu".to_string(), Severity::Warning),
        ]
    );
    assert_eq!(e.worst_firing(), Some(Severity::Critical));
}

/// A cluster's pods: labels known beyond the name, and pods known deleted.
struct Pods {
    store: Store,
    deleted: Vec<&'static str>,
}

impl SeriesLookup for Pods {
    fn matching(&self, pattern: &str) -> Vec<(String, Option<f64>)> {
        self.store.matching(pattern)
    }

    fn subject_labels(&self, _series: &str) -> BTreeMap<String, String> {
        labels(&[("workload", "prod/shop/api"), ("node", "n1")])
    }

    fn gone(&self, series: &str) -> bool {
        self.deleted.contains(&series)
    }
}

#[test]
fn a_pod_alert_carries_its_subject_and_resolves_when_the_pod_is_deleted() {
    let mut e = engine(vec![metric(
        "PodCrashLooping",
        &["pod:*:crashlooping"],
        Op::Gt,
        0.0,
        0,
    )]);
    let mut pods = Pods {
        store: Store::default(),
        deleted: vec![],
    };
    pods.store
        .set("pod:prod/shop/api-1:crashlooping", Some(1.0));
    pods.store
        .set("pod:prod/shop/api-2:crashlooping", Some(1.0));
    e.evaluate(0.0, &pods);
    let a = &e.alerts()[0];
    assert_eq!(a.state, Firing);
    assert_eq!(a.labels["workload"], "prod/shop/api");
    assert_eq!(a.labels["namespace"], "shop");
    assert_eq!(a.labels["pod"], "api-1");
    assert_eq!(a.labels["node"], "n1");
    // One pod deleted by a rollback resolves; one no longer read is no data.
    pods.store.0.clear();
    pods.deleted.push("pod:prod/shop/api-1:crashlooping");
    let ts = e.evaluate(10.0, &pods);
    assert_eq!(
        moves(&ts),
        [
            mv("pod:prod/shop/api-1:crashlooping", Firing, Resolved),
            mv("pod:prod/shop/api-2:crashlooping", Firing, NoData)
        ]
    );
}
