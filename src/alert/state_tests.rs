use super::*;
use crate::base::duration::HumanDuration;
use crate::config::alert_rule::{MetricPatterns, Op, RuleSpec};
use AlertState::*;

const RETENTION: f64 = 900.0;

fn rule(for_secs: u64, keep_secs: u64) -> Rule {
    let mut spec = RuleSpec::named("HighCpu");
    spec.metric = Some(MetricPatterns::one("host:cpu"));
    spec.op = Some(Op::Gt);
    spec.threshold = Some(80.0);
    spec.for_duration = HumanDuration::from_secs(for_secs);
    spec.keep_firing_for = HumanDuration::from_secs(keep_secs);
    spec.validate().unwrap()
}

fn two_level_rule(for_secs: u64) -> Rule {
    let mut spec = RuleSpec::named("HighErrors");
    spec.metric = Some(MetricPatterns::one("probe:site:error_ratio"));
    spec.op = Some(Op::Gt);
    spec.threshold = Some(0.05);
    spec.warn_threshold = Some(0.01);
    spec.severity = Severity::Critical;
    spec.for_duration = HumanDuration::from_secs(for_secs);
    spec.validate().unwrap()
}

fn instance(rule: &Rule) -> Instance {
    Instance::new(rule, "host:cpu".into(), BTreeMap::new(), 0.0)
}

/// Steps with a value and returns (state after, transition target if any).
fn value(i: &mut Instance, r: &Rule, t: f64, v: f64) -> Option<AlertState> {
    i.step(r, Observation::Value(v), t, RETENTION).map(|c| c.to)
}

#[test]
fn for_holds_an_alert_in_pending() {
    let r = rule(300, 0);
    let mut i = instance(&r);
    assert_eq!(value(&mut i, &r, 0.0, 50.0), None);
    assert_eq!(value(&mut i, &r, 10.0, 90.0), Some(Pending));
    assert_eq!(i.active_since, Some(10.0));
    assert_eq!(value(&mut i, &r, 300.0, 95.0), None, "only 290 s so far");
    assert_eq!(value(&mut i, &r, 310.0, 95.0), Some(Firing));
    assert_eq!(i.since, 310.0);
    assert_eq!(i.active_since, Some(10.0), "age counts from pending");
    assert_eq!(i.value, Some(95.0));
    assert_eq!(i.threshold, Some(80.0));
}

#[test]
fn pending_that_clears_goes_back_to_inactive() {
    let r = rule(300, 0);
    let mut i = instance(&r);
    value(&mut i, &r, 0.0, 90.0);
    let c = i
        .step(&r, Observation::Value(70.0), 100.0, RETENTION)
        .unwrap();
    assert_eq!((c.from, c.to), (Pending, Inactive));
    assert_eq!(
        c.reason,
        "condition cleared: value 70 <= 80 before 5m elapsed"
    );
    // The timer restarts: another 300 s are needed.
    assert_eq!(value(&mut i, &r, 200.0, 90.0), Some(Pending));
    assert_eq!(value(&mut i, &r, 400.0, 90.0), None);
    assert_eq!(value(&mut i, &r, 500.0, 90.0), Some(Firing));
}

#[test]
fn zero_for_fires_at_once_and_says_why() {
    let r = rule(0, 0);
    let mut i = instance(&r);
    let c = i
        .step(&r, Observation::Value(91.234), 5.0, RETENTION)
        .unwrap();
    assert_eq!((c.from, c.to), (Inactive, Firing));
    assert_eq!(c.reason, "value 91.23 > 80");
}

#[test]
fn firing_resolves_then_expires_after_retention() {
    let r = rule(0, 0);
    let mut i = instance(&r);
    value(&mut i, &r, 0.0, 90.0);
    let c = i
        .step(&r, Observation::Value(10.0), 60.0, RETENTION)
        .unwrap();
    assert_eq!(
        (c.from, c.to, c.reason.as_str()),
        (Firing, Resolved, "condition cleared: value 10 <= 80")
    );
    assert_eq!(value(&mut i, &r, 60.0 + RETENTION - 1.0, 10.0), None);
    let c = i
        .step(&r, Observation::Value(10.0), 60.0 + RETENTION, RETENTION)
        .unwrap();
    assert_eq!((c.from, c.to), (Resolved, Inactive));
    assert_eq!(c.reason, "resolved 15m ago; no longer shown");
}

#[test]
fn resolved_can_fire_again() {
    let r = rule(60, 0);
    let mut i = instance(&r);
    value(&mut i, &r, 0.0, 90.0);
    value(&mut i, &r, 60.0, 90.0);
    value(&mut i, &r, 70.0, 10.0);
    assert_eq!(i.state, Resolved);
    assert_eq!(value(&mut i, &r, 80.0, 90.0), Some(Pending));
    assert_eq!(i.active_since, Some(80.0));
    assert_eq!(value(&mut i, &r, 140.0, 90.0), Some(Firing));
}

#[test]
fn keep_firing_for_bridges_a_short_clear() {
    let r = rule(0, 120);
    let mut i = instance(&r);
    value(&mut i, &r, 0.0, 90.0);
    assert_eq!(value(&mut i, &r, 10.0, 10.0), None, "still firing");
    assert_eq!(i.state, Firing);
    assert_eq!(i.value, Some(10.0));
    assert_eq!(
        value(&mut i, &r, 60.0, 90.0),
        None,
        "true again: no new episode"
    );
    assert_eq!(i.active_since, Some(0.0));
    assert_eq!(value(&mut i, &r, 100.0, 10.0), None);
    assert_eq!(
        value(&mut i, &r, 179.0, 10.0),
        None,
        "119 s since last true"
    );
    let c = i
        .step(&r, Observation::Value(10.0), 180.0, RETENTION)
        .unwrap();
    assert_eq!((c.from, c.to), (Firing, Resolved));
    assert!(
        c.reason.ends_with("for keep_firing_for (2m)"),
        "{}",
        c.reason
    );
}

#[test]
fn keep_firing_for_also_bridges_missing_data() {
    let r = rule(0, 120);
    let mut i = instance(&r);
    value(&mut i, &r, 0.0, 90.0);
    assert_eq!(
        i.step(
            &r,
            Observation::Missing { vanished: false },
            60.0,
            RETENTION
        ),
        None
    );
    assert_eq!(i.state, Firing);
    let c = i
        .step(
            &r,
            Observation::Missing { vanished: false },
            120.0,
            RETENTION,
        )
        .unwrap();
    assert_eq!(
        (c.from, c.to, c.reason.as_str()),
        (Firing, NoData, "no data for host:cpu")
    );
}

#[test]
fn missing_data_is_no_data_and_resets_timers() {
    let r = rule(300, 0);
    let mut i = instance(&r);
    let c = i
        .step(&r, Observation::Missing { vanished: false }, 0.0, RETENTION)
        .unwrap();
    assert_eq!((c.from, c.to), (Inactive, NoData), "never had data");
    assert_eq!(
        i.step(&r, Observation::Missing { vanished: false }, 5.0, RETENTION),
        None
    );
    assert_eq!(value(&mut i, &r, 10.0, 90.0), Some(Pending));
    let c = i
        .step(
            &r,
            Observation::Missing { vanished: true },
            200.0,
            RETENTION,
        )
        .unwrap();
    assert_eq!((c.from, c.to), (Pending, NoData));
    assert_eq!(c.reason, "series host:cpu is no longer reported");
    assert_eq!(i.value, None);
    assert_eq!(
        value(&mut i, &r, 310.0, 90.0),
        Some(Pending),
        "the pending timer restarted"
    );
    value(&mut i, &r, 320.0, 10.0);
    i.step(
        &r,
        Observation::Missing { vanished: false },
        330.0,
        RETENTION,
    );
    let c = i
        .step(&r, Observation::Value(10.0), 340.0, RETENTION)
        .unwrap();
    assert_eq!((c.from, c.to), (NoData, Inactive));
    assert!(c.reason.starts_with("data is back"), "{}", c.reason);
}

#[test]
fn resolved_alerts_stay_resolved_when_data_goes_missing() {
    let r = rule(0, 0);
    let mut i = instance(&r);
    value(&mut i, &r, 0.0, 90.0);
    value(&mut i, &r, 10.0, 10.0);
    assert_eq!(
        i.step(&r, Observation::Missing { vanished: true }, 20.0, RETENTION),
        None
    );
    assert_eq!(i.state, Resolved);
    let c = i
        .step(
            &r,
            Observation::Missing { vanished: true },
            10.0 + RETENTION,
            RETENTION,
        )
        .unwrap();
    assert_eq!(c.to, Inactive);
}

#[test]
fn an_error_freezes_the_timers_and_keeps_the_message() {
    let r = rule(300, 0);
    let mut i = instance(&r);
    value(&mut i, &r, 0.0, 90.0);
    value(&mut i, &r, 300.0, 90.0);
    assert_eq!(i.state, Firing);
    let c = i
        .step(
            &r,
            Observation::Failed("connection refused"),
            310.0,
            RETENTION,
        )
        .unwrap();
    assert_eq!(
        (c.from, c.to, c.reason.as_str()),
        (Firing, Error, "query failed: connection refused")
    );
    assert_eq!(i.message.as_deref(), Some("connection refused"));
    assert_eq!(
        i.step(&r, Observation::Failed("timeout"), 320.0, RETENTION),
        None
    );
    assert_eq!(i.message.as_deref(), Some("timeout"));
    // Back, still above: straight back to firing without a new `for` wait.
    let c = i
        .step(&r, Observation::Value(95.0), 330.0, RETENTION)
        .unwrap();
    assert_eq!((c.from, c.to), (Error, Firing));
    assert_eq!(c.reason, "query works again; value 95 > 80");
    assert_eq!(i.message, None);
    assert_eq!(i.active_since, Some(0.0));
}

#[test]
fn an_error_that_ends_after_the_condition_cleared_resolves() {
    let r = rule(0, 0);
    let mut i = instance(&r);
    value(&mut i, &r, 0.0, 90.0);
    i.step(&r, Observation::Failed("down"), 10.0, RETENTION);
    let c = i
        .step(&r, Observation::Value(10.0), 20.0, RETENTION)
        .unwrap();
    assert_eq!((c.from, c.to), (Error, Resolved));
    let mut fresh = instance(&r);
    fresh.step(&r, Observation::Failed("down"), 0.0, RETENTION);
    let c = fresh
        .step(&r, Observation::Value(10.0), 5.0, RETENTION)
        .unwrap();
    assert_eq!((c.from, c.to), (Error, Inactive));
}

#[test]
fn warn_threshold_fires_a_warning_then_escalates() {
    let r = two_level_rule(60);
    let mut i = instance(&r);
    assert_eq!(value(&mut i, &r, 0.0, 0.02), Some(Pending));
    assert_eq!(i.severity, Severity::Warning);
    assert_eq!(i.threshold, Some(0.01));
    assert_eq!(
        value(&mut i, &r, 30.0, 0.08),
        None,
        "main level crossed, still pending"
    );
    assert_eq!(
        i.severity,
        Severity::Critical,
        "pending shows the level reached"
    );
    let c = i
        .step(&r, Observation::Value(0.08), 60.0, RETENTION)
        .unwrap();
    assert_eq!(
        (c.to, i.severity),
        (Firing, Severity::Warning),
        "main level held only 30 s"
    );
    let c2 = i
        .step(&r, Observation::Value(0.09), 90.0, RETENTION)
        .unwrap();
    assert_eq!(
        (c2.from, c2.to, i.severity),
        (Firing, Firing, Severity::Critical)
    );
    assert_eq!(c2.reason, "value 0.09 > 0.05: escalated to critical");
    assert_eq!(i.threshold, Some(0.05));
    let c3 = i
        .step(&r, Observation::Value(0.03), 100.0, RETENTION)
        .unwrap();
    assert_eq!((c3.to, i.severity), (Firing, Severity::Warning));
    assert_eq!(
        c3.reason,
        "value 0.03 > 0.01 (warn_threshold): de-escalated to warning"
    );
    let c4 = i
        .step(&r, Observation::Value(0.001), 110.0, RETENTION)
        .unwrap();
    assert_eq!(c4.reason, "condition cleared: value 0.001 <= 0.01");
}

#[test]
fn straight_to_the_main_level_fires_at_full_severity() {
    let r = two_level_rule(60);
    let mut i = instance(&r);
    value(&mut i, &r, 0.0, 0.2);
    assert_eq!(value(&mut i, &r, 60.0, 0.2), Some(Firing));
    assert_eq!(i.severity, Severity::Critical);
}

#[test]
fn nan_clears_the_condition() {
    let r = rule(0, 0);
    let mut i = instance(&r);
    value(&mut i, &r, 0.0, 90.0);
    let c = i
        .step(&r, Observation::Value(f64::NAN), 10.0, RETENTION)
        .unwrap();
    assert_eq!(
        (c.to, c.reason.as_str()),
        (Resolved, "condition cleared: value is NaN")
    );
}

#[test]
fn cleared_without_value_resolves_threshold_less_rules() {
    let mut spec = RuleSpec::named("Up");
    spec.promql = Some("up == 0".into());
    spec.prometheus = Some("main".into());
    let r = spec.validate().unwrap();
    let mut i = instance(&r);
    let c = i.step(&r, Observation::Value(0.0), 0.0, RETENTION).unwrap();
    assert_eq!(
        (c.to, c.reason.as_str()),
        (Firing, "the query returns this series")
    );
    assert_eq!(i.threshold, None);
    let c = i.step(&r, Observation::Cleared, 10.0, RETENTION).unwrap();
    assert_eq!(c.to, Resolved);
    assert_eq!(
        c.reason,
        "condition cleared: the query no longer returns this series"
    );
}

#[test]
fn numbers_are_formatted_for_people() {
    let cases = [
        (0.0, "0"),
        (0.05, "0.05"),
        (0.0123456, "0.0123"),
        (0.91234, "0.912"),
        (91.234, "91.23"),
        (80.0, "80"),
        (1234.56, "1234.6"),
        (-2.5, "-2.5"),
        (f64::INFINITY, "inf"),
    ];
    for (v, want) in cases {
        assert_eq!(fmt_num(v), want, "{v}");
    }
    assert_eq!(fmt_secs(5400.0), "1h30m");
    assert_eq!(fmt_secs(0.0), "0s");
}

#[test]
fn state_names() {
    assert_eq!(NoData.to_string(), "no-data");
    assert_eq!(serde_json::to_string(&NoData).unwrap(), "\"no-data\"");
    for s in [Inactive, Pending, Firing, Resolved, Error] {
        assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
    }
}

#[test]
fn expire_only_touches_resolved_alerts() {
    let r = rule(0, 0);
    let mut i = instance(&r);
    assert_eq!(i.expire(RETENTION * 2.0, RETENTION), None);
    value(&mut i, &r, 0.0, 90.0);
    assert_eq!(
        i.expire(RETENTION * 2.0, RETENTION),
        None,
        "firing is not expired"
    );
    value(&mut i, &r, 10.0, 10.0);
    assert_eq!(i.expire(100.0, RETENTION), None);
    let c = i.expire(10.0 + RETENTION, RETENTION).unwrap();
    assert_eq!((c.from, c.to), (Resolved, Inactive));
    assert_eq!((i.state, i.active_since), (Inactive, None));
}

#[test]
fn an_error_keeps_a_warning_a_warning() {
    let r = two_level_rule(0);
    let mut i = instance(&r);
    value(&mut i, &r, 0.0, 0.02);
    assert_eq!((i.state, i.severity), (Firing, Severity::Warning));
    i.step(&r, Observation::Failed("down"), 10.0, RETENTION);
    assert_eq!(i.severity, Severity::Warning);
    let c = i
        .step(&r, Observation::Value(0.02), 20.0, RETENTION)
        .unwrap();
    assert_eq!(
        (c.from, c.to, i.severity),
        (Error, Firing, Severity::Warning)
    );
}
