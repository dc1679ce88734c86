//! Backups against Debian's PostgreSQL with WAL archiving on and an
//! `archive_command` that fails: pgbench data dumped by the real `pg_dump`,
//! the freshness check reading the dumps, BackupStale firing through the
//! alert engine once a dump's mtime is set back, BackupShrunk on a cut
//! dump, WalArchivingFailing from `pg_stat_archiver`, the Database view's
//! line and `opsdeck backup status`. One server for the binary.

#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/run_bin.rs"]
mod run_bin;
#[path = "support/screen.rs"]
mod screen;

use opsdeck::alert::AlertState;
use opsdeck::console::Model;
use opsdeck::model::Severity;
use opsdeck::source::targets::{plan, poll_all};
use opsdeck::ui::state::View;
use postgres::{write_dsn_file, Postgres, SUPER_PASSWORD};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const HOUR: u64 = 3600;

/// Sets `path`'s modification time `ago` into the past.
fn set_back(path: &Path, ago: Duration) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(SystemTime::now() - ago))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn pg_dump(pg: &Postgres, to: &Path) {
    let out = pg
        .client("pg_dump")
        .args(["--format=custom", "--dbname=postgres", "--file"])
        .arg(to)
        .output()
        .expect("pg_dump runs");
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn config_text(dsn_file: &Path, dumps: &Path) -> String {
    format!(
        "[[postgres]]\nname = \"main-db\"\nurl_file = \"{}\"\n\n\
         [[backup]]\nname = \"dumps\"\npostgres = \"main-db\"\npath = \"{}/*.dump\"\n\n\
         [[backup]]\nname = \"wal\"\npostgres = \"main-db\"\nwal_archive = true\n\n\
         [[backup]]\nname = \"gone\"\npostgres = \"main-db\"\npath = \"{}/missing\"\n\n\
         [[alert]]\nname = \"WalArchivingFailing\"\nfor = \"5s\"\n",
        dsn_file.display(),
        dumps.display(),
        dumps.display()
    )
}

/// Every target polled once into `model`, then the rules evaluated at `now`.
async fn read_into(model: &mut Model, config: &opsdeck::config::Config, now: i64) {
    model.add_started(poll_all(plan(config)).await);
    model.tick(now);
}

fn value(model: &Model, series: &str) -> f64 {
    model
        .store
        .latest_by_name(series)
        .unwrap_or_else(|| panic!("no {series}"))
        .1
}

fn alert(model: &Model, rule: &str) -> Option<opsdeck::console::AlertRow> {
    model
        .alerts
        .rows()
        .into_iter()
        .find(|r| r.alert.rule == rule)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dumps_and_wal_archiving_are_judged_and_alert() {
    // Archiving on, into nowhere: every attempt fails, as a full or
    // unmounted archive volume does.
    let pg = Postgres::start_with(20, "archive_mode = on\narchive_command = '/bin/false'\n");
    pg.pgbench_init();

    let work = tempfile::tempdir().unwrap();
    let dumps: PathBuf = work.path().join("dumps");
    std::fs::create_dir(&dumps).unwrap();
    let (first, second) = (dumps.join("1-monday.dump"), dumps.join("2-tuesday.dump"));
    pg_dump(&pg, &first);
    pg_dump(&pg, &second);
    set_back(&first, Duration::from_secs(49 * HOUR));
    set_back(&second, Duration::from_secs(HOUR));
    let dsn_file = work.path().join("dsn");
    write_dsn_file(&dsn_file, &pg.superuser_dsn());
    let config_path = work.path().join("config.toml");
    let text = config_text(&dsn_file, &dumps);
    std::fs::write(&config_path, &text).unwrap();
    let config = opsdeck::config::parse(&config_path, &text).unwrap();

    // Fresh: an hour old, the same size as the day before.
    let mut model = Model::new(Duration::from_secs(2), false).with_config(&config, Vec::new());
    let now = opsdeck::base::time::unix_now();
    read_into(&mut model, &config, now).await;
    let age = value(&model, "backup:dumps:age_seconds");
    assert!((3590.0..3700.0).contains(&age), "{age}");
    let size = std::fs::metadata(&second).unwrap().len() as f64;
    assert_eq!(value(&model, "backup:dumps:size_bytes"), size);
    let ratio = value(&model, "backup:dumps:size_ratio");
    assert!((0.9..1.1).contains(&ratio), "{ratio}");
    assert!(alert(&model, "BackupStale").is_none());
    let gone = model.target("gone").unwrap();
    assert_eq!(gone.health.label(), "degraded", "{gone:?}");

    // The Database view shows each backup beside the target it protects.
    let screen = screen::text(&screen::frame(
        &model,
        &screen::in_view(View::Database),
        160,
        40,
    ));
    assert!(screen.contains("backup dumps: newest 1h"), "{screen}");
    assert!(
        screen.contains("backup gone: unreadable: cannot list"),
        "{screen}"
    );

    // Tuesday's dump set back past max_age (26h): stale, through the engine.
    set_back(&second, Duration::from_secs(30 * HOUR));
    read_into(&mut model, &config, now + 1).await;
    let stale = alert(&model, "BackupStale").expect("BackupStale firing");
    assert_eq!(stale.alert.state, AlertState::Firing);
    assert_eq!(stale.alert.severity, Severity::Warning);
    assert_eq!(stale.alert.labels["postgres"], "main-db");
    assert_eq!(stale.alert.labels["backup"], "dumps");
    assert_eq!(stale.runbook_id.as_deref(), Some("backup"));

    // Wednesday's dump is cut short: a quarter of Tuesday's.
    let whole = std::fs::read(&second).unwrap();
    let cut = dumps.join("3-wednesday.dump");
    std::fs::write(&cut, &whole[..whole.len() / 4]).unwrap();
    read_into(&mut model, &config, now + 2).await;
    let shrunk = alert(&model, "BackupShrunk").expect("BackupShrunk");
    assert_eq!(shrunk.alert.state, AlertState::Firing);
    assert!(alert(&model, "BackupStale").is_none_or(|a| a.alert.state != AlertState::Firing));

    // A finished WAL segment makes the archiver try, and fail.
    let admin = postgres::session(&pg.superuser_dsn(), "test").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        admin
            .batch_execute(
                "update pgbench_branches set bbalance = bbalance + 1; select pg_switch_wal()",
            )
            .await
            .unwrap();
        let failed: i64 = admin
            .query_one("select failed_count from pg_stat_archiver", &[])
            .await
            .unwrap()
            .get(0);
        if failed > 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the archiver never failed"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    read_into(&mut model, &config, 0).await;
    assert!(value(&model, "backup:wal:archive_failures") >= 1.0);
    assert_eq!(value(&model, "backup:wal:archive_failing"), 1.0);
    let pending = alert(&model, "WalArchivingFailing").expect("WalArchivingFailing");
    assert_eq!(pending.alert.state, AlertState::Pending);
    // Its `for` (tuned to 5s here) passes while the reading is still fresh.
    model.tick(model.now + 5);
    let failing = alert(&model, "WalArchivingFailing").unwrap();
    assert_eq!(failing.alert.state, AlertState::Firing);
    assert_eq!(failing.alert.severity, Severity::Critical);
    assert_eq!(failing.alert.labels["postgres"], "main-db");

    // The CLI twin: stale and unreadable say so, and the exit is not 0.
    let data = work.path().join("data");
    let out = run_bin::opsdeck(&config_path, &data, &["backup", "status"]);
    let said = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("gone (protects main-db): UNREADABLE"),
        "{said}"
    );
    assert!(said.contains("WAL archiving failing"), "{said}");
    assert!(said.contains("shrunk: newest dump is 2"), "{said}");
    assert!(!said.contains(SUPER_PASSWORD), "{said}");
    let out = run_bin::opsdeck(
        &config_path,
        &data,
        &["backup", "status", "dumps", "--json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", run_bin::text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["level"], "warning", "{json}");
    assert_eq!(json[0]["reading"]["files"], 3, "{json}");
    assert_eq!(
        json[0]["reading"]["previous"]["path"],
        second.display().to_string()
    );
}
