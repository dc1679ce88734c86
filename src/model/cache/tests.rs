use super::*;

fn info() -> Info {
    info::parse(include_str!(
        "../../../tests/fixtures/redis/info_7_0_evicting.txt"
    ))
    .unwrap()
}

fn counters(at: f64, hits: u64, misses: u64, evicted: u64) -> Counters {
    Counters {
        at,
        uptime_secs: at as u64,
        hits,
        misses,
        evicted,
        expired: 0,
        commands: hits + misses,
    }
}

fn snapshot(rates: Option<Rates>, was_warm: bool) -> CacheSnapshot {
    CacheSnapshot {
        endpoint: "default@127.0.0.1:6379/0".into(),
        info: info(),
        rates,
        ping: RoundTrip {
            p50: Some(0.001),
            p95: Some(0.002),
            p99: Some(0.003),
        },
        info_round_trip: RoundTrip::default(),
        latency: LatencyMonitor::Off,
        slowlog: Ok(vec![
            SlowEntry {
                id: 2,
                at: 10_000 - 30,
                micros: 50_000,
                command: "DEBUG SLEEP 0.05".into(),
                client: String::new(),
            },
            SlowEntry {
                id: 1,
                at: 10_000 - 3600,
                micros: 20_000,
                command: "KEYS *".into(),
                client: String::new(),
            },
        ]),
        was_warm,
        at: 10_000,
    }
}

#[test]
fn the_hit_ratio_is_of_the_lookups_between_two_readings() {
    // A week of hits before, then only misses: the ratio says cold, not 99 %.
    let r = rates(
        &counters(100.0, 1_000_000, 10, 0),
        &counters(110.0, 1_000_010, 90, 50),
    )
    .unwrap();
    assert_eq!(r.hit_ratio, Some(10.0 / 90.0));
    assert_eq!(r.evictions_per_sec, 5.0);
    assert_eq!(r.lookups_per_sec, 9.0);
    let idle = rates(&counters(100.0, 5, 5, 0), &counters(110.0, 5, 5, 0)).unwrap();
    assert_eq!(idle.hit_ratio, None, "no lookups is no ratio, not 0 or 1");
}

#[test]
fn no_rate_across_a_restart_or_no_time() {
    let before = counters(100.0, 500, 5, 9);
    let mut restarted = counters(110.0, 3, 1, 0);
    restarted.uptime_secs = 2;
    assert_eq!(rates(&before, &restarted), None);
    assert_eq!(rates(&before, &before), None);
}

#[test]
fn series_name_only_what_was_read() {
    let first = snapshot(None, false).series("cache");
    let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"redis:cache:up") && names.contains(&"redis:cache:mem_ratio"));
    assert!(names.contains(&"redis:cache:latency_p95"));
    assert!(
        !names
            .iter()
            .any(|n| n.contains("hit_ratio") || n.contains("evict")),
        "one reading has no rates: {names:?}"
    );
    let r = rates(&counters(0.0, 0, 0, 0), &counters(10.0, 5, 15, 20));
    let two = snapshot(r, false).series("cache");
    let get = |s: &[(String, f64)], n: &str| s.iter().find(|(k, _)| k == n).map(|(_, v)| *v);
    assert_eq!(get(&two, "redis:cache:hit_ratio"), Some(0.25));
    assert_eq!(get(&two, "redis:cache:hit_ratio_since_warm"), None);
    // The fixture's memory is at maxmemory, so its evictions count.
    assert_eq!(get(&two, "redis:cache:evicting"), Some(2.0));
    let warm = snapshot(r, true).series("cache");
    assert_eq!(get(&warm, "redis:cache:hit_ratio_since_warm"), Some(0.25));
    assert_eq!(
        get(&warm, "redis:cache:slow_commands"),
        Some(1.0),
        "an hour-old entry is not recent"
    );
    let mut refused = snapshot(r, true);
    refused.slowlog = Err("SLOWLOG GET: NOPERM".into());
    assert_eq!(
        get(&refused.series("cache"), "redis:cache:slow_commands"),
        None
    );
}

#[test]
fn evictions_below_maxmemory_are_not_evicting_and_no_limit_no_ratio() {
    let r = rates(&counters(0.0, 0, 0, 0), &counters(10.0, 5, 15, 20));
    let mut s = snapshot(r, false);
    s.info.used_memory = s.info.maxmemory / 2;
    assert_eq!(s.evicting(), Some(0.0));
    s.info.maxmemory = 0;
    assert_eq!(s.mem_ratio(), None);
}

#[test]
fn a_replica_with_its_link_down_lags_for_as_long() {
    let r = Replication::Replica {
        primary: "10.0.0.1:6379".into(),
        link_up: false,
        last_io_secs: None,
        link_down_secs: Some(42),
        sync_in_progress: false,
    };
    assert_eq!(r.lag_secs(), Some(42.0));
    assert_eq!(Replication::Primary { replicas: vec![] }.lag_secs(), None);
}
