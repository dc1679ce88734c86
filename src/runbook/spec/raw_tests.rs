use super::super::*;
use std::path::Path;

pub(crate) const DESIGN_EXAMPLE: &str = r#"
id = "site-down"
title = "Site down"
severity = "critical"

[[trigger]]
alert = "SiteDown"

[params.workload]
description = "The workload that serves the site"
from_alert = "labels.workload"

[params.health_url]
default = "http://127.0.0.1:8080/health"

[[step]]
id = "probe"
kind = "check"
title = "Is the health endpoint answering?"
probe = { url = "{{ params.health_url }}", timeout = "2s", expect_status = 200 }

[[step]]
id = "decide"
kind = "branch"
title = "Answering or not"
cases = [ { when = "steps.probe.status == 'passed'", goto = "latency" } ]
default = "replicas"

[[step]]
id = "replicas"
kind = "check"
title = "Are the replicas running and ready?"
workload = "{{ params.workload }}"
expect = "ready >= 1"
on_failure = "goto:rollback"

[[step]]
id = "rollback"
kind = "action"
title = "Roll back to the previous revision"
action = "rollback"
workload = "{{ params.workload }}"

[[step]]
id = "latency"
kind = "note"
title = "Check the latency pane"
text = "If p95 is above 1 s, continue with degraded-performance."
"#;

fn parse(text: &str) -> Result<Runbook, Vec<String>> {
    Runbook::parse(Path::new("rb.toml"), text)
        .map_err(|es| es.iter().map(|e| e.to_string()).collect())
}

fn one_error(text: &str) -> String {
    let errs = parse(text).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    errs[0].clone()
}

fn with_step(step: &str) -> String {
    format!("id = \"t\"\ntitle = \"T\"\n\n[[step]]\n{step}\n")
}

#[test]
fn parses_the_design_example() {
    let rb = parse(DESIGN_EXAMPLE).unwrap();
    assert_eq!(
        (rb.id.as_str(), rb.severity),
        ("site-down", crate::model::Severity::Critical)
    );
    assert!(rb.answers("SiteDown"));
    assert_eq!(rb.steps.len(), 5);
    let StepBody::Check(Check::Probe(p)) = &rb.steps[0].body else {
        panic!()
    };
    assert_eq!(
        (p.expect_status, p.timeout),
        (Some(200), Some(Duration::from_secs(2)))
    );
    assert_eq!(rb.steps[2].on_failure, OnFailure::Goto("rollback".into()));
    let StepBody::Check(Check::Workload(w)) = &rb.steps[2].body else {
        panic!()
    };
    assert_eq!(w.expect, "ready >= 1");
    assert_eq!(
        rb.steps[3].body,
        StepBody::Action(ActionSpec::Rollback {
            workload: "{{ params.workload }}".into(),
            to: None
        })
    );
    assert_eq!(rb.params["workload"].alert_label(), Some("workload"));
}

#[test]
fn unknown_fields_are_caught_with_a_suggestion() {
    let e = one_error(&with_step(
        "id = \"a\"\nkind = \"note\"\ntext = \"x\"\ntitel = \"oops\"",
    ));
    assert!(e.starts_with("rb.toml:8:"), "{e}");
    assert!(e.contains("did you mean `title`"), "{e}");
}

#[test]
fn unknown_step_kind_names_the_choices() {
    let e = one_error(&with_step("id = \"a\"\nkind = \"chek\""));
    assert!(e.starts_with("rb.toml:6:"), "{e}");
    assert!(e.contains("chek") && e.contains("check"), "{e}");
}

#[test]
fn fields_of_another_kind_are_rejected_where_they_stand() {
    let e = one_error(&with_step(
        "id = \"a\"\nkind = \"note\"\ntext = \"x\"\nretry = 2",
    ));
    assert_eq!(e, "rb.toml:8:9: `retry` does not apply to a note step");
}

#[test]
fn a_check_needs_exactly_one_source() {
    let e = one_error(&with_step("id = \"a\"\nkind = \"check\""));
    assert!(e.contains("a check reads one of"), "{e}");
    let e = one_error(&with_step(
        "id = \"a\"\nkind = \"check\"\nprobe = { url = \"u\" }\nsql = { target = \"d\", query = \"q\", expect = \"rows == 0\" }",
    ));
    assert!(
        e.starts_with("rb.toml:8:") && e.contains("found probe and sql"),
        "{e}"
    );
    let e = one_error(&with_step(
        "id = \"a\"\nkind = \"check\"\nprobe = { url = \"u\" }\nexpect = \"x\"",
    ));
    assert!(
        e.contains("step-level `expect` goes with `workload`"),
        "{e}"
    );
}

#[test]
fn workload_checks_default_their_expectation() {
    let rb = parse(&with_step("id = \"a\"\nkind = \"check\"\nworkload = \"w\"")).unwrap();
    let StepBody::Check(Check::Workload(w)) = &rb.steps[0].body else {
        panic!()
    };
    assert_eq!(w.expect, "ready >= desired and ready >= 1");
}

#[test]
fn wait_steps_get_default_interval_and_timeout() {
    let rb = parse(&with_step(
        "id = \"a\"\nkind = \"wait\"\nmetric = { series = \"s\", expect = \"< 1\" }",
    ))
    .unwrap();
    let step = &rb.steps[0];
    assert_eq!(step.timeout, Some(DEFAULT_WAIT_TIMEOUT));
    assert!(
        matches!(step.body, StepBody::Wait { interval, .. } if interval == DEFAULT_WAIT_INTERVAL)
    );
    let rb = parse(&with_step(
        "id = \"a\"\nkind = \"wait\"\ninterval = \"1s\"\ntimeout = \"1m\"\nmetric = { series = \"s\", expect = \"< 1\" }",
    ))
    .unwrap();
    assert_eq!(rb.steps[0].timeout, Some(Duration::from_secs(60)));
}

#[test]
fn actions_need_their_fields_and_only_those() {
    let e = one_error(&with_step(
        "id = \"a\"\nkind = \"action\"\naction = \"scale\"\nworkload = \"w\"",
    ));
    assert!(e.contains("a scale action needs `replicas`"), "{e}");
    let e = one_error(&with_step(
        "id = \"a\"\nkind = \"action\"\naction = \"restart\"\nworkload = \"w\"\nimage = \"i\"",
    ));
    assert!(
        e.starts_with("rb.toml:9:") && e.contains("`image` does not apply"),
        "{e}"
    );
    let e = one_error(&with_step("id = \"a\"\nkind = \"action\""));
    assert!(e.contains("needs `action`"), "{e}");
    let e = one_error(&with_step(
        "id = \"a\"\nkind = \"action\"\naction = \"explode\"",
    ));
    assert!(e.contains("explode"), "{e}");
}

#[test]
fn numbers_or_templates_for_replicas_and_pids() {
    let rb = parse(&with_step(
        "id = \"a\"\nkind = \"action\"\naction = \"scale\"\nworkload = \"w\"\nreplicas = 3",
    ))
    .unwrap();
    assert_eq!(
        rb.steps[0].body,
        StepBody::Action(ActionSpec::Scale {
            workload: "w".into(),
            replicas: "3".into()
        })
    );
    let rb = parse(&with_step("id = \"a\"\nkind = \"action\"\naction = \"db_terminate\"\ntarget = \"d\"\npid = \"{{ params.pid }}\"")).unwrap();
    assert!(
        matches!(&rb.steps[0].body, StepBody::Action(ActionSpec::DbTerminate { pid, .. }) if pid == "{{ params.pid }}")
    );
}

#[test]
fn input_and_branch_need_their_parts() {
    assert!(one_error(&with_step("id = \"a\"\nkind = \"input\"")).contains("needs `param`"));
    assert!(
        one_error(&with_step("id = \"a\"\nkind = \"branch\"\ncases = []")).contains("needs `cases")
    );
    let rb = parse(&with_step("id = \"a\"\nkind = \"input\"\nparam = \"p\"")).unwrap();
    assert_eq!(rb.steps[0].title, "a");
}

#[test]
fn bad_values_point_at_the_value() {
    let e = one_error(&with_step(
        "id = \"a\"\nkind = \"check\"\nprobe = { url = \"u\" }\non_failure = \"retry\"",
    ));
    assert!(
        e.starts_with("rb.toml:8:") && e.contains("goto:STEP_ID"),
        "{e}"
    );
    let e = one_error(&with_step(
        "id = \"a\"\nkind = \"check\"\ntimeout = \"soon\"\nprobe = { url = \"u\" }",
    ));
    assert!(
        e.starts_with("rb.toml:7:") && e.contains("invalid duration"),
        "{e}"
    );
}

#[test]
fn runbook_level_problems() {
    assert!(one_error("id = \"t\"\ntitle = \"T\"\n").contains("at least one [[step]]"));
    let e = one_error(&format!(
        "{}\n[params.w]\nfrom_alert = \"workload\"\n",
        with_step("id = \"a\"\nkind = \"note\"")
    ));
    assert!(
        e.contains("labels.NAME") && e.starts_with("rb.toml:9:"),
        "{e}"
    );
    let e = one_error("title = \"T\"\n[[step]]\nid = \"a\"\nkind = \"note\"\n");
    assert!(e.contains("id"), "{e}");
}

#[test]
fn problems_in_several_steps_are_all_reported() {
    let text = format!(
        "{}\n[[step]]\nid = \"b\"\nkind = \"input\"\n",
        with_step("id = \"a\"\nkind = \"note\"\nretry = 1")
    );
    assert_eq!(parse(&text).unwrap_err().len(), 2);
}

#[test]
fn a_load_action_takes_url_rate_duration_and_connections_only() {
    let rb = parse(&with_step(
        "id = \"a\"\nkind = \"action\"\naction = \"load\"\nurl = \"http://x/\"\nrate = 50\nduration = \"30s\"",
    ))
    .unwrap();
    let StepBody::Action(spec) = &rb.steps[0].body else {
        panic!("{:?}", rb.steps[0].body)
    };
    assert_eq!(spec.kind(), ActionKind::Load);
    let e = one_error(&with_step(
        "id = \"a\"\nkind = \"action\"\naction = \"load\"\nurl = \"http://x/\"\nduration = \"30s\"",
    ));
    assert!(e.contains("a load action needs `rate`"), "{e}");
    let e = one_error(&with_step(
        "id = \"a\"\nkind = \"action\"\naction = \"load\"\nurl = \"u\"\nrate = 5\nduration = \"1s\"\nworkload = \"w\"",
    ));
    assert!(e.contains("`workload` does not apply"), "{e}");
}

#[test]
fn a_verify_backup_action_takes_backup_only() {
    let rb = parse(&with_step(
        "id = \"a\"\nkind = \"action\"\naction = \"verify_backup\"\nbackup = \"{{ params.backup }}\"",
    ))
    .unwrap();
    let StepBody::Action(spec) = &rb.steps[0].body else {
        panic!("{:?}", rb.steps[0].body)
    };
    assert_eq!(spec.kind(), ActionKind::VerifyBackup);
    let e = one_error(&with_step(
        "id = \"a\"\nkind = \"action\"\naction = \"verify_backup\"",
    ));
    assert!(e.contains("a verify_backup action needs `backup`"), "{e}");
    let e = one_error(&with_step(
        "id = \"a\"\nkind = \"action\"\naction = \"verify_backup\"\nbackup = \"b\"\ntarget = \"db\"",
    ));
    assert!(e.starts_with("rb.toml:9:"), "{e}");
    assert!(
        e.contains("a verify_backup action takes `backup`; `target` does not apply"),
        "{e}"
    );
}
