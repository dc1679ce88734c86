use super::*;
use crate::load::capacity::infra::{fold, DbUse, InfraSample, WorkloadUse};
use crate::load::capacity::stages::parse_stages;
use crate::load::capacity::threshold::{Extra, Threshold};
use crate::load::stats::{Sample, Stats};
use std::time::Duration;

fn degraded_performance() -> Runbook {
    crate::runbook::builtin::builtin()
        .unwrap()
        .into_iter()
        .find(|r| r.id == RUNBOOK)
        .unwrap()
}

fn failed_row() -> StageRow {
    let mut s = Stats::new();
    for i in 0..20 {
        s.record(&Sample {
            done_at: Duration::from_millis(i),
            latency: Duration::from_millis(1800),
            service: Duration::from_millis(1800),
            result: Ok(200),
        });
    }
    let stage = parse_stages("200:1m").unwrap()[0];
    let row = StageRow::judge(
        stage,
        s.snapshot(Duration::from_secs(1), 4),
        Extra::default(),
        &[Threshold::parse("p95<1s").unwrap()],
    );
    assert!(!row.passed());
    row
}

fn infra(cpu: f64, connections: u32) -> StageInfra {
    fold(&[InfraSample {
        workload: Some(Ok(WorkloadUse {
            name: "local/_/api".into(),
            cpu_percent: cpu,
            cpu_limit_percent: 50.0,
            mem_bytes: 10 << 20,
            mem_limit_bytes: 256 << 20,
            restarts: 0,
        })),
        databases: vec![(
            "main-db".into(),
            Ok(DbUse {
                connections,
                max_connections: 100,
                longest_query_secs: 0.2,
                mean_statement_ms: Some(3.0),
                slowest: None,
            }),
        )],
    }])
}

#[test]
fn cpu_at_its_limit_is_cpu_bound_as_the_runbook_says() {
    let b = judge(&degraded_performance(), &failed_row(), &infra(48.5, 48)).unwrap();
    assert_eq!(b.step, "scale_up");
    assert_eq!(b.title, "CPU-bound: scale out");
    assert_eq!(
        b.readings,
        "local/_/api CPU 97 % of its limit, memory 4 % of its limit, main-db connections 48/100"
    );
}

#[test]
fn a_database_near_its_connection_limit_is_the_database() {
    let b = judge(&degraded_performance(), &failed_row(), &infra(10.0, 95)).unwrap();
    assert_eq!(b.step, "database");
}

#[test]
fn nothing_saturated_is_unclear_and_unread_sources_are_not_zero() {
    let b = judge(&degraded_performance(), &failed_row(), &infra(10.0, 10)).unwrap();
    assert_eq!(b.step, "unclear");
    let unread = fold(&[InfraSample {
        workload: Some(Err("engine gone".into())),
        databases: vec![],
    }]);
    let b = judge(&degraded_performance(), &failed_row(), &unread).unwrap();
    assert_eq!(b.step, "unclear");
    assert_eq!(b.readings, "workload unread: engine gone");
}
