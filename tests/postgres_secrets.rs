//! Secrets on a real PostgreSQL: sessions whose query text holds a password
//! in every literal form the server accepts (standard, E'', dollar-quoted
//! with and without a tag) and in a conninfo string; none of them reaches the
//! screen, the session detail, `db sessions` (text and JSON), a plan, the
//! audit log, a run's timeline or its report. A DSN file that group or
//! others may read or write is refused with its path, mode and the fix.

#[path = "support/pg_incident.rs"]
mod pg_incident;
#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/run_bin.rs"]
mod run_bin;

use opsdeck::connect::postgres::Dsn;
use opsdeck::console::Model;
use opsdeck::model::TargetKind;
use opsdeck::source::poll_once;
use opsdeck::source::postgres::PostgresSource;
use opsdeck::ui::render::draw;
use opsdeck::ui::state::{UiState, View};
use pg_incident::*;
use postgres::{backend_pid, session, Postgres, SUPER_PASSWORD};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use run_bin::{opsdeck, text};
use std::os::unix::fs::PermissionsExt as _;
use std::time::Duration;

const SECRETS: [&str; 5] = [
    "std-Secret-1",
    "esc-Secret-2",
    "dollar-Secret-3",
    "tag-Secret-4",
    "conn-Secret-5",
];

/// A runbook that finds the sessions by their text and terminates them all:
/// their queries go through a check's output, a plan, the audit log, the
/// timeline and the report.
const RUNBOOK: &str = r#"
id = "secret-sessions"
title = "End the sessions that changed passwords"
severity = "warning"

[[step]]
id = "find"
kind = "check"
title = "Sessions whose query sets a password"
sql = { target = "main-db", query = "select string_agg(pid::text, ',' order by pid) as pids, string_agg(query, ' | ' order by pid) as queries from pg_stat_activity where pid <> pg_backend_pid() and query ilike '%password%'", expect = "value is none" }
on_failure = "continue"

[[step]]
id = "terminate"
kind = "action"
title = "Terminate them"
action = "db_terminate"
target = "main-db"
pid = "{{ steps.find.value }}"
"#;

fn screen(buf: &Buffer) -> String {
    let a = buf.area;
    (a.top()..a.bottom())
        .map(|y| {
            (a.left()..a.right())
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_literals_are_masked_in_every_output() {
    let pg = Postgres::start(20);
    let admin = roles(&pg).await;
    admin
        .batch_execute("create role w1; create role w2; create role w3; create role w4")
        .await
        .unwrap();
    // Each session's query holds a password; the ALTER ROLEs stay idle in
    // their transactions, the conninfo one runs.
    let mut clients = Vec::new();
    let mut pids = Vec::new();
    for (name, statement) in [
        ("std", "ALTER ROLE w1 PASSWORD 'std-Secret-1'"),
        ("esc", "ALTER ROLE w2 PASSWORD E'esc-Secret-2\\'x'"),
        ("dollar", "ALTER ROLE w3 PASSWORD $$dollar-Secret-3$$"),
        ("tagged", "ALTER ROLE w4 PASSWORD $pw$tag-Secret-4$pw$"),
    ] {
        let c = session(&pg.superuser_dsn(), name).await;
        pids.push(backend_pid(&c).await);
        c.batch_execute(&format!("begin; {statement}"))
            .await
            .unwrap();
        clients.push(c);
    }
    let conn = session(&pg.superuser_dsn(), "conninfo").await;
    let conn_pid = backend_pid(&conn).await;
    let running = tokio::spawn(async move {
        conn.batch_execute(
            "select pg_sleep(600) where 'host=127.0.0.1 password=conn-Secret-5 dbname=x' is not null",
        )
        .await
    });
    pids.push(conn_pid);

    let dir = tempfile::tempdir().unwrap();
    let runbooks = dir.path().join("runbooks");
    std::fs::create_dir(&runbooks).unwrap();
    std::fs::write(runbooks.join("secret-sessions.toml"), RUNBOOK).unwrap();
    let config_path = config(
        dir.path(),
        &pg.superuser_dsn(),
        &format!("runbook_dirs = [\"{}\"]", runbooks.display()),
    );
    let data = dir.path().join("data");
    let mut seen = String::new();

    // The screen: the Database view from a real reading, then each session whole.
    let config = opsdeck::config::load(Some(config_path.clone()))
        .unwrap()
        .config;
    let mut src = PostgresSource::new("main-db", Dsn::of(&config.postgres[0]).unwrap());
    let mut model = Model::new(Duration::from_secs(1), false);
    model.add_target("main-db", TargetKind::Postgres);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        for u in poll_once(&mut src, Duration::from_secs(20)).await.unwrap() {
            model.apply_update(u);
        }
        let listed = &model.databases[0].2.sessions;
        if pids.iter().all(|p| listed.iter().any(|s| s.pid == *p)) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{listed:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut ui = UiState::new(opsdeck::config::theme::Theme::default());
    ui.view = View::Database;
    let area = Rect::new(0, 0, 220, 50);
    let mut buf = Buffer::empty(area);
    draw(area, &mut buf, &model, &ui);
    let list = screen(&buf);
    assert!(
        list.contains("PASSWORD '***'"),
        "the queries are shown:\n{list}"
    );
    seen.push_str(&list);
    for pid in &pids {
        ui.db.detail = Some(format!("main-db/{pid}"));
        let mut buf = Buffer::empty(area);
        draw(area, &mut buf, &model, &ui);
        let detail = screen(&buf);
        assert!(
            detail.contains(&format!("Session {pid} on main-db")),
            "{detail}"
        );
        seen.push_str(&detail);
    }
    assert!(seen.contains("password=***"), "{seen}");

    // The CLI: sessions as text and JSON, and the plan of a terminate.
    for args in [
        vec!["db", "sessions", "main-db"],
        vec!["db", "sessions", "main-db", "--json"],
    ] {
        let out = opsdeck(&config_path, &data, &args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        seen.push_str(&text(&out));
    }
    let listed: Vec<String> = pids.iter().map(i32::to_string).collect();
    let mut args = vec!["db", "terminate", "main-db"];
    args.extend(listed.iter().map(String::as_str));
    args.push("--dry-run");
    let out = opsdeck(&config_path, &data, &args);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("pg_terminate_backend") && t.contains("'***'"),
        "{t}"
    );
    seen.push_str(&t);

    // A run: the check's output, the plan, the audit log, the timeline, the report.
    let report = dir.path().join("report.md");
    let out = opsdeck(
        &config_path,
        &data,
        &[
            "runbook",
            "run",
            "secret-sessions",
            "--yes",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("are gone"), "{t}");
    seen.push_str(&t);
    let report = std::fs::read_to_string(&report).unwrap();
    assert!(report.contains("PASSWORD '***'"), "{report}");
    seen.push_str(&report);
    let audit = std::fs::read_to_string(data.join("audit.jsonl")).unwrap();
    assert!(audit.contains("\"verb\":\"terminate\""), "{audit}");
    seen.push_str(&audit);
    for entry in std::fs::read_dir(data.join("runs")).unwrap() {
        seen.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    for secret in SECRETS.iter().chain([&SUPER_PASSWORD]) {
        assert!(!seen.contains(secret), "{secret} appeared:\n{seen}");
    }
    running.abort();
}

#[test]
fn a_dsn_file_group_or_others_may_read_or_write_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let dsn = format!("postgres://postgres:{SUPER_PASSWORD}@127.0.0.1:1/postgres?sslmode=disable");
    let config_path = config(dir.path(), &dsn, "");
    let dsn_file = dir.path().join("main-db.dsn");
    let data = dir.path().join("data");
    let path = dsn_file.display().to_string();
    for (mode, says) in [
        (0o644, "mode 0644: group and others may read it"),
        (0o666, "mode 0666: group and others may read and write it"),
    ] {
        std::fs::set_permissions(&dsn_file, std::fs::Permissions::from_mode(mode)).unwrap();
        let out = opsdeck(&config_path, &data, &["db", "sessions", "main-db"]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(2), "{t}");
        assert!(
            t.contains(&format!("{path} has {says}"))
                && t.contains(&format!("Fix: chmod 600 {path}")),
            "{t}"
        );
        // `config check` says where the file is named.
        let out = opsdeck(&config_path, &data, &["config", "check"]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{t}");
        assert!(
            t.contains(&format!("config.toml:5:12: url_file {path} has {says}")),
            "{t}"
        );
        // The console's twin: the target is degraded with the same words.
        let out = opsdeck(&config_path, &data, &["status", "--json"]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{t}");
        assert!(t.contains("chmod 600"), "{t}");
        assert!(!t.contains(SUPER_PASSWORD), "{t}");
    }
    std::fs::set_permissions(&dsn_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = opsdeck(&config_path, &data, &["config", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}
