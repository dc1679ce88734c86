//! The console as a new user runs it (the real binary in tmux, the default
//! keys) on a real PostgreSQL in trouble: a lock chain A→B→C read root first
//! at 80×24 and 160×48, `Enter` on the preselected root, `x` on a waiter
//! offering the root; the server stopped under the console (its sessions
//! dimmed under `as of … — stale: …`) and back; and a full server
//! (`max_connections = 30`, every normal slot taken) where `x` and the
//! database runbook still work through the session the console holds.

#[path = "support/pg_incident.rs"]
mod pg_incident;
#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/tmux.rs"]
#[allow(dead_code)]
mod tmux;

use pg_incident::*;
use postgres::{backend_pid, Postgres, SUPER_PASSWORD};
use std::path::PathBuf;
use std::time::Duration;
use tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");
const WAIT: Duration = Duration::from_secs(30);

fn start(name: &str, width: u16, height: u16, dir: &std::path::Path, dsn: &str) -> Tmux {
    let config: PathBuf = config(dir, dsn, "");
    let data = dir.join("data");
    let t = Tmux::start(
        name,
        width,
        height,
        BIN,
        &[("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)],
    );
    t.wait_for("the console", WAIT, |s| s.contains("opsdeck"));
    t
}

/// The screen as one line of words: a dialog wraps its text across lines
/// and borders; what it says is what is asserted. A line inside a heavy
/// frame (a dialog, the focused pane) counts only what is between its borders.
fn words(screen: &str) -> String {
    let lines: Vec<&str> = screen
        .lines()
        .map(|l| match (l.find('┃'), l.rfind('┃')) {
            (Some(a), Some(b)) if a < b => &l[a + '┃'.len_utf8()..b],
            _ => l,
        })
        .collect();
    lines
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_shows_root_first_and_a_stopped_server_is_marked_stale_until_it_is_back() {
    let mut pg = Postgres::start(30);
    let admin = roles(&pg).await;
    let ch = chain(&pg, &admin).await;
    let dir = tempfile::tempdir().unwrap();
    let t = start("pg-chain", 80, 24, dir.path(), &watcher_dsn(&pg));
    t.keys(&["7"]);
    let waiter = format!("waits for {} (root {})", ch.b, ch.a);
    let screen = t.wait_for("the chain at 80×24", WAIT, |s| {
        s.contains("⇢ root of 2") && s.contains(&waiter)
    });
    // The summary leads with what is wrong; the root's row comes first.
    assert!(
        screen.contains(&format!("main-db blocked 2 (root {}) · connections", ch.a)),
        "{screen}"
    );
    let rows: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("waits for") || l.contains("⇢ root"))
        .collect();
    assert!(
        rows[0].contains(&ch.a.to_string()) && rows[0].contains("⇢ root of 2"),
        "{screen}"
    );

    // Enter opens the preselected row: the root, with its whole query.
    t.keys(&["Enter"]);
    let screen = t.wait_for("the root whole", WAIT, |s| {
        s.contains(&format!("Session {} on main-db", ch.a))
    });
    let said = words(&screen);
    assert!(
        said.contains(&format!("⇢ root of 2: {}, {} wait behind it", ch.b, ch.c)),
        "{screen}"
    );
    assert!(
        said.contains("update accounts set balance = balance + 1"),
        "{screen}"
    );
    t.keys(&["Escape"]);
    // A key sent right after Escape would reach the console as Alt+key.
    t.wait_for("the detail to close", WAIT, |s| {
        !s.contains(&format!("Session {} on main-db", ch.a))
    });

    // x on the waiter: the root is planned instead, and the plan says what it releases.
    t.keys(&["j", "x"]);
    let screen = t.wait_for("the root's plan", WAIT, |s| {
        s.contains(&format!("terminate backend {}", ch.a)) && s.contains("offering its root")
    });
    let said = words(&screen);
    assert!(
        said.contains(&format!(
            "It is the root of a lock chain: 2 waiting sessions are released ({}, {})",
            ch.b, ch.c
        )),
        "{screen}"
    );
    t.keys(&["n"]);

    // Wide: the columns pg_activity users expect, and more of the query.
    t.resize(160, 48);
    let screen = t.wait_for("160×48", WAIT, |s| {
        s.contains("CLIENT") && s.contains("BACKEND") && s.contains("XACT") && s.contains("LOCK")
    });
    assert!(screen.contains("ShareLock on t"), "{screen}");
    assert!(screen.contains(&waiter), "{screen}");

    // The server stops: what is on screen is the last reading, and says so.
    pg.stop();
    let screen = t.wait_for("the stale marker", WAIT, |s| {
        s.contains("main-db as of ") && s.contains(" — stale: ")
    });
    assert!(
        screen.contains("⇢ root of 2"),
        "the old rows stay, dimmed:\n{screen}"
    );
    pg.resume();
    // Back: the marker goes, and the chain with the sessions the restart ended.
    let screen = t.wait_for("the server back", Duration::from_secs(90), |s| {
        !s.contains("stale:") && s.contains("blocked 0")
    });
    assert!(!screen.contains("⇢ root"), "{screen}");
    assert!(!t.history().contains(SUPER_PASSWORD) && !t.history().contains(WATCHER_PASSWORD));
    t.keys(&["q"]);
    drop(ch);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_full_server_x_and_the_database_runbook_work_through_the_consoles_session() {
    let pg = Postgres::start(30);
    let admin = roles(&pg).await;
    admin
        .batch_execute("create extension pg_stat_statements")
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let t = start("pg-full", 100, 32, dir.path(), &watcher_dsn(&pg));
    t.keys(&["7"]);
    t.wait_for("the first reading", WAIT, |s| {
        s.contains("main-db") && s.contains("connections")
    });
    let (pool, _) = fill(&pg, 10).await;
    let mut pids = Vec::new();
    for c in &pool {
        pids.push(backend_pid(c).await);
    }
    t.wait_for("the full server", WAIT, |s| s.contains("connections 27/30"));

    // x on one of the pool's sessions: through the console's own session.
    let victim = pids[0];
    t.keys(&["/"]);
    t.keys(&[&victim.to_string(), "Enter"]);
    t.wait_for("the victim alone", WAIT, |s| s.contains("Sessions 1/1"));
    t.keys(&["x"]);
    t.wait_for("the plan", WAIT, |s| {
        s.contains(&format!("terminate backend {victim} on main-db"))
    });
    t.keys(&["y"]);
    let screen = t.wait_for("the outcome", WAIT, |s| {
        s.contains(&format!("backend {victim} on main-db is gone")) || s.contains("failed")
    });
    assert!(screen.contains("is gone"), "{screen}");
    assert!(!alive(&admin, victim).await);
    t.keys(&["Escape"]);
    t.keys(&["/", "Escape"]);

    // The runbook, in the console: it names the pool and offers to end its
    // idle transactions, through the same session.
    let (refill, _) = fill(&pg, 0).await;
    t.keys(&[":runbook database db=main-db", "Enter"]);
    let screen = t.wait_for("the proposal", WAIT, |s| {
        s.contains("terminate 9 backends on main-db") && s.contains("y apply")
    });
    assert!(words(&screen).contains("application \"pool\""), "{screen}");
    t.keys(&["y"]);
    for _ in 0..2 {
        t.wait_for("a note", WAIT, |s| {
            s.contains("y or Enter continues") || s.contains("outcome:")
        });
        t.keys(&["y"]);
    }
    let screen = t.wait_for("the outcome", WAIT, |s| s.contains("outcome:"));
    assert!(screen.contains("outcome: completed"), "{screen}");
    for pid in &pids[1..10] {
        assert!(
            !alive(&admin, *pid).await,
            "{pid} was idle in a transaction:\n{screen}"
        );
    }
    assert!(!t.history().contains(WATCHER_PASSWORD));
    t.keys(&["q"]);
    drop((pool, refill));
}
