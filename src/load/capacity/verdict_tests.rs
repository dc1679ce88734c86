use super::*;
use crate::load::capacity::stages::{parse_spike, parse_stages, with_spike};
use crate::load::stats::{Sample, Stats};
use crate::load::ErrorKind;
use std::time::Duration;

fn figures(latency_ms: u64, result: Result<u16, ErrorKind>) -> LoadFigures {
    let mut s = Stats::new();
    for i in 0..50 {
        s.record(&Sample {
            done_at: Duration::from_millis(i),
            latency: Duration::from_millis(latency_ms),
            service: Duration::from_millis(latency_ms),
            result,
        });
    }
    s.snapshot(Duration::from_secs(1), 4)
}

fn thresholds() -> Vec<Threshold> {
    vec![Threshold::parse("p95<1s").unwrap()]
}

fn run(latencies: &[u64], stages: &[Stage]) -> Vec<StageRow> {
    stages
        .iter()
        .zip(latencies)
        .map(|(s, ms)| StageRow::judge(*s, figures(*ms, Ok(200)), Extra::default(), &thresholds()))
        .collect()
}

#[test]
fn the_verdict_names_the_highest_stage_that_held_and_the_first_that_failed() {
    let stages = parse_stages("50:1m,100:1m,200:1m,300:1m").unwrap();
    let rows = run(&[200, 410, 1800, 2500], &stages);
    let v = verdict(&rows, Level::Users(100));
    assert_eq!(v.holds, Some(Level::Users(100)));
    assert_eq!(v.fails_at, Some(Level::Users(200)));
    assert!(v.target_passed);
    assert_eq!(
        v.line,
        "holds 100 users at p95 0.41 s; fails at 200 users: p95 1.8 s (p95<1s); target 100 users: passed"
    );
    let v = verdict(&rows, Level::Users(200));
    assert!(!v.target_passed);
    assert!(
        v.line.ends_with("target 200 users: not passed"),
        "{}",
        v.line
    );
}

#[test]
fn a_pass_above_a_failed_stage_does_not_count() {
    let stages = parse_stages("10:1m,20:1m,30:1m").unwrap();
    let rows = run(&[1500, 100, 100], &stages);
    let v = verdict(&rows, Level::Users(30));
    assert_eq!(v.holds, None);
    assert_eq!(v.fails_at, Some(Level::Users(10)));
    // The target itself passed its thresholds: the run still succeeds on it.
    assert!(v.target_passed);
    assert!(
        v.line.starts_with("holds no stage; fails at 10 users"),
        "{}",
        v.line
    );
}

#[test]
fn stages_not_run_and_silent_servers_are_not_passes() {
    let stages = parse_stages("10:1m,20:1m").unwrap();
    let rows = vec![
        StageRow::judge(
            stages[0],
            figures(0, Err(ErrorKind::Connect)),
            Extra::default(),
            &thresholds(),
        ),
        StageRow::not_run(stages[1], "an earlier stage failed"),
    ];
    assert_eq!(rows[0].outcome, Outcome::NothingAnswered);
    assert_eq!(rows[0].why(), "nothing answered (connect 50)");
    let v = verdict(&rows, Level::Users(20));
    assert!(!v.target_passed);
    assert_eq!(v.fails_at, Some(Level::Users(10)));
    let v = verdict(&[], Level::Users(20));
    assert!(!v.target_passed);
    assert!(v.line.starts_with("no stage ran"), "{}", v.line);
}

#[test]
fn a_stage_stopped_before_its_end_is_not_a_failure_nor_a_hold() {
    let stages = parse_stages("10:1m,20:1m,30:1m").unwrap();
    let rows = vec![
        StageRow::judge(
            stages[0],
            figures(100, Ok(200)),
            Extra::default(),
            &thresholds(),
        ),
        StageRow {
            figures: Some(figures(100, Ok(200))),
            ..StageRow::not_run(stages[1], "stopped during the stage")
        },
        StageRow::not_run(stages[2], "stopped early"),
    ];
    let v = verdict(&rows, Level::Users(30));
    assert!(!v.target_passed);
    assert_eq!(v.holds, Some(Level::Users(10)));
    assert!(
        v.line
            .contains("; stopped at 20 users: not run: stopped during the stage;"),
        "{}",
        v.line
    );
    assert!(!v.line.contains("fails at"), "{}", v.line);
    assert!(!v.line.contains("holds 20"), "{}", v.line);
}

#[test]
fn the_spike_is_judged_apart_and_its_interrupted_step_with_the_rest() {
    let steps = parse_stages("10:1m,20:1m").unwrap();
    let stages = with_spike(&steps, parse_spike("5x@90s for 10s").unwrap());
    // 10 users, 20 users (before), spike 50, 20 users (after).
    let rows = run(&[100, 100, 3000, 1200], &stages);
    let v = verdict(&rows, Level::Users(10));
    assert_eq!(v.spike_passed, Some(false));
    assert_eq!(v.holds, Some(Level::Users(10)));
    assert_eq!(v.fails_at, Some(Level::Users(20)), "{}", v.line);
    assert!(
        v.line.contains("spike 50 users: failed: p95 3 s (p95<1s)"),
        "{}",
        v.line
    );
    assert!(v.target_passed);
}
