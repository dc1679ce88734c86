//! The backup runbook, driven as in the parent module: the restore drill is
//! an action step, and "verified" is read back from the recorded drill.

use super::*;

#[test]
fn a_stale_dump_ends_in_a_drill_whose_result_is_read_back() {
    let t = drive(
        "backup",
        RunMode::Run,
        &[("backup", "dumps")],
        &[],
        |step| match step {
            "fresh" => Facts::Number(Some(1.4)),
            "size" => Facts::Number(Some(0.98)),
            "verified" => Facts::Number(Some(1.0)),
            other => panic!("unexpected check {other}"),
        },
    );
    assert_eq!(
        t.applied,
        [Action::VerifyBackup {
            backup: "dumps".into()
        }]
    );
    assert_eq!(t.started.last().map(String::as_str), Some("verified"));
}

#[test]
fn metric_drill_starts_at_the_drill_and_a_failed_record_fails_the_run() {
    let t = drive(
        "backup",
        RunMode::Run,
        &[("backup", "dumps"), ("metric", "drill")],
        &[],
        |step| match step {
            "verified" => Facts::Number(Some(0.0)),
            other => panic!("unexpected check {other}"),
        },
    );
    assert_eq!(t.started, ["which", "drill", "verified"]);
    assert_ne!(t.outcome, RunOutcome::completed());
}

#[test]
fn wal_archiving_ends_without_drilling_a_dump_it_does_not_have() {
    let t = drive(
        "backup",
        RunMode::Run,
        &[("backup", "wal"), ("metric", "archive_failing")],
        &[],
        |step| match step {
            "archiving" => Facts::Number(Some(0.0)),
            other => panic!("unexpected check {other}"),
        },
    );
    assert!(t.applied.is_empty());
    assert_eq!(t.started.last().map(String::as_str), Some("archive_note"));
}
