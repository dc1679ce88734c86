//! `opsdeck db sessions | cancel | terminate` run as a user runs them (the
//! real binary) against a real PostgreSQL: a pg_sleep session is listed as
//! long-running, then cancelled; another is terminated; read-only, dry run,
//! no confirmation and a role without pg_signal_backend each stop short with
//! their exit code; and neither DSN appears in any output or the audit log.

#[path = "support/postgres.rs"]
mod postgres;

use postgres::{backend_pid, session, Postgres, SUPER_PASSWORD};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const WATCHER_PASSWORD: &str = "pw-Watch-42ab77";
const URL_ENV: &str = "OPSDECK_TEST_MAIN_DB_URL";

struct Cli {
    config: PathBuf,
    data: PathBuf,
    dsn: String,
    /// Everything the binary printed, to search for secrets at the end.
    seen: std::sync::Mutex<String>,
}

impl Cli {
    async fn run(&self, args: &[&str]) -> Output {
        let (config, data, dsn) = (self.config.clone(), self.data.clone(), self.dsn.clone());
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let out = tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_opsdeck"))
                .args(&args)
                .env("OPSDECK_CONFIG", config)
                .env("OPSDECK_DATA_DIR", data)
                .env(URL_ENV, dsn)
                .stdin(Stdio::null())
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        let mut seen = self.seen.lock().unwrap();
        seen.push_str(&String::from_utf8_lossy(&out.stdout));
        seen.push_str(&String::from_utf8_lossy(&out.stderr));
        out
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// What became of a sleeping session: its query's result, and whether the
/// connection was closed under it.
type Slept = (Result<(), tokio_postgres::Error>, bool);

/// A session running `pg_sleep(600)`, by PID, and its end once it comes.
async fn sleeper(pg: &Postgres, name: &str) -> (i32, tokio::task::JoinHandle<Slept>) {
    let c = session(&pg.superuser_dsn(), name).await;
    let pid: i32 = backend_pid(&c).await;
    let task = tokio::spawn(async move {
        let r = c.batch_execute("select pg_sleep(600)").await;
        (r, c.is_closed())
    });
    (pid, task)
}

fn write_config(dir: &Path, watcher_dsn: &str) -> PathBuf {
    let dsn_file = dir.join("watch-db.dsn");
    postgres::write_dsn_file(&dsn_file, watcher_dsn);
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[postgres]]\nname = \"main-db\"\nurl_env = \"{URL_ENV}\"\n\n\
             [[postgres]]\nname = \"watch-db\"\nurl_file = \"{}\"\n",
            dsn_file.display()
        ),
    )
    .unwrap();
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_listed_then_cancelled_and_terminated_through_the_action_path() {
    let pg = Postgres::start(20);
    let admin = session(&pg.superuser_dsn(), "setup").await;
    admin
        .batch_execute(&format!(
            "create role watcher login password '{WATCHER_PASSWORD}' in role pg_monitor"
        ))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let watcher_dsn = pg.dsn("watcher", WATCHER_PASSWORD, "postgres");
    let cli = Cli {
        config: write_config(dir.path(), &watcher_dsn),
        data: dir.path().join("data"),
        dsn: pg.superuser_dsn(),
        seen: Default::default(),
    };

    let (c_pid, c_task) = sleeper(&pg, "sleeper").await;
    let c_arg = c_pid.to_string();
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let out = cli.run(&["db", "sessions", "main-db"]).await;
    assert_eq!(code(&out), 0, "{}", text(&out));
    let line = text(&out)
        .lines()
        .find(|l| l.trim_start().starts_with(&c_arg))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no row for {c_pid}:\n{}", text(&out)));
    assert!(
        line.contains("sleeper") && line.contains("active") && line.contains("pg_sleep(600)"),
        "{line}"
    );
    let out = cli.run(&["db", "sessions", "main-db", "--json"]).await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = v["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["pid"] == c_pid)
        .expect("the sleeper in --json")
        .clone();
    assert!(row["running_secs"].as_f64().unwrap() >= 1.0, "{row}");
    assert_eq!(v["target"], "main-db");

    // Refusals leave the query running.
    let out = cli
        .run(&["--read-only", "db", "cancel", "main-db", &c_arg, "--yes"])
        .await;
    assert_eq!(code(&out), 3, "{}", text(&out));
    let out = cli
        .run(&["db", "cancel", "main-db", &c_arg, "--dry-run"])
        .await;
    assert_eq!(code(&out), 0, "{}", text(&out));
    let plan = text(&out);
    assert!(
        plan.contains(&format!("pg_cancel_backend({c_pid})"))
            && plan.contains("user postgres")
            && plan.contains("\"sleeper\"")
            && plan.contains("dry run"),
        "{plan}"
    );
    let out = cli.run(&["db", "cancel", "main-db", &c_arg]).await;
    assert_eq!(code(&out), 4, "no terminal, no --yes: {}", text(&out));
    // pg_monitor may watch but not signal a superuser's session.
    let out = cli
        .run(&["db", "cancel", "watch-db", &c_arg, "--yes"])
        .await;
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("must be a superuser"), "{}", text(&out));
    assert!(!c_task.is_finished(), "refusals must not stop the query");

    let out = cli.run(&["db", "cancel", "main-db", &c_arg, "--yes"]).await;
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("stopped"), "{}", text(&out));
    let (result, closed) = tokio::time::timeout(Duration::from_secs(10), c_task)
        .await
        .expect("the query ends")
        .unwrap();
    let err = result.expect_err("the sleep was cancelled");
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::QUERY_CANCELED),
        "{err}"
    );
    assert!(!closed, "cancel keeps the session");

    let (d_pid, d_task) = sleeper(&pg, "doomed").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let out = cli
        .run(&["db", "terminate", "main-db", &d_pid.to_string(), "--yes"])
        .await;
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("is gone"), "{}", text(&out));
    let (result, _) = tokio::time::timeout(Duration::from_secs(10), d_task)
        .await
        .expect("the session ends")
        .unwrap();
    let err = result.expect_err("the session was terminated");
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::ADMIN_SHUTDOWN),
        "{err}"
    );

    let out = cli
        .run(&["db", "cancel", "main-db", "999999", "--yes"])
        .await;
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("no backend with PID 999999"),
        "{}",
        text(&out)
    );
    let out = cli.run(&["db", "sessions", "nope"]).await;
    assert_eq!(code(&out), 2, "{}", text(&out));

    let audit = std::fs::read_to_string(cli.data.join("audit.jsonl")).unwrap();
    let verbs: Vec<String> = audit
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|r| {
            format!(
                "{} {}",
                r["verb"].as_str().unwrap(),
                r["phase"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        verbs,
        [
            "cancel intent",
            "cancel outcome",
            "cancel intent",
            "cancel outcome",
            "terminate intent",
            "terminate outcome"
        ],
        "{audit}"
    );
    let seen = cli.seen.lock().unwrap().clone() + &audit;
    for secret in [SUPER_PASSWORD, WATCHER_PASSWORD, &cli.dsn, &watcher_dsn] {
        assert!(!seen.contains(secret), "{secret} appeared:\n{seen}");
    }
}

#[test]
fn a_dsn_written_into_the_config_is_refused_where_it_stands() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let dsn = format!("postgres://postgres:{SUPER_PASSWORD}@127.0.0.1:5432/postgres");
    std::fs::write(
        &config,
        format!("[[postgres]]\nname = \"main-db\"\nurl = \"{dsn}\"\n"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["config", "check"])
        .env("OPSDECK_CONFIG", &config)
        .output()
        .unwrap();
    let t = text(&out);
    assert_ne!(code(&out), 0, "{t}");
    assert!(t.contains("config.toml:3:") && t.contains("url_env"), "{t}");
    assert!(!t.contains(SUPER_PASSWORD), "{t}");
}

/// The built-in database runbook, headless: its checks read the new series
/// and SQL on the real server, it finds the head of a lock chain, cancelling
/// an idle-in-transaction session is refused (no query runs), the wait for
/// the chain to clear times out, and terminating the head clears it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_runbook_clears_a_lock_chain_by_terminating_its_head() {
    let pg = Postgres::start(20);
    let admin = session(&pg.superuser_dsn(), "setup").await;
    admin
        .batch_execute(
            "create table accounts (id int primary key, balance int);
             insert into accounts values (1, 100);",
        )
        .await
        .unwrap();
    let holder = session(&pg.superuser_dsn(), "holder").await;
    holder
        .batch_execute("begin; update accounts set balance = 1 where id = 1")
        .await
        .unwrap();
    let holder_pid: i32 = backend_pid(&holder).await;
    let waiter = session(&pg.superuser_dsn(), "waiter").await;
    let waiting = tokio::spawn(async move {
        waiter
            .batch_execute("update accounts set balance = 2 where id = 1")
            .await
    });
    tokio::time::sleep(Duration::from_millis(500)).await;

    let dir = tempfile::tempdir().unwrap();
    let cli = Cli {
        config: write_config(dir.path(), "unused"),
        data: dir.path().join("data"),
        dsn: pg.superuser_dsn(),
        seen: Default::default(),
    };
    let pid = format!("pid={holder_pid}");
    let out = cli
        .run(&[
            "runbook",
            "run",
            "database",
            "--param",
            "db=main-db",
            "--param",
            &pid,
            "--yes",
        ])
        .await;
    let t = text(&out);
    assert_eq!(code(&out), 0, "{t}");
    assert!(t.contains("runs no query now"), "cancel refused:\n{t}");
    assert!(
        t.contains(&format!("backend {holder_pid} on main-db is gone")),
        "{t}"
    );
    // With the head gone, the waiter's update went through.
    tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the waiter finishes")
        .unwrap()
        .expect("the waiter's update succeeds");
    let audit = std::fs::read_to_string(cli.data.join("audit.jsonl")).unwrap();
    assert!(audit.contains("\"verb\":\"terminate\""), "{audit}");
    let seen = cli.seen.lock().unwrap().clone() + &audit;
    assert!(!seen.contains(SUPER_PASSWORD), "{seen}");
}

/// The console's path: `7`, select the sleeper, `c`, the plan comes back into
/// the same confirmation dialog the workload verbs use, `y` runs it through
/// the effects, and the result is shown; the query was really cancelled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_cancels_the_selected_session_through_the_confirmation_dialog() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use opsdeck::connect::postgres::Dsn;
    use opsdeck::console::Event;
    use opsdeck::console::Model;
    use opsdeck::exec::Performer;
    use opsdeck::model::TargetKind;
    use opsdeck::source::poll_once;
    use opsdeck::source::postgres::PostgresSource;
    use opsdeck::ui::state::action_flow::ActionFlow;
    use opsdeck::ui::state::UiState;
    use opsdeck::ui::update::{update, Command, UiEvent};

    let pg = Postgres::start(20);
    let dir = tempfile::tempdir().unwrap();
    let dsn_file = dir.path().join("main-db.dsn");
    postgres::write_dsn_file(&dsn_file, &pg.superuser_dsn());
    let config_path = dir.path().join("config.toml");
    std::fs::write(
        &config_path,
        format!(
            "[[postgres]]\nname = \"main-db\"\nurl_file = \"{}\"\n",
            dsn_file.display()
        ),
    )
    .unwrap();
    std::env::set_var("OPSDECK_DATA_DIR", dir.path().join("data"));
    let config = opsdeck::config::load(Some(config_path)).unwrap().config;

    let (c_pid, c_task) = sleeper(&pg, "sleeper").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut model = Model::new(Duration::from_secs(2), false);
    model.add_target("main-db", TargetKind::Postgres);
    let mut src = PostgresSource::new("main-db", Dsn::of(&config.postgres[0]).unwrap());
    for u in poll_once(&mut src, Duration::from_secs(20)).await.unwrap() {
        model.apply_update(u);
    }
    let mut ui = UiState::new(opsdeck::config::theme::Theme::default());
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let (updates, _collected) = tokio::sync::mpsc::channel(64);
    let mut performer = Performer::new(config, false, tx, updates);
    let press = |model: &mut Model, ui: &mut UiState, c: char| {
        let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        update(model, ui, UiEvent::Key(key))
    };
    press(&mut model, &mut ui, '7');
    let row = opsdeck::ui::lists::sessions(&model, &ui)
        .iter()
        .position(|(_, s)| s.pid == c_pid)
        .expect("the sleeper is listed");
    for _ in 0..row {
        press(&mut model, &mut ui, 'j');
    }
    let cmds = press(&mut model, &mut ui, 'c');
    let [Command::PlanAction(request)] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        request.workload.to_string(),
        format!("main-db/backend/{c_pid}")
    );
    performer.perform(Command::PlanAction(request.clone()));
    let mut next = async || {
        let u = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("the effects answer")
            .unwrap();
        assert!(matches!(u, Event::Action(_)), "{u:?}");
        u
    };
    let planned = next().await;
    update(&mut model, &mut ui, UiEvent::from(planned));
    let Some(ActionFlow::Confirm(plan)) = &ui.action else {
        panic!("expected the dialog: {:?} {:?}", ui.action, ui.message)
    };
    assert!(
        plan.summary.contains("application \"sleeper\""),
        "{}",
        plan.summary
    );
    let cmds = press(&mut model, &mut ui, 'y');
    assert!(matches!(cmds.as_slice(), [Command::Execute(_)]), "{cmds:?}");
    performer.perform(cmds[0].clone());
    while !matches!(ui.action, Some(ActionFlow::Finished { .. })) {
        let u = next().await;
        update(&mut model, &mut ui, UiEvent::from(u));
    }
    let Some(ActionFlow::Finished { ok, result, .. }) = &ui.action else {
        unreachable!()
    };
    assert!(*ok, "{result}");
    let (slept, _) = tokio::time::timeout(Duration::from_secs(10), c_task)
        .await
        .expect("the query ends")
        .unwrap();
    assert_eq!(
        slept.unwrap_err().code(),
        Some(&tokio_postgres::error::SqlState::QUERY_CANCELED)
    );
}
