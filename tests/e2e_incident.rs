//! The whole incident loop in the console, as a new user meets it: the demo,
//! a release that fails after its deploy gate, an alert, Enter, the runbook,
//! the rollback confirmed, verified, the report written. The seconds are a
//! bench's business (benches/ttm.rs); this checks the path and the keys.

#[path = "support/free_port.rs"]
mod free_port;
#[path = "support/images.rs"]
mod images;
#[path = "support/run_bin.rs"]
mod run_bin;
#[allow(dead_code)] // the other tests use the rest
#[path = "support/tmux.rs"]
mod tmux;
#[path = "support/ttm.rs"]
mod ttm;

#[test]
fn an_alert_opens_the_runbook_that_rolls_back_verifies_and_reports_in_a_few_keys() {
    let dir = tempfile::tempdir().unwrap();
    let t = ttm::run(dir.path());
    assert!(t.keys.len() <= 12, "{:?}", t.keys);
    assert_eq!(t.outcome_line, "outcome: completed", "{t:#?}");
    for line in [
        "- **Verdict:** completed",
        "- **What fired:** HighErrorRate (",
        "- **Time to mitigate:** ",
        "rollback local/",
    ] {
        assert!(t.report.contains(line), "{line}\n{}", t.report);
    }
    // The error ratio climbs through the warning level (1 %) before the
    // critical one (5 %), so which severity the row shows when Enter is
    // pressed depends on when the scrapes fell; either way it is this alert on
    // the replicas' scraped error ratio.
    assert!(
        t.report
            .lines()
            .any(|l| l.starts_with("- **What fired:** HighErrorRate (")
                && (l.contains("(critical) on `scrape:") || l.contains("(warning) on `scrape:"))),
        "{}",
        t.report
    );
    assert!(
        !t.report.contains("not mitigated") && !t.report.contains("not verified"),
        "{}",
        t.report
    );
}
