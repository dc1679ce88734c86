use super::*;

fn row(pid: i32, state: &str, query_secs: f64) -> ActivityRow {
    ActivityRow {
        pid,
        user: "app".into(),
        application: "api".into(),
        state: state.into(),
        query_secs: Some(query_secs),
        state_secs: Some(query_secs / 2.0),
        query: "select pg_sleep(600)".into(),
        ..Default::default()
    }
}

fn reading(activity: Vec<ActivityRow>) -> RawReading {
    RawReading {
        server_version: "15.8".into(),
        max_connections: 20,
        role: "postgres".into(),
        rights: RoleRights {
            superuser: true,
            ..Default::default()
        },
        activity,
        xacts: Some(1000.0),
        blks_hit: Some(90.0),
        blks_read: Some(10.0),
        databases: vec![("app".into(), 8_000_000)],
        replicas: Vec::new(),
        replay_lag_seconds: None,
        statements: Err("pg_stat_statements is not installed".into()),
        slow: None,
        locks: Vec::new(),
        statement_timeout_ms: Some(0.0),
        idle_in_transaction_timeout_ms: Some(60_000.0),
        database: "app".into(),
        tables: Vec::new(),
    }
}

#[test]
fn counts_states_against_the_limit_and_lists_busy_sessions_longest_first() {
    let mut me = row(1, "active", 0.0);
    me.is_self = true;
    let mut waiting = row(4, "active", 5.0);
    waiting.blocked_by = vec![3];
    waiting.wait_event_type = Some("Lock".into());
    waiting.wait_event = Some("transactionid".into());
    let raw = reading(vec![
        me,
        row(2, "active", 120.0),
        row(3, "idle in transaction", 600.0),
        waiting,
        row(5, "idle", 9999.0),
    ]);
    let (snap, counter) = convert(raw, 100.0, None);
    assert_eq!(snap.connections, 5);
    assert_eq!(snap.saturation(), 0.25);
    assert_eq!(
        snap.states,
        vec![
            ("active".to_string(), 3),
            ("idle".to_string(), 1),
            ("idle in transaction".to_string(), 1)
        ]
    );
    let pids: Vec<i32> = snap.sessions.iter().map(|s| s.pid).collect();
    // Idle and opsdeck's own connection are not listed; the chain comes
    // first, root then waiter; idle-in-transaction counts from its state
    // change (300 s).
    assert_eq!(pids, vec![3, 4, 2]);
    assert_eq!(snap.sessions[0].running_secs, 300.0);
    assert_eq!(snap.sessions[1].wait_event, "Lock:transactionid");
    assert_eq!(snap.longest_query_secs(), 120.0);
    assert_eq!(
        snap.blocking,
        vec![BlockEdge {
            blocked: 4,
            blockers: vec![3]
        }]
    );
    assert_eq!(snap.chains().marker(3).as_deref(), Some("⇢ root of 1"));
    assert_eq!(snap.cache_hit_ratio, Some(0.9));
    assert_eq!(snap.tps, None, "no rate from one reading");
    assert!(snap.limits.is_empty(), "a superuser sees everything");
    assert!(matches!(
        snap.statements,
        Statements::Unavailable { ref reason } if reason.contains("not installed")
    ));
    assert_eq!(
        counter,
        Some(Counter {
            at_secs: 100.0,
            xacts: 1000.0,
            statements: None
        })
    );
}

#[test]
fn tps_is_the_counter_rate_and_a_reset_gives_none() {
    let prev = Counter {
        at_secs: 90.0,
        xacts: 800.0,
        statements: None,
    };
    let (snap, _) = convert(reading(vec![]), 100.0, Some(prev));
    assert_eq!(snap.tps, Some(20.0));
    let after_reset = Counter {
        at_secs: 90.0,
        xacts: 5000.0,
        statements: None,
    };
    let (snap, _) = convert(reading(vec![]), 100.0, Some(after_reset));
    assert_eq!(snap.tps, None);
}

#[test]
fn a_monitoring_role_is_told_what_it_cannot_do_or_see() {
    let mut hidden = row(7, "", 1.0);
    hidden.query = HIDDEN.into();
    let mut raw = reading(vec![hidden]);
    raw.role = "watcher".into();
    raw.rights = RoleRights {
        superuser: false,
        read_all_stats: false,
        signal_backend: false,
    };
    let (snap, _) = convert(raw.clone(), 0.0, None);
    assert_eq!(snap.states, vec![("unknown".to_string(), 1)]);
    let text = snap.limits.join("\n");
    assert!(text.contains("lacks pg_read_all_stats"), "{text}");
    assert!(text.contains("1 session(s) hidden"), "{text}");
    assert!(text.contains("only its own sessions"), "{text}");

    raw.rights.read_all_stats = true;
    raw.rights.signal_backend = true;
    raw.activity.clear();
    let (snap, _) = convert(raw, 0.0, None);
    assert_eq!(
        snap.limits,
        vec!["role watcher is not a superuser: it cannot cancel or terminate superusers' sessions"]
    );
}

#[test]
fn statements_are_kept_in_order_with_queries_shortened() {
    let mut raw = reading(vec![]);
    raw.statements = Ok(vec![StatementRow {
        calls: 3,
        total_ms: 1500.0,
        mean_ms: 500.0,
        query: format!("select {}", "x, ".repeat(100)),
        all_calls: 3.0,
        all_total_ms: 1500.0,
    }]);
    let (snap, _) = convert(raw, 0.0, None);
    let Statements::Top { rows } = snap.statements else {
        panic!("expected rows")
    };
    assert_eq!(rows[0].calls, 3);
    assert_eq!(rows[0].query.chars().count(), QUERY_CHARS);
    assert!(rows[0].query.ends_with('…'));
}

#[test]
fn mean_statement_time_is_over_the_window_between_readings() {
    let row = |calls: f64, total: f64| StatementRow {
        calls: 1,
        total_ms: 1.0,
        mean_ms: 1.0,
        query: "select 1".into(),
        all_calls: calls,
        all_total_ms: total,
    };
    let mut first = reading(vec![]);
    first.statements = Ok(vec![row(100.0, 1_000.0)]);
    let (snap, counter) = convert(first, 100.0, None);
    assert_eq!(snap.mean_statement_ms, None, "one reading makes no window");
    let mut second = reading(vec![]);
    // 10 calls took 6 s between the readings: 600 ms each, though the
    // all-time mean is about 63 ms.
    second.statements = Ok(vec![row(110.0, 7_000.0)]);
    let (snap, counter) = convert(second, 110.0, counter);
    assert_eq!(snap.mean_statement_ms, Some(600.0));
    let mut idle = reading(vec![]);
    idle.statements = Ok(vec![row(110.0, 7_000.0)]);
    let (snap, _) = convert(idle, 120.0, counter);
    assert_eq!(snap.mean_statement_ms, Some(0.0), "nothing ran");
}

#[test]
fn non_client_backends_are_listed_but_not_counted_and_idle_blockers_are_listed() {
    let mut vacuum = row(8, "active", 30.0);
    vacuum.backend_type = "autovacuum worker".into();
    vacuum.query = "autovacuum: VACUUM public.orders".into();
    // An idle session holding an advisory lock blocks a waiting one.
    let mut idle_holder = row(9, "idle", 500.0);
    idle_holder.client = "10.0.0.5".into();
    let mut waiting = row(10, "active", 4.0);
    waiting.blocked_by = vec![9];
    let raw = reading(vec![vacuum, idle_holder, waiting, row(11, "idle", 3.0)]);
    let (snap, _) = convert(raw, 0.0, None);
    assert_eq!(snap.connections, 3, "autovacuum has its own slots");
    let pids: Vec<i32> = snap.sessions.iter().map(|s| s.pid).collect();
    assert_eq!(pids, vec![9, 10, 8]);
    assert_eq!(snap.sessions[2].backend_type, "autovacuum worker");
    let idle: u32 = snap
        .holders
        .iter()
        .filter(|h| h.state == "idle")
        .map(|h| h.connections)
        .sum();
    assert_eq!(idle, 2);
}

#[test]
fn whole_queries_are_kept_masked_and_locks_are_in_words() {
    let mut a = row(3, "idle in transaction", 10.0);
    a.query = "ALTER ROLE app PASSWORD $pw$hunter2$pw$".into();
    let mut raw = reading(vec![a]);
    raw.locks = vec![LockRow {
        pid: 3,
        locktype: "relation".into(),
        mode: "AccessExclusiveLock".into(),
        granted: true,
        relation: Some("public.t".into()),
        transactionid: None,
    }];
    let (snap, _) = convert(raw, 0.0, None);
    assert_eq!(snap.sessions[0].query, "ALTER ROLE app PASSWORD '***'");
    assert_eq!(
        snap.sessions[0].locks_held,
        ["AccessExclusiveLock on public.t"]
    );
    assert_eq!(
        snap.checklist.idle_in_transaction_timeout_ms,
        Some(60_000.0)
    );
}
