//! PostgreSQL when it matters, on a real server (Debian's PostgreSQL with
//! `max_connections = 30`): an application pool takes every normal slot,
//! yet the console's `x` terminates through the session it already has; a
//! new process with opsdeck's role gets the server's refusal and the way
//! out; a superuser's DSN gets in on a reserved slot and `db sessions`,
//! `db terminate` and the database runbook work then (the runbook names the
//! pool and frees its idle transactions). A lock chain A→B→C is read with
//! its root and counts, listed root first and preselected, and `x` on a
//! waiter offers the root with what it releases. The connection holders
//! match pg_stat_activity, and the checklist reads the server's figures.

#[path = "support/pg_incident.rs"]
mod pg_incident;
#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/run_bin.rs"]
mod run_bin;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::connect::postgres::Dsn;
use opsdeck::console::{Event, Model};
use opsdeck::exec::Performer;
use opsdeck::model::TargetKind;
use opsdeck::source::poll_once;
use opsdeck::source::postgres::PostgresSource;
use opsdeck::ui::state::action_flow::ActionFlow;
use opsdeck::ui::state::UiState;
use opsdeck::ui::update::{update, Command, UiEvent};
use pg_incident::*;
use postgres::{backend_pid, Postgres, SUPER_PASSWORD};
use run_bin::{opsdeck, text};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::mpsc;

/// The console's executor writes its audit log in the data dir, which it
/// finds in the environment: one for the whole binary, set once.
fn data_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().unwrap()).path();
    std::env::set_var("OPSDECK_DATA_DIR", dir);
    dir
}

/// The console, in process: the Model fed by the real collector, the UI
/// state, and the executor the app loop would run.
struct Console {
    model: Model,
    ui: UiState,
    src: PostgresSource,
    performer: Performer,
    replies: mpsc::Receiver<Event>,
}

impl Console {
    fn new(config_path: PathBuf) -> Console {
        data_dir();
        let config = opsdeck::config::load(Some(config_path)).unwrap().config;
        let mut model = Model::new(Duration::from_secs(1), false);
        model.add_target("main-db", TargetKind::Postgres);
        let src = PostgresSource::new("main-db", Dsn::of(&config.postgres[0]).unwrap());
        let (tx, replies) = mpsc::channel(64);
        let (updates, _) = mpsc::channel(64);
        Console {
            model,
            ui: UiState::new(opsdeck::config::theme::Theme::default()),
            src,
            performer: Performer::new(config, false, tx, updates),
            replies,
        }
    }

    async fn poll(&mut self) -> opsdeck::model::DbSnapshot {
        let updates = poll_once(&mut self.src, Duration::from_secs(20))
            .await
            .unwrap_or_else(|e| panic!("the console's poll failed: {e}"));
        for u in updates {
            self.model.apply_update(u);
        }
        self.model.databases[0].2.clone()
    }

    fn key(&mut self, c: char) -> Vec<Command> {
        let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        update(&mut self.model, &mut self.ui, UiEvent::Key(key))
    }

    /// Selects the session of `pid` with `j` from the top, as a person would.
    fn select(&mut self, pid: i32) {
        self.key('g');
        let row = opsdeck::ui::lists::sessions(&self.model, &self.ui)
            .iter()
            .position(|(_, s)| s.pid == pid)
            .unwrap_or_else(|| panic!("{pid} is not listed"));
        for _ in 0..row {
            self.key('j');
        }
    }

    async fn next(&mut self) -> Event {
        tokio::time::timeout(Duration::from_secs(30), self.replies.recv())
            .await
            .expect("the executor answers")
            .unwrap()
    }

    /// `key` on the selected session, the plan asked for and shown; returns it.
    async fn plan(&mut self, key: char) -> opsdeck::action::Plan {
        let cmds = self.key(key);
        let [Command::PlanAction(_)] = cmds.as_slice() else {
            panic!("{cmds:?} {:?}", self.ui.message)
        };
        self.performer.perform(cmds[0].clone());
        let planned = self.next().await;
        update(&mut self.model, &mut self.ui, UiEvent::from(planned));
        match &self.ui.action {
            Some(ActionFlow::Confirm(plan)) => plan.clone(),
            other => panic!("expected the dialog: {other:?} {:?}", self.ui.message),
        }
    }

    /// `y` on the dialog, then the outcome as the dialog shows it.
    async fn apply(&mut self) -> (bool, String) {
        let cmds = self.key('y');
        assert!(matches!(cmds.as_slice(), [Command::Execute(_)]), "{cmds:?}");
        self.performer.perform(cmds[0].clone());
        while !matches!(self.ui.action, Some(ActionFlow::Finished { .. })) {
            let e = self.next().await;
            update(&mut self.model, &mut self.ui, UiEvent::from(e));
        }
        let Some(ActionFlow::Finished { ok, result, .. }) = self.ui.action.take() else {
            unreachable!()
        };
        (ok, result)
    }
}

fn no_secret(t: &str) {
    for secret in [SUPER_PASSWORD, WATCHER_PASSWORD, APP_PASSWORD] {
        assert!(!t.contains(secret), "{secret} appeared:\n{t}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_full_server_actions_go_through_the_open_session_and_a_new_one_says_the_way_out() {
    let pg = Postgres::start(30);
    let admin = roles(&pg).await;
    admin
        .batch_execute("create extension pg_stat_statements")
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let watcher_config = config(dir.path(), &watcher_dsn(&pg), "");
    let data = dir.path().join("data");
    // The console opened its session before the pool came.
    let mut console = Console::new(watcher_config.clone());
    console.poll().await;
    let (pool, refusal) = fill(&pg, 10).await;
    let mut pids = Vec::new();
    for c in &pool {
        pids.push(backend_pid(c).await);
    }
    assert!(
        refusal.contains("remaining connection slots are reserved"),
        "{refusal}"
    );

    // A new process with opsdeck's role cannot get in, and says why and what to do.
    let out = opsdeck(&watcher_config, &data, &["db", "sessions", "main-db"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("remaining connection slots are reserved")
            && t.contains("superuser_reserved_connections"),
        "{t}"
    );
    let victim = pids[0];
    let out = opsdeck(
        &watcher_config,
        &data,
        &["db", "terminate", "main-db", &victim.to_string(), "--yes"],
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("the server is full. Way out"), "{t}");
    no_secret(&t);

    // The console still reads through its session, and `x` goes through it too.
    let snap = console.poll().await;
    assert_eq!((snap.connections, snap.max_connections), (27, 30));
    let top = snap.top_holder().unwrap();
    assert_eq!(
        (top.user.as_str(), top.application.as_str(), top.idle_in_tx),
        ("app", "pool", 10)
    );
    console.key('7');
    console.select(victim);
    let plan = console.plan('x').await;
    assert!(
        plan.summary.starts_with(&format!("terminate backend {victim} on main-db (user app, application \"pool\" from 127.0.0.1, idle in transaction")),
        "{}",
        plan.summary
    );
    let (ok, result) = console.apply().await;
    assert!(ok, "{result}");
    assert!(
        result.contains(&format!("backend {victim} on main-db is gone")),
        "{result}"
    );
    assert!(!alive(&admin, victim).await);

    // Full again; a superuser's DSN gets in on a reserved slot.
    let (more, _) = fill(&pg, 0).await;
    let su_dir = tempfile::tempdir().unwrap();
    let su_config = config(su_dir.path(), &pg.superuser_dsn(), "");
    let out = opsdeck(&su_config, &data, &["db", "sessions", "main-db"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("who holds the connections:"), "{t}");
    assert!(
        t.lines()
            .any(|l| l.contains("app · pool · 127.0.0.1 · idle in transaction")),
        "{t}"
    );
    let second = pids[1];
    let out = opsdeck(
        &su_config,
        &data,
        &["db", "terminate", "main-db", &second.to_string(), "--yes"],
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(!alive(&admin, second).await);

    // The database runbook, headless, on the full server: it names the pool
    // and proposes ending its idle transactions through the action path.
    let (_refill, _) = fill(&pg, 0).await;
    let report = dir.path().join("report.md");
    let out = opsdeck(
        &su_config,
        &data,
        &[
            "runbook",
            "run",
            "database",
            "--param",
            "db=main-db",
            "--yes",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("app") && t.contains("pool"),
        "the holder is named:\n{t}"
    );
    let mut idle = pids[2..10].to_vec();
    idle.sort_unstable();
    for pid in &idle {
        assert!(
            !alive(&admin, *pid).await,
            "{pid} was idle in a transaction:\n{t}"
        );
    }
    let audit = std::fs::read_to_string(data.join("audit.jsonl")).unwrap();
    let freed = idle
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    assert!(
        audit.contains(&format!("main-db/backend/{freed}")),
        "one action for the holder's idle sessions:\n{audit}"
    );
    no_secret(&(t + &audit + &std::fs::read_to_string(&report).unwrap()));
    drop((pool, more));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_chain_is_read_with_its_root_and_x_on_a_waiter_offers_the_root() {
    let pg = Postgres::start(30);
    let admin = roles(&pg).await;
    let ch = chain(&pg, &admin).await;
    let dir = tempfile::tempdir().unwrap();
    let watcher_config = config(dir.path(), &watcher_dsn(&pg), "");
    let mut console = Console::new(watcher_config.clone());
    let snap = console.poll().await;

    let chains = snap.chains();
    assert_eq!(chains.roots.len(), 1, "{:?}", snap.blocking);
    assert_eq!(chains.roots[0].pid, ch.a);
    assert_eq!(chains.roots[0].waiters, [ch.b, ch.c]);
    assert_eq!(
        chains.marker(ch.b),
        Some(format!("waits for {} (root)", ch.a))
    );
    assert_eq!(
        chains.marker(ch.c),
        Some(format!("waits for {} (root {})", ch.b, ch.a))
    );
    let order: Vec<i32> = snap.sessions.iter().map(|s| s.pid).take(3).collect();
    assert_eq!(order, [ch.a, ch.b, ch.c], "each chain root first");
    let session = |pid: i32| snap.sessions.iter().find(|s| s.pid == pid).unwrap();
    let (a, b, c) = (session(ch.a), session(ch.b), session(ch.c));
    assert_eq!(
        (
            a.database.as_str(),
            a.client.as_str(),
            a.backend_type.as_str()
        ),
        ("postgres", "127.0.0.1", "client backend")
    );
    assert!(a.xact_secs.is_some() && a.xact_start.is_some(), "{a:?}");
    assert!(
        a.locks_held
            .iter()
            .any(|l| l == "RowExclusiveLock on accounts"),
        "{a:?}"
    );
    let b_wait = b.lock_wait.clone().unwrap_or_default();
    assert!(
        b_wait.starts_with("ShareLock on transaction ") && b_wait.ends_with("(row of accounts)"),
        "{b_wait}"
    );
    assert!(
        c.lock_wait.as_deref().is_some_and(|l| l.contains("orders")),
        "{c:?}"
    );

    // The connection holders, against pg_stat_activity read directly.
    let direct = admin
        .query(
            "select usename::text, application_name, host(client_addr), state, count(*)::int8
             from pg_stat_activity where backend_type = 'client backend'
               and application_name not in ('setup', 'opsdeck')
             group by 1, 2, 3, 4 order by 1, 2, 3, 4",
            &[],
        )
        .await
        .unwrap();
    let direct: Vec<(String, String, String, String, u32)> = direct
        .iter()
        .map(|r| {
            (
                r.get(0),
                r.get(1),
                r.get(2),
                r.get(3),
                r.get::<_, i64>(4) as u32,
            )
        })
        .collect();
    let mut ours: Vec<(String, String, String, String, u32)> = snap
        .holders
        .iter()
        .filter(|h| h.application != "setup" && h.application != "opsdeck")
        .map(|h| {
            (
                h.user.clone(),
                h.application.clone(),
                h.client.clone(),
                h.state.clone(),
                h.connections,
            )
        })
        .collect();
    ours.sort();
    assert_eq!(ours, direct);
    assert!(
        snap.holders
            .iter()
            .any(|h| h.application == "opsdeck" && h.pids.is_empty()),
        "opsdeck's own session is counted, never offered"
    );

    // The view selects the root; x on a waiter offers the root instead.
    console.key('7');
    let (_, selected) = opsdeck::ui::lists::selected_session(&console.model, &console.ui).unwrap();
    assert_eq!(selected.pid, ch.a);
    console.key('j');
    let plan = console.plan('x').await;
    assert_eq!(
        plan.request.workload.to_string(),
        format!("main-db/backend/{}", ch.a)
    );
    assert!(
        plan.summary.ends_with(&format!(
            "It is the root of a lock chain: 2 waiting sessions are released ({}, {})",
            ch.b, ch.c
        )),
        "{}",
        plan.summary
    );
    let (note, _) = console.ui.message.clone().unwrap();
    assert!(
        note.starts_with(&format!(
            "{} waits for {} (root): offering its root {}",
            ch.b, ch.a, ch.a
        )),
        "{note}"
    );
    let (ok, result) = console.apply().await;
    assert!(ok, "{result}");
    assert!(
        result.starts_with(&format!("backend {} on main-db is gone", ch.a)),
        "{result}"
    );
    assert!(!alive(&admin, ch.a).await);

    // B went on, and holds its own row of orders: C now waits for B, its
    // new root. The CLI's plan on C says it is not the one to stop.
    wait_until_not_waiting(&admin, ch.b).await;
    wait_until_waiting(&admin, ch.c).await;
    let out = opsdeck(
        &watcher_config,
        &dir.path().join("data"),
        &["db", "terminate", "main-db", &ch.c.to_string(), "--dry-run"],
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains(&format!(
            "Note: backend {} is itself blocked: it waits for {} (root)",
            ch.c, ch.b
        )),
        "{t}"
    );
    drop(ch);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checklist_reads_the_servers_own_figures() {
    let pg = Postgres::start(20);
    let admin = roles(&pg).await;
    for statement in [
        "create extension pg_stat_statements",
        "alter system set idle_in_transaction_session_timeout = '10min'",
        "select pg_reload_conf()",
    ] {
        admin.batch_execute(statement).await.unwrap();
    }
    admin
        .batch_execute(
            "create table big (x int);
             insert into big select generate_series(1, 20000);
             select pg_sleep(0.25);",
        )
        .await
        .unwrap();
    for _ in 0..10 {
        admin
            .batch_execute("select count(*) from big")
            .await
            .unwrap();
    }
    // Table statistics reach shared memory when the session next goes idle.
    admin
        .batch_execute("select pg_stat_force_next_flush()")
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut console = Console::new(config(dir.path(), &watcher_dsn(&pg), ""));
    // The reload reaches pg_settings, and the statistics the views, a moment later.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let snap = loop {
        let snap = console.poll().await;
        let scanned = snap
            .checklist
            .tables
            .iter()
            .any(|t| t.name == "public.big" && t.seq_tup_read >= 200_000);
        if snap.checklist.idle_in_transaction_timeout_ms == Some(600_000.0) && scanned {
            break snap;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            snap.checklist
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let items = opsdeck::model::database::checklist::judge(&snap, opsdeck::base::time::unix_now());
    let figure = |name: &str| {
        let i = items.iter().find(|i| i.name == name).unwrap();
        (i.level, i.figure.clone())
    };
    use opsdeck::model::Severity::{Ok, Warning};
    assert_eq!(
        figure("statement_timeout"),
        (Warning, "statement_timeout off".into())
    );
    assert_eq!(
        figure("idle_in_transaction_session_timeout"),
        (Ok, "idle_in_tx timeout 10m".into())
    );
    assert_eq!(figure("pg_stat_statements").0, Ok);
    let (level, slow) = figure("slow_statements");
    assert_eq!(level, Warning, "pg_sleep(0.25) is slow: {slow}");
    let worst = &snap.checklist.slow.as_ref().unwrap().worst_query;
    assert!(worst.contains("pg_sleep"), "{worst}");
    assert!(
        slow.starts_with("slow ") && slow.contains("(worst 2"),
        "{slow}"
    );
    let (level, seq) = figure("seq_scans");
    assert_eq!(level, Warning);
    assert!(
        seq.starts_with("seq scans big 100% (2") && seq.ends_with("rows; no index)"),
        "{seq}"
    );
    assert_eq!(figure("replication_lag").1, "no replicas");
    assert_eq!(snap.checklist.database, "postgres");
}
