//! The incident loop's joints on real services: one alert seen through a
//! Prometheus and its Alertmanager is one row, a silence mutes it everywhere
//! and a source that cannot be read is not green; a PostgreSQL near its
//! connection limit raises DatabaseConnectionsHigh, whose Enter opens the
//! database runbook bound to that target (in tmux); a run that cannot read
//! its database says so and exits 1.

#[path = "support/alertmanager.rs"]
mod alertmanager;
#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/prometheus.rs"]
mod prometheus;
#[path = "support/run_bin.rs"]
mod run_bin;
#[allow(dead_code)] // the other tests use the rest
#[path = "support/tmux.rs"]
mod tmux;

use alertmanager::Alertmanager;
use postgres::Postgres;
use prometheus::Prometheus;
use run_bin::{opsdeck, text};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Hang guard only: each wait normally ends within seconds.
const PATIENCE: Duration = Duration::from_secs(90);

const ALWAYS_FIRING: &str = "groups:\n  - name: t\n    rules:\n      - alert: AlwaysFiring\n        expr: vector(1) > 0\n        labels:\n          severity: warning\n        annotations:\n          summary: always\n";

fn write_config(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn alerts_json(config: &Path, data: &Path) -> (Option<i32>, serde_json::Value, String) {
    let out = opsdeck(config, data, &["alerts", "--json"]);
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code(), v, text(&out))
}

fn rows<'a>(v: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    v["alerts"]
        .as_array()
        .map(|a| a.iter().filter(|r| r["rule"] == rule).collect())
        .unwrap_or_default()
}

fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(t) = f() {
            return t;
        }
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn one_alert_through_prometheus_and_alertmanager_is_one_row_a_silence_mutes_it_and_blind_is_not_green(
) {
    let am = Alertmanager::start();
    let mut prom = Prometheus::start_full(&[], Some(ALWAYS_FIRING), Some(&am.url));
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // No engine: other tests' containers stay out of the verdict.
    let config = write_config(
        dir.path(),
        &format!(
            "[[docker]]\nname = \"none\"\nhost = \"unix:///nonexistent/docker.sock\"\n\
             [[prometheus]]\nname = \"main\"\nurl = \"{}\"\n[[alertmanager]]\nname = \"am\"\nurl = \"{}\"\n",
            prom.url, am.url
        ),
    );
    let (code, v) = eventually("AlwaysFiring from both sources", || {
        let (code, v, _) = alerts_json(&config, &data);
        let r = rows(&v, "AlwaysFiring");
        (r.len() == 1 && r[0]["sources"].as_array()?.len() == 2).then_some((code, v))
    });
    let row = rows(&v, "AlwaysFiring")[0];
    assert_eq!(row["sources"], serde_json::json!(["main", "am"]), "{row:#}");
    assert_eq!(
        row["source"], "am",
        "a silence for it goes to the Alertmanager"
    );
    // A warning firing; the docker target being unreadable adds nothing worse.
    assert_eq!(code, Some(1), "{v:#}");

    let silence = opsdeck(
        &config,
        &data,
        &[
            "alerts",
            "silence",
            "am",
            "-m",
            "alertname=AlwaysFiring",
            "--comment",
            "known, being fixed",
            "--yes",
        ],
    );
    assert!(silence.status.success(), "{}", text(&silence));
    // Muted in every copy: nothing pages. (The docker target is still unreadable,
    // which is a warning of its own, so this config leaves it out.)
    let quiet = write_config(
        dir.path(),
        &format!(
            "[[prometheus]]\nname = \"main\"\nurl = \"{}\"\n[[alertmanager]]\nname = \"am\"\nurl = \"{}\"\n\
             [[docker]]\nname = \"none\"\nhost = \"unix:///nonexistent/docker.sock\"\n",
            prom.url, am.url
        ),
    );
    let muted = eventually("the silence to mute every copy", || {
        let (_, v, _) = alerts_json(&quiet, &data);
        let r = rows(&v, "AlwaysFiring");
        (r.len() == 1 && r[0]["muted_by"].as_array().is_some_and(|m| !m.is_empty())).then_some(v)
    });
    let row = rows(&muted, "AlwaysFiring")[0];
    assert_eq!(row["sources"].as_array().unwrap().len(), 2, "{row:#}");
    let text_out = opsdeck(&quiet, &data, &["alerts"]);
    let shown = String::from_utf8_lossy(&text_out.stdout);
    assert!(shown.contains("silenced"), "{shown}");
    assert!(
        shown.contains("{severity=\"warning\"}"),
        "an Alertmanager alert is named by its labels, not a fingerprint: {shown}"
    );

    prom.stop();
    let blind = eventually("the stopped Prometheus to be named", || {
        let out = opsdeck(&quiet, &data, &["alerts"]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        err.contains("alert source main cannot be read")
            .then_some(out)
    });
    assert!(
        blind.status.code().is_some_and(|c| c >= 1),
        "{}",
        text(&blind)
    );
}

/// `n` sessions held open on the server until the returned clients drop.
async fn hold(pg: &Postgres, n: usize) -> Vec<tokio_postgres::Client> {
    let mut held = Vec::new();
    for _ in 0..n {
        let (client, conn) = tokio_postgres::connect(&pg.superuser_dsn(), tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        held.push(client);
    }
    held
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_near_the_limit_open_the_database_runbook_on_that_target() {
    let pg = Postgres::start(20);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let dsn_file = dir.path().join("orders.dsn");
    std::fs::write(&dsn_file, pg.superuser_dsn()).unwrap();
    let bad_file = dir.path().join("bad.dsn");
    std::fs::write(
        &bad_file,
        pg.dsn("postgres", "not-the-password", "postgres"),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in [&dsn_file, &bad_file] {
            std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    }
    // The built-in rule with its wait shortened, as the README says to.
    let config = write_config(
        dir.path(),
        &format!(
            "[[docker]]\nname = \"none\"\nhost = \"unix:///nonexistent/docker.sock\"\n\
             [[postgres]]\nname = \"orders\"\nurl_file = \"{}\"\n\
             [[postgres]]\nname = \"ledger\"\nurl_file = \"{}\"\n\
             [[alert]]\nname = \"DatabaseConnectionsHigh\"\nfor = \"2s\"\n",
            dsn_file.display(),
            bad_file.display()
        ),
    );
    let _held = hold(&pg, 18).await;

    // Headless, the alert carries the database's name in the vocabulary.
    let v = eventually("DatabaseConnectionsHigh on orders", || {
        let (_, v, _) = alerts_json(&config, &data);
        rows(&v, "DatabaseConnectionsHigh")
            .first()
            .map(|r| r["labels"].clone())
    });
    assert_eq!(v["postgres"], "orders", "{v:#}");
    assert_eq!(v["target"], "orders", "{v:#}");

    // A run against a database it cannot read does not say "completed".
    let run = opsdeck(
        &config,
        &data,
        &[
            "runbook",
            "run",
            "database",
            "--param",
            "db=ledger",
            "--yes",
        ],
    );
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(!said.contains("outcome: completed\n"), "{said}");
    assert!(
        said.contains("unresolved") || said.contains("with problems"),
        "{said}"
    );

    // In the console: the alert fires, Enter opens the runbook on `orders`.
    let runs = data.join("runs");
    let headless: Vec<PathBuf> = std::fs::read_dir(&runs)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    let session = tmux::Tmux::start(
        "incident-db",
        160,
        48,
        env!("CARGO_BIN_EXE_opsdeck"),
        &[("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)],
    );
    session.keys(&["5"]);
    session.wait_for("DatabaseConnectionsHigh firing", PATIENCE, |s| {
        s.lines()
            .any(|l| l.contains("DatabaseConnectionsHigh") && l.contains("firing"))
    });
    // The worst alert is first and selected.
    session.keys(&["Enter"]);
    let screen = session.wait_for("the database runbook", PATIENCE, |s| {
        s.contains("Runbook database") && s.contains("Can the database be reached?")
    });
    assert!(!screen.contains("main-db"), "{screen}");
    let timeline = eventually("the console run's timeline", || {
        std::fs::read_dir(&runs)
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().contains("database-") && !headless.contains(p))
    });
    let started = eventually("the run to record its params", || {
        let t = std::fs::read_to_string(&timeline).ok()?;
        t.lines().next().map(str::to_string)
    });
    assert!(started.contains("\"db\":\"orders\""), "{started}");
    assert!(
        started.contains("\"name\":\"DatabaseConnectionsHigh\""),
        "the run records the alert it answers: {started}"
    );
    session.keys(&["q"]);
}
