use super::*;
use crate::alert::validate::validate_rules;

const GOOD: &str = include_str!("../../tests/fixtures/alerts/good.yml");
const SKIPPED: &str = include_str!("../../tests/fixtures/alerts/skipped.yml");
const BAD_SYNTAX: &str = include_str!("../../tests/fixtures/alerts/bad-syntax.yml");
const BAD_FIELD: &str = include_str!("../../tests/fixtures/alerts/bad-field.yml");
const BAD_SHAPE: &str = include_str!("../../tests/fixtures/alerts/bad-shape.yml");

const KNOWN: [&str; 2] = ["site-down", "database"];

fn options() -> ImportOptions<'static> {
    ImportOptions {
        prometheus: "main",
        known_runbooks: KNOWN.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

fn import(text: &str) -> Result<ImportReport, FileError> {
    import_rule_file(Path::new("rules.yml"), text, &options())
}

fn notes(report: &ImportReport) -> Vec<String> {
    report.notes.iter().map(|n| n.to_string()).collect()
}

#[test]
fn converts_alerting_rules() {
    let report = import(GOOD).unwrap();
    let names: Vec<&str> = report.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "DemoDown",
            "DemoHighErrorRate_critical",
            "DemoHighErrorRate_warning",
            "DemoSlow"
        ]
    );

    let down = &report.rules[0];
    assert_eq!(down.promql.as_deref(), Some("up{job=\"demo\"} == 0"));
    assert_eq!(down.prometheus.as_deref(), Some("main"));
    assert_eq!(
        (down.op, down.threshold),
        (None, None),
        "Prometheus semantics: returned = in alert"
    );
    assert_eq!(down.for_duration, HumanDuration::from_secs(60));
    assert_eq!(down.severity, Severity::Critical);
    assert_eq!(
        down.labels,
        BTreeMap::from([("team".to_string(), "shop".to_string())])
    );
    assert_eq!(down.runbook.as_deref(), Some("site-down"));
    assert_eq!(down.runbook_url, None);
    assert_eq!(
        down.annotations["summary"],
        "Demo service {{ $labels.instance }} is down"
    );
    assert!(!down.annotations.contains_key("runbook_url"));

    let errors = &report.rules[1];
    assert!(
        errors.promql.as_deref().unwrap().ends_with("> 0.05"),
        "multi-line expr kept, trimmed"
    );
    assert_eq!(errors.keep_firing_for, HumanDuration::from_secs(600));
    assert_eq!(errors.severity, Severity::Critical);
    assert_eq!(
        errors.runbook_url.as_deref(),
        Some("https://wiki.example.com/runbooks/unknown-page")
    );
    assert_eq!(report.rules[2].severity, Severity::Warning);

    let slow = &report.rules[3];
    assert_eq!(slow.for_duration, HumanDuration::from_secs(5400));
    assert_eq!(slow.severity, Severity::Warning);
    assert!(
        slow.labels.is_empty(),
        "group labels belong to their group only"
    );
}

#[test]
fn says_what_was_not_carried_over() {
    let report = import(GOOD).unwrap();
    let recording =
        "a recording rule: opsdeck does not evaluate those; Prometheus keeps recording it and \
                     PromQL rules can use the recorded series";
    assert_eq!(
        notes(&report),
        [
            "group \"demo\": converted: interval 30s is not kept: opsdeck runs PromQL rules at its [[prometheus]] refresh".to_string(),
            "line 8, group \"demo\", rule \"DemoDown\": converted: runbook_url https://wiki.example.com/runbooks/site-down.md linked to the local runbook \"site-down\"".to_string(),
            format!("line 17, group \"demo\", rule \"job:http_requests:rate5m\": not converted: {recording}"),
            "line 19, group \"demo\", rule \"DemoHighErrorRate\": converted: severity \"page\" imported as critical".to_string(),
            "line 39, group \"latency\", rule \"DemoSlow\": converted: no severity label; imported as warning".to_string(),
            "line 19, group \"demo\", rule \"DemoHighErrorRate\": converted: renamed \"DemoHighErrorRate_critical\": opsdeck rule names must be unique".to_string(),
            "line 30, group \"demo\", rule \"DemoHighErrorRate\": converted: renamed \"DemoHighErrorRate_warning\": opsdeck rule names must be unique".to_string(),
        ]
    );
}

#[test]
fn imported_rules_validate_and_round_trip_through_toml() {
    let report = import(GOOD).unwrap();
    assert_eq!(validate_rules(&report.rules, &["main"]).unwrap().len(), 4);
    let text = rules_to_toml(&report.rules).unwrap();
    assert!(text.contains("[[alert]]"), "{text}");
    assert!(text.contains("for = \"1h30m\""), "{text}");
    #[derive(Deserialize)]
    struct Tables {
        alert: Vec<RuleSpec>,
    }
    let back: Tables = toml::from_str(&text).unwrap();
    assert_eq!(back.alert, report.rules);
}

#[test]
fn rules_that_cannot_convert_are_skipped_with_a_reason() {
    let report = import(SKIPPED).unwrap();
    assert!(report.rules.is_empty());
    let n = notes(&report);
    assert_eq!(n.len(), 5, "{n:#?}");
    assert_eq!(
        n[0],
        "group \"odd\": converted: limit is not kept: opsdeck has no per-group alert limit"
    );
    assert_eq!(
        n[1],
        "group \"odd\": converted: query_offset 1m is not kept; add an offset to the expressions if needed"
    );
    assert_eq!(
        n[2],
        "line 6, group \"odd\", rule \"NoExpr\": not converted: expr is empty"
    );
    assert!(
        n[3].starts_with(
            "line 8, group \"odd\", rule \"BadFor\": not converted: for: invalid duration \"soon\""
        ),
        "{}",
        n[3]
    );
    assert!(n[4].starts_with(
        "line 11, group \"odd\", rule \"only:recorded\": not converted: a recording rule"
    ));
    assert!(report.notes[4].recording && !report.notes[2].recording);
}

#[test]
fn null_empty_and_recording_only_files_are_zero_rules_not_errors() {
    for text in ["null\n", "", "---\n", "# nothing here\n"] {
        let report = import(text).unwrap();
        assert!(
            report.rules.is_empty() && report.notes.is_empty(),
            "{text:?}: {report:?}"
        );
    }
    let recording =
        "groups:\n  - name: r\n    rules:\n      - record: a:b\n        expr: sum(up)\n";
    let report = import(recording).unwrap();
    assert!(report.rules.is_empty());
    assert!(report.notes.iter().all(|n| n.recording), "{report:?}");
}

#[test]
fn prometheus_rule_resources_and_several_documents_are_read() {
    let text = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: node\n  labels: {role: alert-rules}\n\
                spec:\n  groups:\n    - name: node\n      rules:\n        - alert: NodeDown\n          expr: up{job=\"node\"} == 0\n\
                ---\ngroups:\n  - name: plain\n    rules:\n      - alert: Plain\n        expr: vector(1)\n---\nnull\n";
    let report = import(text).unwrap();
    let names: Vec<&str> = report.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["NodeDown", "Plain"]);
    let err = import("apiVersion: v1\nkind: ConfigMap\ndata: {}\n").unwrap_err();
    assert!(
        err.message.contains("unknown field `data`") || err.message.contains("ConfigMap"),
        "{err:?}"
    );
}

#[test]
fn names_the_config_has_are_not_reused_and_the_prefix_goes_first() {
    let text = "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n      - alert: Other\n        expr: up == 0\n";
    let mut opts = options();
    opts.existing = BTreeMap::from([
        ("Down".to_string(), "config.toml:12".to_string()),
        ("Down_2".to_string(), "config.toml:20".to_string()),
    ]);
    let report = import_rule_file(Path::new("b.yml"), text, &opts).unwrap();
    let names: Vec<&str> = report.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Down_3", "Other"]);
    assert_eq!(
        notes(&report)[2..],
        ["line 4, group \"g\", rule \"Down\": converted: \"Down\" is already a rule in config.toml:12; imported as \"Down_3\" (or import with --prefix)"]
    );
    opts.prefix = "b_";
    let report = import_rule_file(Path::new("b.yml"), text, &opts).unwrap();
    let names: Vec<&str> = report.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["b_Down", "b_Other"]);
}

#[test]
fn templates_outside_the_subset_are_noted() {
    let text = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        annotations:\n          summary: '{{ $labels.instance }} at {{ $value | humanizePercentage }}'\n          description: '{{ query \"up\" | first | value }}'\n";
    let report = import(text).unwrap();
    let n = notes(&report);
    assert_eq!(n.len(), 2, "{n:#?}");
    assert!(
        n.iter()
            .any(|m| m.contains("description is shown as written") && m.contains("query")),
        "{n:#?}"
    );
}

#[test]
fn yaml_syntax_errors_carry_their_position() {
    let err = import(BAD_SYNTAX).unwrap_err();
    assert_eq!(err.path, Path::new("rules.yml"));
    assert_eq!((err.line, err.column), (6, 8), "{err:?}");
    assert!(
        !err.message.contains("at line 6 column 8"),
        "position not repeated: {}",
        err.message
    );
    assert!(
        err.message.starts_with("did not find expected"),
        "{}",
        err.message
    );
}

#[test]
fn unknown_fields_are_errors_at_their_line() {
    let err = import(BAD_FIELD).unwrap_err();
    assert_eq!(err.line, 5, "{err:?}");
    assert!(
        err.message.contains("unknown field `expression`"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("`expr`"),
        "lists the valid fields: {}",
        err.message
    );
}

#[test]
fn a_wrong_shape_is_an_error() {
    let err = import(BAD_SHAPE).unwrap_err();
    assert_eq!(err.line, 2, "{err:?}");
    assert!(
        err.message.contains("expected a sequence"),
        "{}",
        err.message
    );
}

#[test]
fn rules_with_neither_or_both_kinds_are_skipped() {
    let text = "groups:\n  - name: g\n    rules:\n      - expr: up\n      - alert: A\n        record: b\n        expr: up\n";
    let report = import(text).unwrap();
    let n = notes(&report);
    assert_eq!(
        n[0],
        "group \"g\": not converted: has neither alert nor record"
    );
    assert_eq!(
        n[1],
        "group \"g\", rule \"A\": not converted: has both alert and record"
    );
}

#[test]
fn positions_are_dropped_when_the_scan_cannot_be_trusted() {
    // Flow style hides the keys from the line scan: no guessed lines.
    let text =
        "groups:\n  - name: g\n    rules: [{alert: A, expr: up, labels: {severity: warning}}]\n";
    let report = import(text).unwrap();
    assert_eq!(report.rules.len(), 1);
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    let text = "groups:\n  - name: g\n    rules: [{alert: A, expr: up}]\n";
    assert_eq!(import(text).unwrap().notes[0].line, None);
}

#[test]
fn renames_avoid_existing_names() {
    let text = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n      - alert: A\n        expr: up\n      - alert: A_warning\n        expr: up\n";
    let report = import(text).unwrap();
    let names: Vec<&str> = report.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["A_warning_2", "A_warning_3", "A_warning"]);
}

#[test]
fn severity_mapping() {
    assert_eq!(map_severity(Some("critical")), (Severity::Critical, None));
    assert_eq!(map_severity(Some("Warning")), (Severity::Warning, None));
    assert_eq!(map_severity(Some("info")), (Severity::Info, None));
    assert_eq!(map_severity(Some("none")).0, Severity::Info);
    assert_eq!(map_severity(Some("warn")).0, Severity::Warning);
    let (sev, note) = map_severity(Some("sev1"));
    assert_eq!(sev, Severity::Warning);
    assert_eq!(
        note.unwrap(),
        "severity \"sev1\" is not one opsdeck knows; imported as warning"
    );
}

#[test]
fn group_labels_apply_beneath_rule_labels() {
    // Group-level labels are Prometheus 3 syntax.
    let text = "groups:\n  - name: g\n    labels: {team: shop, tier: web}\n    rules:\n      - alert: A\n        expr: up\n        labels: {tier: db, severity: info}\n";
    let report = import(text).unwrap();
    let r = &report.rules[0];
    assert_eq!(r.severity, Severity::Info);
    assert_eq!(
        r.labels,
        BTreeMap::from([
            ("team".to_string(), "shop".to_string()),
            ("tier".to_string(), "db".to_string())
        ])
    );
}
