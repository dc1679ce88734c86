use super::*;
use crate::runbook::spec::check::*;

fn probe(expect_status: Option<u16>, expect_body: Option<&str>) -> Check {
    Check::Probe(ProbeCheck {
        url: "http://x".into(),
        timeout: None,
        expect_status,
        expect_body: expect_body.map(String::from),
    })
}

fn answered(status: u16, body: &str) -> Facts {
    Facts::Probe {
        status: Some(status),
        body: body.into(),
        error: None,
        latency: Duration::from_millis(12),
    }
}

#[test]
fn probes_pass_on_2xx_by_default_and_on_the_expected_status_when_given() {
    assert!(judge(&probe(None, None), &answered(204, "")).passed);
    let v = judge(&probe(None, None), &answered(503, ""));
    assert!(!v.passed);
    assert_eq!(
        (v.value.clone(), v.output.as_str()),
        (json!(503), "HTTP 503 in 12 ms")
    );
    let v = judge(&probe(Some(200), None), &answered(204, ""));
    assert!(!v.passed && v.output.contains("expected 200"));
    let v = judge(&probe(Some(200), Some("ok")), &answered(200, "degraded"));
    assert!(!v.passed && v.output.contains("body lacks `ok`"));
    assert!(judge(&probe(Some(200), Some("ok")), &answered(200, "all ok")).passed);
}

#[test]
fn probes_fail_without_a_response() {
    let refused = Facts::Probe {
        status: None,
        body: String::new(),
        error: Some("connection refused".into()),
        latency: Duration::from_millis(3),
    };
    assert_eq!(
        judge(&probe(None, None), &refused).output,
        "connection refused after 3 ms"
    );
    let silent = Facts::Probe {
        status: None,
        body: String::new(),
        error: None,
        latency: Duration::from_secs(2),
    };
    assert!(judge(&probe(None, None), &silent)
        .output
        .contains("no response"));
}

#[test]
fn numbers_are_judged_by_expect_with_the_short_form() {
    let c = Check::Metric(MetricCheck {
        series: "s".into(),
        expect: "< 0.05".into(),
    });
    let v = judge(&c, &Facts::Number(Some(0.01)));
    assert!(v.passed);
    assert_eq!(v.output, "value = 0.01 (expect < 0.05)");
    assert!(!judge(&c, &Facts::Number(Some(0.2))).passed);
    assert_eq!(judge(&c, &Facts::Number(None)).output, "no data");
    let c = Check::Promql(PromqlCheck {
        prometheus: None,
        query: "q".into(),
        expect: "value >= 1 and value < 3".into(),
    });
    assert!(judge(&c, &Facts::Number(Some(2.0))).passed);
}

#[test]
fn workloads_expose_ready_desired_running_and_image() {
    let c = Check::Workload(WorkloadCheck {
        workload: "w".into(),
        expect: "ready >= desired and image != 'bad'".into(),
        value: None,
    });
    let facts = Facts::Workload {
        ready: 2,
        desired: 3,
        running: 3,
        updated: 3,
        image: "api:2".into(),
        autoscaler: None,
    };
    let v = judge(&c, &facts);
    assert!(!v.passed);
    assert_eq!(v.value, json!(2));
    assert!(
        v.output.starts_with("2/3 ready, 3 running, image api:2"),
        "{}",
        v.output
    );
    // Mid-rollout, the old revision's replicas are ready and the new one's are not.
    let c = Check::Workload(WorkloadCheck {
        workload: "w".into(),
        expect: "ready >= desired and updated >= desired".into(),
        value: None,
    });
    let facts = Facts::Workload {
        ready: 2,
        desired: 2,
        running: 3,
        updated: 1,
        image: "api:3-broken".into(),
        autoscaler: None,
    };
    let v = judge(&c, &facts);
    assert!(!v.passed);
    assert!(v.output.contains("1 on the new revision"), "{}", v.output);
}

#[test]
fn an_autoscaler_at_its_ceiling_fails_and_its_max_is_the_value() {
    use crate::runbook::judge::Bounds;
    let c = Check::Workload(WorkloadCheck {
        workload: "w".into(),
        expect: "hpa_desired is none or hpa_desired < hpa_max".into(),
        value: Some("hpa_max".into()),
    });
    let at = |desired| Facts::Workload {
        ready: 3,
        desired: 3,
        running: 3,
        updated: 3,
        image: "api:2".into(),
        autoscaler: Some(Bounds {
            min: 1,
            max: 3,
            desired,
        }),
    };
    let v = judge(&c, &at(Some(3)));
    assert!(!v.passed && !v.inconclusive, "{v:?}");
    assert_eq!(v.value, json!(3));
    assert!(v.output.contains("autoscaler 1–3 wants 3"), "{}", v.output);
    assert!(judge(&c, &at(Some(2))).passed);
    // No autoscaler: nothing to be at the ceiling of.
    let none = Facts::Workload {
        ready: 3,
        desired: 3,
        running: 3,
        updated: 3,
        image: "api:2".into(),
        autoscaler: None,
    };
    let v = judge(&c, &none);
    assert!(v.passed, "{v:?}");
    assert_eq!(v.value, json!(null));
}

#[test]
fn sql_exposes_rows_value_and_the_first_row() {
    let c = Check::Sql(SqlCheck {
        target: "db".into(),
        query: "q".into(),
        expect: "rows == 0".into(),
    });
    let facts = Facts::Rows {
        columns: vec!["pid".into(), "query".into()],
        rows: vec![
            vec![json!(42), json!("select\n1")],
            vec![json!(43), Value::Null],
        ],
    };
    let v = judge(&c, &facts);
    assert!(!v.passed);
    assert_eq!(v.value, json!(42));
    assert_eq!(
        v.output,
        "2 row(s) (expect rows == 0)\npid | query\n42 | select 1\n43 | -"
    );
    let c = Check::Sql(SqlCheck {
        target: "db".into(),
        query: "q".into(),
        expect: "row.pid == 42".into(),
    });
    assert!(judge(&c, &facts).passed);
    let many = Facts::Rows {
        columns: vec!["n".into()],
        rows: (0..12).map(|i| vec![json!(i)]).collect(),
    };
    assert!(judge(&c, &many).output.ends_with("... 2 more"));
    let empty = Facts::Rows {
        columns: vec![],
        rows: vec![],
    };
    let c = Check::Sql(SqlCheck {
        target: "db".into(),
        query: "q".into(),
        expect: "rows == 0".into(),
    });
    assert_eq!(
        judge(&c, &empty),
        Verdict {
            passed: true,
            inconclusive: false,
            value: Value::Null,
            output: "0 row(s) (expect rows == 0)".into()
        }
    );
}

#[test]
fn recent_deploys_pass_inside_the_window() {
    let c = Check::RecentDeploy(RecentDeployCheck {
        workload: "w".into(),
        within: Duration::from_secs(3600),
    });
    let recent = Facts::LastDeploy(Some(Deploy {
        age: Duration::from_millis(720_400),
        revision: "7".into(),
        has_previous: true,
    }));
    let v = judge(&c, &recent);
    assert!(v.passed);
    assert_eq!(v.output, "revision 7 deployed 12m ago");
    let old = Facts::LastDeploy(Some(Deploy {
        age: Duration::from_secs(7200),
        revision: "6".into(),
        has_previous: true,
    }));
    assert!(judge(&c, &old)
        .output
        .contains("no deploy in the last 1h (last: revision 6, 2h ago)"));
    assert!(!judge(&c, &Facts::LastDeploy(None)).passed);
    // The first revision (a Compose project just created, say): recent,
    // but there is nothing to roll it back to, so it is no rollback's suspect.
    let first = Facts::LastDeploy(Some(Deploy {
        age: Duration::from_secs(600),
        revision: "1".into(),
        has_previous: false,
    }));
    let v = judge(&c, &first);
    assert!(!v.passed && !v.inconclusive, "{v:?}");
    assert_eq!(
        v.output,
        "revision 1 deployed 10m ago, but no revision before it is on record: nothing to roll back to"
    );
}

#[test]
fn unavailable_sources_mismatches_and_bad_expects_fail_with_a_reason() {
    let c = Check::Metric(MetricCheck {
        series: "s".into(),
        expect: "valu < 1".into(),
    });
    let v = judge(&c, &Facts::Number(Some(1.0)));
    assert!(
        !v.passed && v.output.contains("cannot judge `valu < 1`"),
        "{}",
        v.output
    );
    let v = judge(&c, &Facts::Unavailable("no Prometheus configured".into()));
    assert_eq!(v.output, "no Prometheus configured");
    let v = judge(&c, &answered(200, ""));
    assert!(v.output.starts_with("internal: a metric check"));
}

#[test]
fn formats_numbers_compactly() {
    assert_eq!(fmt_num(3.0), "3");
    assert_eq!(fmt_num(0.12345), "0.1235");
    assert_eq!(fmt_num(0.5), "0.5");
    assert_eq!(expect_expr(" >= 1"), "value >= 1");
    assert_eq!(expect_expr("ready >= 1"), "ready >= 1");
}
