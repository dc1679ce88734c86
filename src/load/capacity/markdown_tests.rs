use super::*;
use crate::load::capacity::bottleneck;
use crate::load::capacity::infra::{fold, InfraSample, WorkloadUse};
use crate::load::capacity::stages::parse_stages;
use crate::load::capacity::threshold::Extra;
use crate::load::capacity::verdict::verdict;
use crate::load::stats::{Sample, Stats};
use crate::load::{Endpoint, LoadSpec, Profile, Stop};
use std::time::Duration;

fn spec() -> CapacitySpec {
    let url = "http://127.0.0.1:9/work?token=abc";
    let base = LoadSpec {
        url: url.into(),
        endpoint: Endpoint::parse(url).unwrap(),
        method: hyper::Method::GET,
        headers: vec![],
        body: Vec::new(),
        connections: 8,
        stop: Stop::After(Duration::from_secs(10)),
        profile: Profile::Max,
        http2: false,
        timeout: Duration::from_secs(5),
    };
    let stages = parse_stages("50:2s,100:2s,200:2s").unwrap();
    CapacitySpec::new(
        base,
        stages,
        &["p95<1s".into()],
        Some(crate::load::capacity::stages::Level::Users(100)),
        true,
    )
    .unwrap()
}

fn figures(latency_ms: u64) -> crate::load::LoadFigures {
    let mut s = Stats::new();
    for i in 0..40u64 {
        s.record(&Sample {
            done_at: Duration::from_millis(i * 50),
            latency: Duration::from_millis(latency_ms + i),
            service: Duration::from_millis(latency_ms),
            result: Ok(200),
        });
    }
    s.snapshot(Duration::from_secs(2), 4)
}

fn infra(cpu: f64) -> crate::load::capacity::infra::StageInfra {
    let sample = |c: f64| InfraSample {
        workload: Some(Ok(WorkloadUse {
            name: "local/_/api".into(),
            cpu_percent: c,
            cpu_limit_percent: 50.0,
            mem_bytes: 1 << 20,
            mem_limit_bytes: 0,
            restarts: 0,
        })),
        databases: vec![],
    };
    fold(&[sample(cpu / 2.0), sample(cpu)])
}

#[test]
fn the_report_answers_first_then_shows_stages_bottleneck_and_lines() {
    let spec = spec();
    let rb = crate::runbook::builtin::builtin()
        .unwrap()
        .into_iter()
        .find(|r| r.id == bottleneck::RUNBOOK)
        .unwrap();
    let rows: Vec<StageRow> = spec
        .stages
        .iter()
        .zip([(100, 10.0), (400, 30.0), (1800, 49.0)])
        .map(|(s, (ms, cpu))| {
            let mut r = StageRow::judge(*s, figures(ms), Extra::default(), &spec.thresholds);
            let i = infra(cpu);
            if !r.passed() {
                r.bottleneck = bottleneck::judge(&rb, &r, &i);
            }
            r.infra = Some(i);
            r
        })
        .collect();
    let v = verdict(&rows, spec.target);
    let md = report(&spec, &rows, &v, "2026-12-07T16:00:00Z");
    let order = [
        "# Capacity run: GET http://127.0.0.1:9/work",
        "**Question:** does it hold 100 users with p95<1s",
        "**Verdict: holds the target.** holds 100 users at p95 0.44 s; fails at 200 users: p95 1.84 s",
        "## Stages",
        "| 200 users for 2s |",
        "## Bottleneck",
        "At 200 users: local/_/api CPU 98 % of its limit, memory 1.0 MiB (no limit) → **CPU-bound: scale out**",
        "## Across the run",
        "- p99 latency, a second each: `",
        "- local/_/api CPU, % of its limit, a reading a second: `",
        "## Stage 1: 50 users",
        "| threshold p95<1s | passed (p95 0.14 s) |",
        "| workload (peak) | local/_/api CPU 20 % of its limit",
        "## Stage 3: 200 users",
        "| threshold p95<1s | FAILED (p95 1.84 s) |",
    ];
    let mut at = 0;
    for want in order {
        let found = md[at..]
            .find(want)
            .unwrap_or_else(|| panic!("`{want}` missing after byte {at} of\n{md}"));
        at += found + want.len();
    }
    assert!(!md.contains("abc"), "{md}");
    // Six readings, three stages: the CPU line climbs to its top.
    assert!(md.contains("(10 – 98 %)"), "{md}");
}
