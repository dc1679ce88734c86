//! `opsdeck describe` of a Swarm service on a real swarm: a private dockerd
//! (its own network namespace, so the shared engine never becomes a swarm
//! manager) runs a replicated service of the demo image with a credential
//! in its env; the description lists its tasks and masks the credential.

#[path = "support/images.rs"]
mod images;
#[path = "support/private_engine.rs"]
mod private_engine;
#[path = "support/run_bin.rs"]
mod run_bin;

use images::*;
use private_engine::PrivateEngine;
use run_bin::{opsdeck, text};
use std::time::{Duration, Instant};

const TOKEN: &str = "swarm-token-77a0c3";

#[test]
fn a_swarm_service_is_described_with_its_tasks_and_its_token_masked() {
    let image = build_demo_v1(&opsdeck_binary());
    let engine = PrivateEngine::start();
    engine.load_image(&image);
    engine.cli(&[
        "swarm",
        "init",
        "--advertise-addr",
        "127.0.0.1",
        "--listen-addr",
        "127.0.0.1:2377",
    ]);
    let env = format!("API_TOKEN={TOKEN}");
    engine.cli(&[
        "service",
        "create",
        "--detach",
        "--replicas",
        "2",
        "--name",
        "web",
        "--env",
        &env,
        "--no-resolve-image",
        &image,
    ]);
    let deadline = Instant::now() + Duration::from_secs(90);
    while engine.cli(&["service", "ls", "--format", "{{.Replicas}}"]) != "2/2" {
        assert!(
            Instant::now() < deadline,
            "the service did not start 2 tasks"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("opsdeck.toml");
    std::fs::write(
        &config,
        format!(
            "[[docker]]\nname = \"priv\"\nhost = \"{}\"\n",
            engine.host()
        ),
    )
    .unwrap();
    let data = dir.path().join("data");

    let out = opsdeck(&config, &data, &["describe", "priv/_/web"]);
    assert!(out.status.success(), "{}", text(&out));
    let d = String::from_utf8_lossy(&out.stdout);
    assert!(d.starts_with("Swarm service priv/web"), "{d}");
    assert!(d.contains("Replicas: 2 running of 2"), "{d}");
    assert_eq!(d.matches(": running (desired running)").count(), 2, "{d}");
    assert!(
        d.contains("Env API_TOKEN: ***") && !d.contains(TOKEN),
        "{d}"
    );

    let out = opsdeck(&config, &data, &["get", "priv/_/web", "-o", "json"]);
    assert!(out.status.success(), "{}", text(&out));
    let raw: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(raw["Spec"]["Name"], "web");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(TOKEN));
}
