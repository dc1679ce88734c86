//! The header with more targets than fit: worst first, ending `+N more (K
//! degraded)`; and `T`, the list of every target with its health and reason.

use opsdeck::console::Model;
use opsdeck::model::{Health, TargetKind};
use opsdeck::ui::state::Mode;
use std::time::Duration;

#[path = "support/screen.rs"]
mod screen;
use screen::*;

/// Ten targets in config order, five of them degraded (the odd ones).
fn ten_targets() -> Model {
    let mut m = Model::new(Duration::from_secs(2), false);
    m.now = NOW;
    let kinds = [
        ("host", TargetKind::Host),
        ("local", TargetKind::Docker),
        ("main", TargetKind::Prometheus),
        ("am", TargetKind::Alertmanager),
        ("api", TargetKind::Scrape),
        ("node", TargetKind::Scrape),
        ("site", TargetKind::Probe),
        ("login", TargetKind::Scrape),
        ("db", TargetKind::Postgres),
        ("edge", TargetKind::Probe),
    ];
    let reasons = [
        "connection refused",
        "not Prometheus exposition: text/html, 0 samples, 1 bad line",
        "no answer within 5s",
        "HTTP 503 (expected 2xx)",
        "password authentication failed for user \"opsdeck\"",
    ];
    for (i, (name, kind)) in kinds.iter().enumerate() {
        m.add_target(name, *kind);
        m.targets[i].health = if i % 2 == 1 {
            Health::Degraded {
                reason: reasons[i / 2].into(),
                since: NOW - 60 * (i as i64 + 1),
                retry_in: Duration::from_secs(4),
            }
        } else {
            Health::Ok
        };
    }
    m
}

fn header_line(width: u16) -> String {
    let t = text(&frame(&ten_targets(), &ui(), width, 24));
    t.lines().next().unwrap_or_default().trim_end().to_string()
}

#[test]
fn header_80_columns_worst_first_with_what_did_not_fit() {
    let line = header_line(80);
    insta::assert_snapshot!(line);
    assert!(
        line.contains("▲ local"),
        "the first degraded target leads: {line}"
    );
    assert!(line.contains("more ("), "{line}");
}

#[test]
fn header_160_columns_worst_first_with_what_did_not_fit() {
    let line = header_line(160);
    insta::assert_snapshot!(line);
    let degraded_at = line.find("▲").unwrap();
    let ok_at = line.find("●").unwrap_or(usize::MAX);
    assert!(degraded_at < ok_at, "{line}");
}

#[test]
fn three_targets_fit_with_their_reasons() {
    let mut m = ten_targets();
    m.targets.truncate(3);
    let t = text(&frame(&m, &ui(), 160, 24));
    let line = t.lines().next().unwrap();
    assert!(line.contains("local: connection refused"), "{line}");
    assert!(!line.contains("more"), "{line}");
}

#[test]
fn the_targets_list_80x24() {
    let mut ui = ui();
    ui.mode = Mode::Targets;
    insta::assert_snapshot!(text(&frame(&ten_targets(), &ui, 80, 24)));
}

#[test]
fn the_targets_list_160x48() {
    let mut ui = ui();
    ui.mode = Mode::Targets;
    let t = text(&frame(&ten_targets(), &ui, 160, 48));
    assert!(
        t.contains("password authentication failed for user \"opsdeck\""),
        "the full reason: {t}"
    );
    insta::assert_snapshot!(t);
}
