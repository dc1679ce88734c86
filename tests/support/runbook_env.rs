//! The real binary with a temp config (that adds the test runbooks under
//! tests/fixtures/runbooks/run) and data dir, for the runbook tests.
#![allow(dead_code)]

use crate::actions::{opsdeck, text};
use std::path::{Path, PathBuf};
use std::process::Output;

pub fn fixtures(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/runbooks")
        .join(kind)
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A config that adds the test runbooks, and a data dir, in a temp dir.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env::with("")
    }

    /// `extra` is appended to the config (targets for the checks to read).
    pub fn with(extra: &str) -> Env {
        let dir = tempfile::Builder::new()
            .prefix("opsdeck-test-runbooks-")
            .tempdir()
            .unwrap();
        let config = format!(
            "runbook_dirs = [{:?}]\n\n[[docker]]\nname = \"local\"\n{extra}",
            fixtures("run")
        );
        std::fs::write(dir.path().join("opsdeck.toml"), config).unwrap();
        Env { dir }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The real binary, off the async threads so the in-process demo keeps serving.
    pub async fn opsdeck(&self, args: &[&str]) -> Output {
        let config = self.dir.path().join("opsdeck.toml");
        let data = self.data();
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            opsdeck(&config, &data, &args)
        })
        .await
        .unwrap()
    }
}

/// The run id the runner prints first: `run ID (timeline PATH)`.
pub fn run_id(out: &Output) -> String {
    stdout(out)
        .lines()
        .find_map(|l| l.strip_prefix("run "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no run id in\n{}", text(out)))
        .to_string()
}
