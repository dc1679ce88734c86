use super::*;
use crate::base::duration::HumanDuration;
use crate::config::alert_rule::MetricPatterns;

fn metric_rule() -> RuleSpec {
    let mut r = RuleSpec::named("HighCpu");
    r.metric = Some(MetricPatterns::one("host:cpu"));
    r.op = Some(Op::Gt);
    r.threshold = Some(80.0);
    r
}

fn promql_rule() -> RuleSpec {
    let mut r = RuleSpec::named("Up");
    r.promql = Some("up == 0".into());
    r.prometheus = Some("main".into());
    r
}

fn err_of(spec: &RuleSpec) -> String {
    spec.validate().unwrap_err().to_string()
}

#[test]
fn a_metric_rule_compiles() {
    let mut spec = metric_rule();
    spec.for_duration = HumanDuration::from_secs(300);
    spec.keep_firing_for = HumanDuration::from_secs(60);
    spec.runbook = Some("site-down".into());
    let rule = spec.validate().unwrap();
    assert_eq!(rule.source, RuleSource::Metric(vec!["host:cpu".into()]));
    assert_eq!(
        rule.condition,
        Some(Condition {
            op: Op::Gt,
            threshold: 80.0,
            warn_threshold: None
        })
    );
    assert_eq!(rule.for_secs, 300.0);
    assert_eq!(rule.keep_firing_secs, 60.0);
    assert_eq!(rule.runbook, Some(RunbookRef::Id("site-down".into())));
}

#[test]
fn a_threshold_less_promql_rule_compiles() {
    let mut spec = promql_rule();
    spec.runbook_url = Some("https://w/site-down.md".into());
    let rule = spec.validate().unwrap();
    assert_eq!(rule.condition, None);
    assert_eq!(rule.level(0.0), Some(Level::Main));
    assert_eq!(
        rule.runbook,
        Some(RunbookRef::Url("https://w/site-down.md".into()))
    );
}

#[test]
fn source_problems_are_explained() {
    let mut both = metric_rule();
    both.promql = Some("up".into());
    assert!(err_of(&both).contains("either metric or promql, not both"));

    let mut neither = metric_rule();
    neither.metric = None;
    assert!(err_of(&neither).contains("set metric"));

    let mut no_prom = promql_rule();
    no_prom.prometheus = None;
    assert!(err_of(&no_prom).contains("needs prometheus"));

    let mut prom_on_metric = metric_rule();
    prom_on_metric.prometheus = Some("main".into());
    assert!(err_of(&prom_on_metric).contains("only applies to promql"));

    let mut empty_list = metric_rule();
    empty_list.metric = Some(MetricPatterns(vec![]));
    assert!(err_of(&empty_list).contains("empty list"));

    let mut empty_name = metric_rule();
    empty_name.metric = Some(MetricPatterns::many(&["host:cpu", " "]));
    assert!(err_of(&empty_name).contains("empty series name"));

    let mut empty_query = promql_rule();
    empty_query.promql = Some("  ".into());
    assert!(err_of(&empty_query).contains("promql is empty"));
}

#[test]
fn threshold_problems_are_explained() {
    let mut no_op = metric_rule();
    no_op.op = None;
    assert!(err_of(&no_op).contains("op is missing"));

    let mut no_threshold = metric_rule();
    no_threshold.threshold = None;
    assert!(err_of(&no_threshold).contains("threshold is missing"));

    let mut neither = metric_rule();
    neither.op = None;
    neither.threshold = None;
    assert!(err_of(&neither).contains("needs op and threshold"));

    let mut nan = metric_rule();
    nan.threshold = Some(f64::NAN);
    assert!(err_of(&nan).contains("finite"));

    let mut warn_without = promql_rule();
    warn_without.warn_threshold = Some(1.0);
    assert!(err_of(&warn_without).contains("warn_threshold needs op and threshold"));
}

#[test]
fn warn_threshold_must_sit_on_the_near_side() {
    let mut spec = metric_rule();
    spec.severity = Severity::Critical;
    spec.warn_threshold = Some(60.0);
    assert!(spec.validate().is_ok());

    spec.warn_threshold = Some(90.0);
    assert!(
        err_of(&spec).contains("must be below threshold"),
        "{}",
        err_of(&spec)
    );

    spec.op = Some(Op::Lt);
    spec.threshold = Some(0.1);
    spec.warn_threshold = Some(0.05);
    assert!(err_of(&spec).contains("must be above threshold"));

    spec.op = Some(Op::Eq);
    assert!(err_of(&spec).contains("needs op >, >=, < or <="));

    spec.op = Some(Op::Lt);
    spec.warn_threshold = Some(f64::INFINITY);
    assert!(err_of(&spec).contains("finite"));
}

#[test]
fn warn_threshold_needs_a_critical_rule() {
    let mut spec = metric_rule();
    spec.warn_threshold = Some(60.0);
    assert!(err_of(&spec).contains("severity must be critical (it is warning)"));
}

#[test]
fn other_field_problems_are_explained() {
    let mut ok_sev = metric_rule();
    ok_sev.severity = Severity::Ok;
    assert!(err_of(&ok_sev).contains("info, warning or critical"));

    let mut both = metric_rule();
    both.runbook = Some("a".into());
    both.runbook_url = Some("https://b".into());
    assert!(err_of(&both).contains("not both"));

    let mut empty = metric_rule();
    empty.runbook = Some("".into());
    assert!(err_of(&empty).contains("runbook is empty"));

    let mut empty_url = metric_rule();
    empty_url.runbook_url = Some(" ".into());
    assert!(err_of(&empty_url).contains("runbook_url is empty"));

    let mut bad_name = metric_rule();
    bad_name.name = " X".into();
    assert!(err_of(&bad_name).contains("name must be non-empty"));
}

#[test]
fn levels_follow_both_thresholds() {
    let mut spec = metric_rule();
    spec.severity = Severity::Critical;
    spec.warn_threshold = Some(60.0);
    let rule = spec.validate().unwrap();
    assert_eq!(rule.level(50.0), None);
    assert_eq!(rule.level(70.0), Some(Level::Warn));
    assert_eq!(rule.level(90.0), Some(Level::Main));
    assert_eq!(rule.level_severity(Level::Warn), Severity::Warning);
    assert_eq!(rule.level_severity(Level::Main), Severity::Critical);
    assert_eq!(rule.level_threshold(Level::Warn), Some(60.0));
    assert_eq!(rule.level_threshold(Level::Main), Some(80.0));
    assert!(rule.has_warn_level());
}

#[test]
fn validate_rules_reports_every_problem() {
    let mut bad = metric_rule();
    bad.name = "Bad".into();
    bad.op = None;
    let mut typo = promql_rule();
    typo.name = "Typo".into();
    typo.prometheus = Some("mian".into());
    let specs = vec![metric_rule(), metric_rule(), bad, typo, promql_rule()];
    let errors = validate_rules(&specs, &["main"]).unwrap_err();
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(text.len(), 3, "{text:?}");
    assert!(text[0].contains("\"HighCpu\": defined more than once"));
    assert!(text[1].contains("\"Bad\": threshold is set but op is missing"));
    assert!(text[2].contains("\"Typo\": no [[prometheus]] named \"mian\" (did you mean \"main\"?)"));
}

#[test]
fn validate_rules_accepts_a_good_set() {
    let rules = validate_rules(&[metric_rule(), promql_rule()], &["main"]).unwrap();
    assert_eq!(rules.len(), 2);
}
