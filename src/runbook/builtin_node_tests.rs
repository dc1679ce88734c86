//! The node runbook, driven as in the parent module.

use super::*;

fn params() -> [(&'static str, &'static str); 2] {
    [("target", "prod"), ("node", "node-2")]
}

#[test]
fn a_node_not_ready_is_drained_and_watched_back() {
    let ready_reads = std::cell::Cell::new(0);
    let t = drive("node", RunMode::Run, &params(), &[], |step| match step {
        // Not ready when the run starts, ready again on the wait's first read.
        "ready" | "back" => {
            ready_reads.set(ready_reads.get() + 1);
            Facts::Number(Some(if ready_reads.get() > 1 { 1.0 } else { 0.0 }))
        }
        "memory" | "pids" => Facts::Number(Some(0.0)),
        "disk" => Facts::Number(Some(1.0)),
        other => panic!("unexpected check {other}"),
    });
    assert_eq!(t.outcome, RunOutcome::completed());
    assert!(t.started.contains(&"drain".to_string()), "{:?}", t.started);
    assert!(t.started.contains(&"uncordon".to_string()));
    let drain = t
        .prompts
        .iter()
        .find(|p| p.contains("kubectl drain"))
        .unwrap();
    assert!(drain.contains("kubectl cordon node-2"), "{drain}");
    assert!(
        t.applied.is_empty(),
        "the runbook changes nothing by itself"
    );
}

#[test]
fn a_node_that_recovered_by_itself_ends_healthy() {
    let t = drive("node", RunMode::Run, &params(), &[], |step| match step {
        "ready" => Facts::Number(Some(1.0)),
        "memory" | "disk" | "pids" => Facts::Number(Some(0.0)),
        other => panic!("unexpected check {other}"),
    });
    assert_eq!(t.outcome, RunOutcome::completed());
    assert_eq!(t.started.last().map(String::as_str), Some("healthy"));
}
