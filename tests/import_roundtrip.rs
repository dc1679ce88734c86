//! `alerts import` round-trips published rule files: each file of the corpus
//! (tests/fixtures/alerts/corpus: a mixin's shape with templates and a
//! recording group, a recording-only file, a `null` file, kube-prometheus's
//! PrometheusRule resources, two files sharing an alert name) is imported,
//! appended to the config, `config check` accepts it, and `alerts --json`
//! evaluates every imported rule against a real Prometheus scraping a real
//! node_exporter, with the annotations expanded.

#[path = "support/node_exporter.rs"]
mod node_exporter;
#[path = "support/prometheus.rs"]
mod prometheus;
#[path = "support/run_bin.rs"]
mod run_bin;

use run_bin::{opsdeck, text};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/alerts/corpus")
        .join(name)
}

#[test]
fn every_corpus_file_imports_appends_checks_and_evaluates() {
    let node = node_exporter::NodeExporter::start();
    let prom = prometheus::Prometheus::start(std::slice::from_ref(&node.addr));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    // A config that already ends in a table: an appended `alert = []` broke it.
    std::fs::write(
        &config,
        format!(
            "[[prometheus]]\nname = \"main\"\nurl = \"{}\"\n\n[[scrape]]\nname = \"node\"\nurl = \"{}\"\n",
            prom.url,
            node.url()
        ),
    )
    .unwrap();
    let files = [
        "node-mixin.yml",
        "recording-only.yml",
        "null.yml",
        "kube-prometheus-rule.yaml",
        "team-a.yml",
        "team-b.yml",
    ];
    let mut stderr_of = std::collections::HashMap::new();
    for file in files {
        let path = corpus(file);
        let out = opsdeck(
            &config,
            dir.path(),
            &[
                "alerts",
                "import",
                path.to_str().unwrap(),
                "--prometheus",
                "main",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{file}: {}", text(&out));
        let mut appended = std::fs::read_to_string(&config).unwrap();
        appended.push_str(&String::from_utf8_lossy(&out.stdout));
        std::fs::write(&config, appended).unwrap();
        let check = opsdeck(&config, dir.path(), &["config", "check"]);
        assert!(check.status.success(), "after {file}: {}", text(&check));
        stderr_of.insert(file, String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(
        written.contains("no alerting rules to import (2 recording rule(s), left to Prometheus)"),
        "{written}"
    );
    assert!(
        written.contains("# ") && written.contains("null.yml: no alerting rules"),
        "{written}"
    );
    // The second InstanceDown is renamed, and the clash says where the first is.
    assert!(written.contains("name = \"InstanceDown_2\""), "{written}");
    assert!(
        stderr_of["team-b.yml"].contains("\"InstanceDown\" is already a rule in")
            && stderr_of["team-b.yml"].contains("config.toml:"),
        "{}",
        stderr_of["team-b.yml"]
    );
    assert!(
        stderr_of["node-mixin.yml"].contains("description is shown as written")
            && stderr_of["node-mixin.yml"].contains("reReplaceAll"),
        "{}",
        stderr_of["node-mixin.yml"]
    );

    // Every imported rule evaluates: none is in error; the one that holds
    // (node_exporter is up) fires with its summary expanded.
    let deadline = Instant::now() + Duration::from_secs(60);
    let alerts = loop {
        let out = opsdeck(&config, dir.path(), &["alerts", "--json", "--window", "0"]);
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out)));
        let alerts = v["alerts"].as_array().cloned().unwrap_or_default();
        let up = alerts.iter().any(|a| a["rule"] == "NodeExporterUp");
        if up {
            break alerts;
        }
        assert!(
            Instant::now() < deadline,
            "NodeExporterUp never fired: {}",
            text(&out)
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    for a in &alerts {
        assert_ne!(a["state"], "error", "{a}");
    }
    let up = alerts
        .iter()
        .find(|a| a["rule"] == "NodeExporterUp")
        .unwrap();
    assert_eq!(
        up["annotations"]["summary"],
        format!("{} is up (1)", node.addr),
        "{up}"
    );
    assert!(
        up["labels"].get("__name__").is_none(),
        "result series drop __name__: {up}"
    );
    let watchdog = alerts
        .iter()
        .find(|a| a["rule"] == "Watchdog")
        .expect("Watchdog fires");
    assert_eq!(watchdog["severity"], "info", "{watchdog}");
}
