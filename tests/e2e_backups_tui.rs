//! The console in tmux (the real binary, the default keys) with a
//! `[[backup]]` whose newest dump is 30 hours old: the Database view shows
//! it stale under the target it protects, beside one that cannot be read,
//! and the Alerts view has BackupStale firing.

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
        "[[backup]]\nname = \"nightly\"\npostgres = \"main-db\"\npath = \"{}/*.dump\"\n\n\
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
}
