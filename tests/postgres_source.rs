//! The PostgreSQL collector against a real server: sessions, a lock chain and
//! saturation as a pg_monitor-only role sees them; a server stopped mid-session
//! shows degraded and recovers; the DSN appears in nothing it says.

#[path = "support/postgres.rs"]
mod postgres;

use opsdeck::config::theme::Theme;
use opsdeck::connect::postgres::Dsn;
use opsdeck::console::Model;
use opsdeck::model::database::{DbSnapshot, Statements};
use opsdeck::model::{Health, TargetKind};
use opsdeck::source::postgres::PostgresSource;
use opsdeck::source::{poll_once, supervise, Update};
use opsdeck::ui::render::draw;
use opsdeck::ui::state::{UiState, View};
use postgres::{backend_pid, session, Postgres, SUPER_PASSWORD};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::time::Duration;
use tokio::sync::mpsc;

const WATCHER_PASSWORD: &str = "pw-Watch-42ab77";
const MAX: u32 = 20;

async fn reading(src: &mut PostgresSource) -> (DbSnapshot, Vec<(String, f64)>) {
    let updates = poll_once(src, Duration::from_secs(20))
        .await
        .unwrap_or_else(|e| panic!("poll failed: {e}"));
    match updates.as_slice() {
        [Update::Series { series, health, .. }, Update::Database { snapshot, .. }] => {
            assert_eq!(*health, Health::Ok);
            (*snapshot.clone(), series.clone())
        }
        other => panic!("{other:?}"),
    }
}

fn value(series: &[(String, f64)], name: &str) -> f64 {
    series
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("no series {name} in {series:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitoring_role_sees_long_queries_lock_chains_and_saturation() {
    let pg = Postgres::start(MAX);
    let admin = session(&pg.superuser_dsn(), "setup").await;
    admin
        .batch_execute(&format!(
            "create role watcher login password '{WATCHER_PASSWORD}' in role pg_monitor;
             create table accounts (id int primary key, balance int);
             insert into accounts values (1, 100);"
        ))
        .await
        .unwrap();

    // A holds the row lock in an open transaction; B waits for it; C sleeps.
    let a = session(&pg.superuser_dsn(), "holder").await;
    a.batch_execute("begin; update accounts set balance = 1 where id = 1")
        .await
        .unwrap();
    let a_pid: i32 = backend_pid(&a).await;
    let b = session(&pg.superuser_dsn(), "waiter").await;
    let b_pid: i32 = backend_pid(&b).await;
    let waiting = tokio::spawn(async move {
        b.batch_execute("update accounts set balance = 2 where id = 1")
            .await
    });
    let c = session(&pg.superuser_dsn(), "sleeper").await;
    let c_pid: i32 = backend_pid(&c).await;
    let sleeping = tokio::spawn(async move { c.batch_execute("select pg_sleep(600)").await });

    let dsn_text = pg.dsn("watcher", WATCHER_PASSWORD, "postgres");
    let mut src = PostgresSource::new("main-db", Dsn::parse(&dsn_text).unwrap());
    // Until the sleeper has run 2 s and B is seen waiting.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let (snap, series) = loop {
        let (s, v) = reading(&mut src).await;
        let ready = s.blocking.iter().any(|e| e.blocked == b_pid)
            && s.sessions
                .iter()
                .any(|x| x.pid == c_pid && x.running_secs >= 2.0);
        if ready {
            break (s, v);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never saw the lock chain and the sleeper: {s:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };

    let sleeper = snap.sessions.iter().find(|s| s.pid == c_pid).unwrap();
    assert_eq!(
        (
            sleeper.state.as_str(),
            sleeper.user.as_str(),
            sleeper.application.as_str()
        ),
        ("active", "postgres", "sleeper")
    );
    assert!(sleeper.query.contains("pg_sleep(600)"), "{sleeper:?}");
    let holder = snap.sessions.iter().find(|s| s.pid == a_pid).unwrap();
    assert_eq!(holder.state, "idle in transaction");
    let waiter = snap.sessions.iter().find(|s| s.pid == b_pid).unwrap();
    assert_eq!(waiter.blocked_by, vec![a_pid]);
    assert!(waiter.wait_event.starts_with("Lock:"), "{waiter:?}");
    let roots: Vec<i32> = snap.chains().roots.iter().map(|r| r.pid).collect();
    assert_eq!(roots, vec![a_pid]);

    // setup, A, B, C and the collector's own session: 5 of 20.
    assert_eq!(snap.connections, 5, "{:?}", snap.states);
    assert_eq!(snap.max_connections, MAX);
    assert_eq!(value(&series, "postgres:main-db:connections_ratio"), 0.25);
    assert_eq!(value(&series, "postgres:main-db:blocked_sessions"), 1.0);
    assert!(value(&series, "postgres:main-db:longest_query_seconds") >= 2.0);
    assert!(snap
        .databases
        .iter()
        .any(|(n, size)| n == "postgres" && *size > 0));
    assert!(snap.cache_hit_ratio.is_some_and(|r| r > 0.0 && r <= 1.0));
    // A second reading gives a rate.
    let (again, _) = reading(&mut src).await;
    assert!(again.tps.is_some_and(|t| t >= 0.0), "{:?}", again.tps);
    // What pg_monitor cannot do is said; nothing is hidden from it.
    assert_eq!(
        snap.limits,
        vec![
            "role watcher lacks pg_signal_backend: it can cancel or terminate only its own sessions"
                .to_string()
        ]
    );
    assert!(matches!(
        &snap.statements,
        Statements::Unavailable { reason } if reason.contains("not installed")
    ));
    admin
        .batch_execute("create extension pg_stat_statements")
        .await
        .unwrap();
    let (with_ext, _) = reading(&mut src).await;
    assert!(
        matches!(&with_ext.statements, Statements::Top { rows } if !rows.is_empty()),
        "{:?}",
        with_ext.statements
    );
    let json = serde_json::to_string(&with_ext).unwrap();
    assert!(!json.contains(WATCHER_PASSWORD) && !json.contains(SUPER_PASSWORD));

    // The Database view drawn from this real reading: the sleeper is on
    // screen, the DSN (whose role's CREATE statement is in the server's
    // statement history) is not.
    let mut model = Model::new(Duration::from_secs(2), false);
    model.add_target("main-db", TargetKind::Postgres);
    for u in poll_once(&mut src, Duration::from_secs(20)).await.unwrap() {
        model.apply_update(u);
    }
    let mut ui = UiState::new(Theme::default());
    ui.view = View::Database;
    let area = Rect::new(0, 0, 200, 40);
    let mut buf = Buffer::empty(area);
    draw(area, &mut buf, &model, &ui);
    let screen: String = (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                + "\n"
        })
        .collect();
    assert!(
        screen.contains(&c_pid.to_string()) && screen.contains("pg_sleep"),
        "{screen}"
    );
    assert!(screen.contains("connections 5/20"), "{screen}");
    for secret in [WATCHER_PASSWORD, SUPER_PASSWORD, dsn_text.as_str()] {
        assert!(!screen.contains(secret), "{secret} on screen:\n{screen}");
    }

    sleeping.abort();
    waiting.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_goes_away_shows_degraded_then_recovers_without_the_dsn() {
    let mut pg = Postgres::start(MAX);
    let dsn_text = pg.superuser_dsn();
    let src = PostgresSource::new("main-db", Dsn::parse(&dsn_text).unwrap());
    let (tx, mut rx) = mpsc::channel(64);
    let task = tokio::spawn(supervise(
        src,
        Duration::from_millis(300),
        Duration::from_secs(10),
        tx,
    ));
    assert_eq!(next_health(&mut rx).await, Health::Ok);
    pg.stop();
    let Health::Degraded { reason, .. } = next_health(&mut rx).await else {
        panic!("expected degraded")
    };
    assert!(!reason.contains(SUPER_PASSWORD), "{reason}");
    assert!(!reason.contains(&dsn_text), "{reason}");
    pg.resume();
    // Back off at most a few intervals, then a new session reads again.
    assert_eq!(next_health(&mut rx).await, Health::Ok);
    task.abort();
}

async fn next_health(rx: &mut mpsc::Receiver<Update>) -> Health {
    loop {
        let u = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("an update within 30 s")
            .expect("the collector runs");
        if let Update::Health { health, .. } = u {
            return health;
        }
    }
}
