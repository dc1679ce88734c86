//! The console on a real Redis (the binary in tmux, the default keys): the
//! Cache pane in the Database view; the server stopped under the console,
//! CacheDown firing, `Enter` on it opening degraded-performance bound to the
//! cache (and the workload its config names), and the run naming the cache
//! down as the likely cause instead of proposing a scale-out.

#[path = "support/redis.rs"]
mod redis_server;
#[allow(dead_code)]
#[path = "support/tmux.rs"]
mod tmux;

use redis_server::{Redis, PASSWORD};
use std::time::Duration;
use tmux::Tmux;

const WAIT: Duration = Duration::from_secs(60);

/// The rows of the Alerts view that are alerts.
fn alert_rows(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .filter(|l| {
            [" firing ", " pending ", " resolved "]
                .iter()
                .any(|s| l.contains(s))
        })
        .collect()
}

#[test]
fn cache_down_fires_and_its_runbook_names_the_cache() {
    let mut server = Redis::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    // CacheDown waits 1 min by default; the documented way to shorten it.
    std::fs::write(
        &config,
        "refresh = \"1s\"\n[[redis]]\nname = \"cache\"\nurl_env = \"OPSDECK_TEST_CACHE_URL\"\n\
         workload = \"local/shop/api\"\n\n[[alert]]\nname = \"CacheDown\"\nfor = \"1s\"\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let url = server.url();
    let t = Tmux::start(
        "cache",
        120,
        40,
        env!("CARGO_BIN_EXE_opsdeck"),
        &[
            ("OPSDECK_CONFIG", config.as_path()),
            ("OPSDECK_DATA_DIR", data.as_path()),
            ("OPSDECK_TEST_CACHE_URL", std::path::Path::new(&url)),
        ],
    );
    t.wait_for("the console", WAIT, |s| s.contains("opsdeck"));
    t.keys(&["7"]);
    let screen = t.wait_for("the Cache pane", WAIT, |s| {
        s.contains("Cache") && s.contains("maxmemory") && s.contains("Redis 7")
    });
    assert!(screen.contains("policy allkeys-lru"), "{screen}");

    server.stop();
    t.keys(&["5"]);
    let screen = t.wait_for("CacheDown to fire", WAIT, |s| {
        alert_rows(s)
            .iter()
            .any(|l| l.contains("CacheDown") && l.contains("firing"))
    });
    let at = alert_rows(&screen)
        .iter()
        .position(|l| l.contains("CacheDown") && l.contains("firing"))
        .unwrap();
    for _ in 0..at {
        t.keys(&["j"]);
    }
    t.keys(&["Enter"]);
    // The workload checks find nothing to read (no such workload here) and
    // go on; the cache's check fails, and the branch goes to the cache.
    let screen = t.wait_for("the cache named as the cause", WAIT * 2, |s| {
        s.contains("The cache `cache` is DOWN")
    });
    let said: String = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        said.contains("==> [cache] The cache is the likely cause"),
        "{screen}"
    );
    assert!(
        said.contains("failed: value = 0 (expect value == 1)"),
        "{screen}"
    );
    assert!(
        !said.contains("==> [scale_up]"),
        "no scale-out ran: {screen}"
    );
    assert!(!t.history().contains(PASSWORD));
    t.keys(&["q"]);
}
