//! `opsdeck backup verify` against Debian's PostgreSQL: a pg_dump of pgbench
//! data restored into a scratch database by the real pg_restore, checked
//! against the source's estimates and a query, timed and dropped; a cut
//! dump fails with pg_restore's error named, and the scratch database is
//! dropped all the same; `--read-only` refuses; the result reaches
//! `backup:NAME:last_verified`; `db dump` writes a dump pg_restore restores.
//! One server for the binary.

#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/run_bin.rs"]
mod run_bin;

use postgres::{scratch_databases, write_dsn_file, Postgres, SUPER_PASSWORD};
use run_bin::{opsdeck, text};
use std::path::Path;
use std::time::{Duration, SystemTime};

fn no_secret(said: &str) {
    assert!(
        !said.contains(SUPER_PASSWORD),
        "the password leaked:\n{said}"
    );
}

fn drill_record(data: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(data.join("backups/dumps.last-drill.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_dump_restores_and_passes_and_a_cut_one_fails_by_name() {
    let pg = Postgres::start(20);
    pg.pgbench_init();
    let work = tempfile::tempdir().unwrap();
    let dumps = work.path().join("dumps");
    std::fs::create_dir(&dumps).unwrap();
    let good = dumps.join("1-good.dump");
    let dumped = pg
        .client("pg_dump")
        .args(["--format=custom", "--dbname=postgres", "--file"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(
        dumped.status.success(),
        "{}",
        String::from_utf8_lossy(&dumped.stderr)
    );
    let dsn_file = work.path().join("dsn");
    write_dsn_file(&dsn_file, &pg.superuser_dsn());
    let config = work.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "runbook_dirs = [\"{runbooks}\"]\n\n\
             [[postgres]]\nname = \"main-db\"\nurl_file = \"{dsn}\"\n\n\
             [[postgres]]\nname = \"drills\"\nurl_file = \"{dsn}\"\n\n\
             [[backup]]\nname = \"dumps\"\npostgres = \"main-db\"\npath = \"{dir}/*.dump\"\n\
             restore_to = \"drills\"\n\
             check_query = \"select count(*) = 100000 from pgbench_accounts\"\n",
            dsn = dsn_file.display(),
            dir = dumps.display(),
            runbooks = work.path().join("runbooks").display()
        ),
    )
    .unwrap();
    let data = work.path().join("data");
    let admin = postgres::session(&pg.superuser_dsn(), "test").await;

    // Read-only refuses, after showing the plan; nothing is created.
    let out = opsdeck(
        &config,
        &data,
        &["--read-only", "backup", "verify", "dumps", "--yes"],
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(3), "{said}");
    assert!(said.contains("refused: opsdeck runs read-only"), "{said}");
    assert!(scratch_databases(&admin).await.is_empty());

    // The plan names the dump, the scratch database and where it goes.
    let out = opsdeck(&config, &data, &["backup", "verify", "dumps", "--dry-run"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    for words in [
        "create database opsdeck_verify_dumps_",
        "on [[postgres]] drills (postgres@127.0.0.1:",
        "pg_restore ",
        "1-good.dump",
        "row counts within ±20% of its pg_class.reltuples",
        "check_query: select count(*) = 100000 from pgbench_accounts",
        "(also when a step fails)",
        "dry run: nothing was changed",
    ] {
        assert!(said.contains(words), "{words:?} not in:\n{said}");
    }
    no_secret(&said);

    // The drill passes on a good dump, and leaves no scratch database.
    let out = opsdeck(&config, &data, &["backup", "verify", "dumps", "--yes"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("done: passed: "), "{said}");
    assert!(
        said.contains("(the recovery time); 6 checks passed"),
        "{said}"
    );
    no_secret(&said);
    assert!(scratch_databases(&admin).await.is_empty());
    let record = drill_record(&data);
    assert_eq!(record["ok"], true, "{record}");
    assert!(
        record["restore_seconds"].as_f64().unwrap() > 0.0,
        "{record}"
    );
    let audit = opsdeck(&config, &data, &["audit", "--json"]);
    assert!(
        String::from_utf8_lossy(&audit.stdout).contains("dumps/restore/newest"),
        "{}",
        text(&audit)
    );

    // A newer dump cut in half: pg_restore's own error, exit 1, dropped all the same.
    let whole = std::fs::read(&good).unwrap();
    let cut = dumps.join("2-cut.dump");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&good)
        .and_then(|f| f.set_modified(SystemTime::now() - Duration::from_secs(3600)))
        .unwrap();
    let out = opsdeck(&config, &data, &["backup", "verify", "dumps", "--yes"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("failed: pg_restore failed after"), "{said}");
    assert!(
        said.contains("pg_restore: error: could not read from input file"),
        "{said}"
    );
    assert!(
        said.contains("_dumps_") && said.contains(" dropped"),
        "{said}"
    );
    no_secret(&said);
    assert!(scratch_databases(&admin).await.is_empty());
    let record = drill_record(&data);
    assert_eq!(record["ok"], false, "{record}");
    assert!(record["last_passed"].as_i64().is_some(), "{record}");

    // The last drill that passed stays the figure: last_verified and its restore time.
    let out = opsdeck(&config, &data, &["backup", "status", "dumps", "--json"]);
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    let series = &json[0]["series"];
    assert_eq!(series["backup:dumps:last_drill_ok"], 0.0, "{json}");
    assert_eq!(
        series["backup:dumps:last_verified"],
        record["last_passed"].as_f64().unwrap(),
        "{json}"
    );
    assert!(
        series["backup:dumps:restore_seconds"].as_f64().unwrap() > 0.0,
        "{json}"
    );

    // A backup before a risky action: pg_dump into the backup's directory,
    // named so its pattern matches, and restorable by pg_restore.
    let out = opsdeck(
        &config,
        &data,
        &["--read-only", "db", "dump", "main-db", "--yes"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert_eq!(std::fs::read_dir(&dumps).unwrap().count(), 2);
    let out = opsdeck(&config, &data, &["db", "dump", "main-db", "--yes"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("pg_dump --format=custom of database postgres on postgres@127.0.0.1:"),
        "{said}"
    );
    assert!(said.contains("done: dumped into "), "{said}");
    no_secret(&said);
    let made: Vec<_> = std::fs::read_dir(&dumps)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("opsdeck-main-db-")
        })
        .collect();
    assert_eq!(made.len(), 1, "{made:?}");
    assert!(made[0].to_string_lossy().ends_with(".dump"), "{made:?}");
    admin
        .batch_execute("create database restored_by_test")
        .await
        .unwrap();
    let restored = pg
        .client("pg_restore")
        .args(["--no-owner", "--exit-on-error", "--dbname=restored_by_test"])
        .arg(&made[0])
        .output()
        .unwrap();
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    let copy = postgres::session(
        &pg.dsn("postgres", SUPER_PASSWORD, "restored_by_test"),
        "test",
    )
    .await;
    let rows: i64 = copy
        .query_one("select count(*) from pgbench_accounts", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 100_000);
    // The freshness check sees it as the newest dump.
    let out = opsdeck(&config, &data, &["backup", "status", "dumps", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json[0]["reading"]["newest"]["path"],
        made[0].display().to_string(),
        "{json}"
    );

    // The same dump as a runbook step (`action = "backup"`), through the same path.
    std::fs::create_dir(work.path().join("runbooks")).unwrap();
    std::fs::write(
        work.path().join("runbooks/pre-change.toml"),
        "id = \"pre-change\"\ntitle = \"Back up before a change\"\nseverity = \"warning\"\n\n\
         [params.db]\ndescription = \"The database\"\ndefault = \"main-db\"\n\n\
         [[step]]\nid = \"dump\"\nkind = \"action\"\ntitle = \"Dump it\"\n\
         action = \"backup\"\ntarget = \"{{ params.db }}\"\n",
    )
    .unwrap();
    let out = opsdeck(&config, &data, &["runbook", "run", "pre-change", "--yes"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("dumped into "), "{said}");
    let dumps_now = std::fs::read_dir(&dumps)
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().starts_with("opsdeck-main-db-")
        })
        .count();
    assert_eq!(dumps_now, 2, "{said}");
}
