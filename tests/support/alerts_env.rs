//! Shared by the live alert tests: a loaded config, the real binary run
//! with a config and data dir, and the model fed by collectors as the app
//! loop feeds it. Include beside `demo_local.rs` (for `post`).
#![allow(dead_code)]

use opsdeck::base::time::unix_now;
use opsdeck::console::{AlertRow, Model};
use opsdeck::source::Update;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Hang guard only: each wait normally ends within a few seconds.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub fn config(text: &str) -> (tempfile::TempDir, opsdeck::config::Config) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    let loaded = opsdeck::config::load(Some(path)).unwrap_or_else(|e| panic!("{e:?}"));
    (dir, loaded.config)
}

pub fn row<'a>(rows: &'a [AlertRow], rule: &str) -> Option<&'a AlertRow> {
    rows.iter().find(|r| r.alert.rule == rule)
}

/// Feeds collector updates and clock ticks to the model, as the app loop
/// does, until `done` holds.
pub async fn run_until(
    model: &mut Model,
    rx: &mut mpsc::Receiver<Update>,
    what: &str,
    done: impl Fn(&Model) -> bool,
) {
    let deadline = Instant::now() + PATIENCE;
    while !done(model) {
        assert!(
            Instant::now() < deadline,
            "gave up waiting for {what}; alerts now: {:#?}",
            model.alerts.rows()
        );
        if let Ok(Some(u)) = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await {
            model.apply_update(u);
        }
        model.tick(unix_now());
    }
}

pub use crate::run_bin::{opsdeck, text as shown};

pub async fn post(url: &str, json: &str) -> String {
    let r = opsdeck::demo::client::post_json(url, json, crate::demo_local::TIMEOUT)
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    assert_eq!(r.status, 200, "POST {url}: {}", r.body);
    r.body
}
