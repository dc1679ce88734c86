//! The Cache pane of the Database view: a snapshot beside a PostgreSQL
//! target, the colours of its lines (red at maxmemory, grey when unknown),
//! and a cache that stopped answering dimmed under its stale line.

#[path = "support/screen.rs"]
mod screen;

use opsdeck::console::Model;
use opsdeck::model::cache::{
    info, rates, CacheSnapshot, Counters, LatencyEvent, LatencyMonitor, RoundTrip, SlowEntry,
};
use opsdeck::model::{Health, Severity, TargetKind};
use opsdeck::source::Update;
use opsdeck::ui::state::View;
use screen::*;
use std::time::Duration;

/// As Debian's redis-server 7.0.15 answered when filled past its 2 MiB.
fn sample() -> CacheSnapshot {
    let mut info = info::parse(include_str!("fixtures/redis/info_7_0_evicting.txt")).unwrap();
    info.persistence.rdb_last_save_time = Some(NOW - 3600);
    let before = Counters::of(&info, 0.0);
    let mut now = before;
    (now.at, now.uptime_secs) = (2.0, before.uptime_secs + 2);
    (now.hits, now.misses, now.evicted) =
        (before.hits + 30, before.misses + 70, before.evicted + 40);
    now.commands = before.commands + 2400;
    CacheSnapshot {
        endpoint: "default@cache.internal:6379/0".into(),
        info,
        rates: rates(&before, &now),
        ping: RoundTrip {
            p50: Some(0.0004),
            p95: Some(0.0009),
            p99: Some(0.0012),
        },
        info_round_trip: RoundTrip {
            p50: Some(0.0006),
            p95: Some(0.0011),
            p99: Some(0.0013),
        },
        latency: LatencyMonitor::On {
            threshold_ms: 10,
            events: vec![LatencyEvent {
                event: "command".into(),
                at: NOW - 30,
                latest_ms: 50,
                max_ms: 50,
            }],
        },
        slowlog: Ok(vec![SlowEntry {
            id: 3,
            at: NOW - 30,
            micros: 50_095,
            command: "DEBUG SLEEP 0.05".into(),
            client: "10.0.0.7:40556".into(),
        }]),
        was_warm: true,
        at: NOW,
    }
}

fn with_cache() -> Model {
    let mut m = console();
    screen::fixtures::with_sample_database(&mut m, NOW);
    m.add_target("cache", TargetKind::Redis);
    m.apply_update(Update::Health {
        target: "cache".into(),
        health: Health::Ok,
    });
    m.apply_update(Update::Cache {
        target: "cache".into(),
        at: NOW,
        snapshot: Box::new(sample()),
    });
    m
}

#[test]
fn database_with_a_cache_120x40() {
    insta::assert_snapshot!(text(&frame(
        &with_cache(),
        &in_view(View::Database),
        120,
        40
    )));
}

#[test]
fn the_cache_pane_colours_what_is_wrong_and_greys_what_is_not_known() {
    let ui = in_view(View::Database);
    let buf = frame(&with_cache(), &ui, 120, 40);
    let red = ui.theme.severity(Severity::Critical).fg;
    let amber = ui.theme.severity(Severity::Warning).fg;
    // At maxmemory: red. A hit ratio that dropped after being warm: red.
    let (x, y) = find(&buf, "2.0 MiB of 2.0 MiB maxmemory");
    assert_eq!(buf[(x, y)].style().fg, red);
    let (x, y) = find(&buf, "30.0% of 50 lookups/s (dropped: it was above 80%)");
    assert_eq!(buf[(x, y)].style().fg, red);
    let (x, y) = find(&buf, "20.0/s evicted at maxmemory");
    assert_eq!(buf[(x, y)].style().fg, amber);

    // Monitor off: not known, so grey, never green.
    let mut m = with_cache();
    m.caches[0].2.latency = LatencyMonitor::Off;
    let buf = frame(&m, &ui, 120, 40);
    let (x, y) = find(&buf, "?latency monitor off");
    assert_eq!(buf[(x, y)].style().fg, ui.theme.muted.fg);
}

#[test]
fn a_cache_that_stopped_answering_is_stale_and_dimmed() {
    let mut m = with_cache();
    m.apply_update(Update::Health {
        target: "cache".into(),
        health: Health::Degraded {
            reason: "cannot connect to cache.internal:6379: Connection refused".into(),
            since: NOW + 5,
            retry_in: Duration::from_secs(2),
        },
    });
    let ui = in_view(View::Database);
    let buf = frame(&m, &ui, 120, 40);
    let (x, y) = find(
        &buf,
        "as of 14:13:20 — stale: cannot connect to cache.internal:6379",
    );
    assert_eq!(buf[(x, y)].style().fg, ui.theme.warning.fg);
    let (x, y) = find(&buf, "2.0 MiB of 2.0 MiB maxmemory");
    assert_eq!(buf[(x, y)].style().fg, ui.theme.muted.fg);
}
