//! The restore drill as a runbook step, against Debian's PostgreSQL: the
//! built-in `backup` runbook at its drill (`metric=drill`) run headless
//! passes, its timeline and report name the restore time and the checks;
//! a cut dump fails the step with pg_restore's error and the run does not
//! complete; a backup without restore_to says what to add; a tiny
//! restore_timeout / dump_timeout kills the tool, names the timeout and
//! leaves no scratch database; WAL archiving with nothing archived yet
//! warns. One server for the binary, archiving on into `/bin/true`.

#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/run_bin.rs"]
mod run_bin;

use postgres::{scratch_databases, write_dsn_file, Postgres};
use run_bin::{opsdeck, text};
use std::path::Path;
use std::time::{Duration, SystemTime};

fn status_json(config: &Path, data: &Path, name: &str) -> (Option<i32>, serde_json::Value) {
    let out = opsdeck(config, data, &["backup", "status", name, "--json"]);
    let json =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    (out.status.code(), json)
}

fn config_text(dsn: &Path, dumps: &Path, extra: &str) -> String {
    format!(
        "[[postgres]]\nname = \"main-db\"\nurl_file = \"{dsn}\"\n\n\
         [[postgres]]\nname = \"drills\"\nurl_file = \"{dsn}\"\n\n\
         [[backup]]\nname = \"dumps\"\npostgres = \"main-db\"\npath = \"{dir}/*.dump\"\n{extra}\n\n\
         [[backup]]\nname = \"wal\"\npostgres = \"main-db\"\nwal_archive = true\n",
        dsn = dsn.display(),
        dir = dumps.display(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drill_runs_as_a_runbook_step_with_timeouts_and_an_empty_archive_warns() {
    let pg = Postgres::start_with(20, "archive_mode = on\narchive_command = '/bin/true'\n");
    let work = tempfile::tempdir().unwrap();
    let dumps = work.path().join("dumps");
    std::fs::create_dir(&dumps).unwrap();
    let dsn = work.path().join("dsn");
    write_dsn_file(&dsn, &pg.superuser_dsn());
    let data = work.path().join("data");
    let admin = postgres::session(&pg.superuser_dsn(), "test").await;
    let config = work.path().join("config.toml");
    let drill =
        "restore_to = \"drills\"\ncheck_query = \"select count(*) = 100000 from pgbench_accounts\"";
    std::fs::write(&config, config_text(&dsn, &dumps, drill)).unwrap();

    // Archiving on, no segment archived yet: a warning that says so, never fresh.
    let (code, json) = status_json(&config, &data, "wal");
    assert_eq!(code, Some(1), "{json}");
    assert_eq!(json[0]["level"], "warning", "{json}");
    let finding = json[0]["findings"][0]["text"].as_str().unwrap_or_default();
    assert!(finding.contains("nothing archived yet"), "{json}");
    assert_eq!(
        json[0]["series"]["backup:wal:nothing_archived"], 1.0,
        "{json}"
    );
    assert!(
        json[0]["series"]["backup:wal:age_seconds"].is_null(),
        "{json}"
    );
    // A finished segment is archived: then it has an age, and nothing to warn of.
    admin
        .batch_execute("create table wal_marker (); select pg_switch_wal()")
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while admin
        .query_one("select archived_count from pg_stat_archiver", &[])
        .await
        .unwrap()
        .get::<_, i64>(0)
        == 0
    {
        assert!(std::time::Instant::now() < deadline, "nothing was archived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (code, json) = status_json(&config, &data, "wal");
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(
        json[0]["series"]["backup:wal:nothing_archived"], 0.0,
        "{json}"
    );
    assert!(
        json[0]["series"]["backup:wal:age_seconds"].is_number(),
        "{json}"
    );
    admin.batch_execute("drop table wal_marker").await.unwrap();

    pg.pgbench_init();
    let good = dumps.join("1-good.dump");
    let dumped = pg
        .client("pg_dump")
        .args(["--format=custom", "--dbname=postgres", "--file"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(dumped.status.success(), "{dumped:?}");

    // The built-in runbook at its drill: restored, checked, read back, completed.
    let report = work.path().join("drill.md");
    let run = |backup: &str, report: &Path| {
        opsdeck(
            &config,
            &data,
            &[
                "runbook",
                "run",
                "backup",
                "--param",
                &format!("backup={backup}"),
                "--param",
                "metric=drill",
                "--yes",
                "--report",
                report.to_str().unwrap(),
            ],
        )
    };
    let out = run("dumps", &report);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    for words in [
        "pg_restore ",
        "(the recovery time); 6 checks passed (tables present: all 4 tables",
        "check_query: returned t",
        "outcome: completed",
    ] {
        assert!(said.contains(words), "{words:?} not in:\n{said}");
    }
    let md = std::fs::read_to_string(&report).unwrap();
    for words in [
        "**Verdict:** completed",
        "(the recovery time)",
        "rows public.pgbench_accounts: 100000 restored",
        "Does the recorded drill say it passed?",
    ] {
        assert!(md.contains(words), "{words:?} not in:\n{md}");
    }
    assert!(scratch_databases(&admin).await.is_empty());
    let audit = opsdeck(&config, &data, &["audit", "--json"]);
    assert!(
        String::from_utf8_lossy(&audit.stdout).contains("dumps/restore/newest"),
        "the drill step is audited: {}",
        text(&audit)
    );
    // Read-only: the step shows its plan and is refused; nothing is created.
    let out = opsdeck(
        &config,
        &data,
        &[
            "--read-only",
            "runbook",
            "run",
            "backup",
            "--param",
            "backup=dumps",
            "--param",
            "metric=drill",
            "--yes",
        ],
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("refused: opsdeck runs read-only"), "{said}");
    assert!(scratch_databases(&admin).await.is_empty());

    // A newer dump cut in half: the step fails with pg_restore's words; not completed.
    let whole = std::fs::read(&good).unwrap();
    std::fs::write(dumps.join("2-cut.dump"), &whole[..whole.len() / 2]).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&good)
        .and_then(|f| f.set_modified(SystemTime::now() - Duration::from_secs(3600)))
        .unwrap();
    let failed = work.path().join("failed.md");
    let out = run("dumps", &failed);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("pg_restore: error: could not read from input file"),
        "{said}"
    );
    assert!(
        said.contains("outcome: failed at `drill`: pg_restore failed"),
        "{said}"
    );
    assert!(!said.contains("outcome: completed"), "{said}");
    let md = std::fs::read_to_string(&failed).unwrap();
    assert!(md.contains("**Verdict:** failed at `drill`"), "{md}");
    assert!(scratch_databases(&admin).await.is_empty());
    std::fs::remove_file(dumps.join("2-cut.dump")).unwrap();

    // No restore_to: the step says what to add, and nothing is guessed.
    std::fs::write(&config, config_text(&dsn, &dumps, "")).unwrap();
    let out = run("dumps", &work.path().join("none.md"));
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("add restore_to = \"TARGET\""), "{said}");

    // A timeout too short for the real tools: killed, named, nothing left behind.
    let tiny = "restore_to = \"drills\"\nrestore_timeout = \"10ms\"\ndump_timeout = \"10ms\"";
    std::fs::write(&config, config_text(&dsn, &dumps, tiny)).unwrap();
    let out = opsdeck(&config, &data, &["backup", "verify", "dumps", "--yes"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("pg_restore was killed: it ran over the restore_timeout of 10ms"),
        "{said}"
    );
    assert!(said.contains(" dropped"), "{said}");
    assert!(scratch_databases(&admin).await.is_empty());
    let out = opsdeck(&config, &data, &["db", "dump", "main-db", "--yes"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("pg_dump was killed: it ran over the dump_timeout of 10ms"),
        "{said}"
    );
    let left: Vec<_> = std::fs::read_dir(&dumps)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["1-good.dump"], "a partial dump was left");

    // A zero timeout is refused by config check, at its line.
    let zero = "restore_to = \"drills\"\nrestore_timeout = \"0s\"";
    std::fs::write(&config, config_text(&dsn, &dumps, zero)).unwrap();
    let out = opsdeck(&config, &data, &["config", "check"]);
    let said = text(&out);
    assert_ne!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("config.toml:14:"), "{said}");
    assert!(said.contains("restore_timeout is zero"), "{said}");
}
