//! The console in tmux (the real binary, the default keys) with a
//! `[[backup]]` whose newest dump is 30 hours old: the Database view shows
//! it stale under the target it protects, beside one that cannot be read,
//! and the Alerts view has BackupStale firing; then `v` on the Database view
//! runs its restore drill as the backup runbook: the plan asked, `y`, the
//! restore time in the timeline, `w` writing the report.

#[path = "support/pg_incident.rs"]
mod pg_incident;
#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/tmux.rs"]
#[allow(dead_code)]
mod tmux;

use postgres::Postgres;
use std::time::{Duration, SystemTime};
use tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");
const WAIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_dump_is_shown_beside_its_database_and_alerts() {
    let pg = Postgres::start(20);
    // A table to restore and check (a dump of nothing has nothing to check).
    postgres::session(&pg.superuser_dsn(), "setup")
        .await
        .batch_execute(
            "create table accounts (id int primary key); insert into accounts values (1)",
        )
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dumps = dir.path().join("dumps");
    std::fs::create_dir(&dumps).unwrap();
    let dump = dumps.join("nightly.dump");
    let out = pg
        .client("pg_dump")
        .args(["--format=custom", "--dbname=postgres", "--file"])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::File::options()
        .write(true)
        .open(&dump)
        .and_then(|f| f.set_modified(SystemTime::now() - Duration::from_secs(30 * 3600)))
        .unwrap();
    let extra = format!(
        "[[backup]]\nname = \"nightly\"\npostgres = \"main-db\"\npath = \"{}/*.dump\"\n\
         restore_to = \"main-db\"\n\n\
         [[backup]]\nname = \"offsite\"\npostgres = \"main-db\"\npath = \"{}/mnt\"\n",
        dumps.display(),
        dir.path().display()
    );
    let config = pg_incident::config(dir.path(), &pg.superuser_dsn(), &extra);
    let data = dir.path().join("data");
    let t = Tmux::start(
        "backups",
        120,
        40,
        BIN,
        &[("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)],
    );
    t.wait_for("the console", WAIT, |s| s.contains("opsdeck"));
    t.keys(&["7"]);
    let screen = t.wait_for("the backups under main-db", WAIT, |s| {
        s.contains("backup nightly: STALE: newest 1day6h")
            && s.contains("backup offsite: unreadable:")
    });
    assert!(screen.contains("(max 1day2h)"), "{screen}");
    assert!(screen.contains("No such file or directory"), "{screen}");
    t.keys(&["5"]);
    t.wait_for("BackupStale firing", WAIT, |s| s.contains("BackupStale"));

    // `v` on the Database view: the drill's plan is asked in the run.
    t.keys(&["7", "v"]);
    let plan = t.wait_for("the drill's plan", WAIT, |s| {
        s.contains("restore drill of nightly") && s.contains("y apply")
    });
    assert!(plan.contains("opsdeck_verify_nightly_"), "{plan}");
    t.keys(&["y"]);
    // The console reads the drill's record back at the backup's next poll (30 s).
    let done = t.wait_for("the run's outcome", 3 * WAIT, |s| s.contains("outcome:"));
    assert!(done.contains("outcome: completed"), "{done}");
    t.keys(&["w"]);
    t.wait_for("the report", WAIT, |s| s.contains("report written to"));
    let report = std::fs::read_dir(data.join("runs"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .expect("the report next to the run's timeline");
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(md.contains("**Verdict:** completed"), "{md}");
    assert!(md.contains("(the recovery time)"), "{md}");
    assert!(md.contains("rows public.accounts: 1 restored"), "{md}");
    let left = postgres::session(&pg.superuser_dsn(), "check")
        .await
        .query(
            "select datname::text from pg_database where datname like 'opsdeck_verify_%'",
            &[],
        )
        .await
        .unwrap();
    assert!(left.is_empty(), "a scratch database was left behind");
}
