//! `opsdeck describe` and `opsdeck get` on real objects, driving the real
//! binary: a pod, a Deployment and a node of the test API server (applied
//! with the real kubectl) and a container of the demo image in the real
//! Docker engine. The descriptions are insta snapshots with what changes
//! between runs (times, uids, generated names, ids, ports) normalised; the
//! raw views must show no Secret value and no credential-looking env value.

#[path = "support/images.rs"]
mod images;
#[path = "support/kube_act.rs"]
mod kube_act;
#[path = "support/kube_cluster.rs"]
mod kube_cluster;

use kube_act::apply;
use kube_cluster::{fast_config, TestCluster};
use regex::Regex;
use std::path::Path;
use std::process::Output;

const PASSWORD: &str = "hunter2-b7c1e0";
const SECRET_VALUE: &str = "s3cr3t-token-9f2a";
/// SECRET_VALUE in base64, as a Secret's data holds it.
const SECRET_B64: &str = "czNjcjN0LXRva2VuLTlmMmE=";

async fn opsdeck(config: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(args)
        .env("OPSDECK_CONFIG", config)
        .env("OPSDECK_DATA_DIR", config.with_file_name("data"))
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("running opsdeck")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What differs from run to run, replaced by what it is.
fn normalise(text: &str, extra: &[(&str, &str)]) -> String {
    let mut t = text.to_string();
    for (from, to) in extra {
        t = t.replace(from, to);
    }
    for (re, to) in [
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[time]"),
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[uid]",
        ),
        (r"web-[0-9a-f]{6,10}-[a-z0-9]{5}", "web-[hash]-[pod]"),
        (r"web-[0-9a-f]{6,10}\b", "web-[hash]"),
        (r"\b10\.\d+\.\d+\.\d+\b", "[ip]"),
        (r"\b[0-9a-f]{64}\b", "[sha256]"),
        (r"pod-template-hash: \w+", "pod-template-hash: [hash]"),
    ] {
        t = Regex::new(re).unwrap().replace_all(&t, to).into_owned();
    }
    sort_env_runs(&t)
}

/// The docker CLI hands a container's `--env` values to the engine in no
/// fixed order, so each run of `Env` lines is compared sorted.
fn sort_env_runs(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    for line in text.split('\n') {
        if line.trim_start().starts_with("Env ") {
            run.push(line);
            continue;
        }
        run.sort_unstable();
        out.extend(run.drain(..).map(str::to_string));
        out.push(line.to_string());
    }
    run.sort_unstable();
    out.extend(run.drain(..).map(str::to_string));
    out.join("\n")
}

const APP: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
  annotations: {team: payments}
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: demo:1
        ports: [{name: http, containerPort: 8080}]
        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}
        readinessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 5}
        env:
        - {name: DB_PASSWORD, value: PASSWORD_VALUE}
        - {name: LOG_LEVEL, value: debug}
        - name: API_TOKEN
          valueFrom: {secretKeyRef: {name: db, key: token}}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubernetes_pod_deployment_and_node_described_and_raw_without_secrets() {
    let k = TestCluster::start(fast_config()).await;
    let secret = k.path("secret.yaml");
    std::fs::write(
        &secret,
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  token: {SECRET_B64}\n"),
    )
    .unwrap();
    k.ok(&["apply", "-f", secret.to_str().unwrap()]).await;
    apply(&k, "app.yaml", &APP.replace("PASSWORD_VALUE", PASSWORD)).await;
    k.rolled_out("web").await;
    let dir = tempfile::tempdir().unwrap();
    let config = k.write_opsdeck_config(dir.path());
    let pod = k.ok(&["get", "pods", "-l", "app=web", "-o", "name"]).await;
    let pod = pod.trim().trim_start_matches("pod/").to_string();

    let d = stdout(&opsdeck(&config, &["describe", &format!("test/default/{pod}")]).await);
    assert!(!d.contains(PASSWORD) && !d.contains(SECRET_VALUE), "{d}");
    insta::assert_snapshot!("pod", normalise(&d, &[]));

    let d = stdout(&opsdeck(&config, &["describe", "test/default/web"]).await);
    assert!(!d.contains(PASSWORD), "{d}");
    insta::assert_snapshot!("deployment", normalise(&d, &[]));

    let d = stdout(&opsdeck(&config, &["describe", "test/_/node-1"]).await);
    insta::assert_snapshot!("node", normalise(&d, &[]));

    let json = stdout(&opsdeck(&config, &["describe", "test/default/web", "--json"]).await);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let titles: Vec<&str> = v["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Status & conditions",
            "Events",
            "Containers",
            "Labels & annotations"
        ]
    );

    // The raw objects: as kubectl get -o yaml, minus managedFields and every secret.
    for address in [
        format!("test/default/{pod}"),
        "test/default/web".to_string(),
        "test/default/secret/db".to_string(),
    ] {
        let raw = stdout(&opsdeck(&config, &["get", &address, "-o", "yaml"]).await);
        assert!(!raw.contains(PASSWORD), "{address}:\n{raw}");
        assert!(
            !raw.contains(SECRET_VALUE) && !raw.contains(SECRET_B64),
            "{address}:\n{raw}"
        );
        assert!(!raw.contains("managedFields"), "{address}:\n{raw}");
        let parsed: serde_json::Value = serde_yaml_ng::from_str(&raw).unwrap();
        assert!(parsed["metadata"]["name"].is_string(), "{raw}");
    }
    let secret = stdout(&opsdeck(&config, &["get", "test/default/secret/db", "-o", "json"]).await);
    let secret: serde_json::Value = serde_json::from_str(&secret).unwrap();
    assert_eq!(secret["data"]["token"], "***", "{secret}");
    let raw = stdout(&opsdeck(&config, &["get", &format!("test/default/{pod}")]).await);
    assert!(raw.contains("name: DB_PASSWORD"), "{raw}");
    assert!(raw.contains("value: debug"), "other env values stay: {raw}");

    let missing = opsdeck(&config, &["describe", "test/default/nope"]).await;
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains(
            "no deployment, statefulset, daemonset, pod named `nope` in namespace default"
        ),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_docker_container_described_and_inspected_without_its_password() {
    let image = images::build_demo_v1(&images::opsdeck_binary());
    let c = images::DemoContainer::start(
        &image,
        "describe",
        &[
            ("DB_PASSWORD", PASSWORD),
            ("UPSTREAM", "http://app:pw-1234@db:5432/x"),
        ],
    );
    c.wait_for_health("healthy", std::time::Duration::from_secs(30));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("opsdeck.toml");
    std::fs::write(&config, "[[docker]]\nname = \"local\"\n").unwrap();
    let address = format!("local/{}", c.name);

    let d = stdout(&opsdeck(&config, &["describe", &address]).await);
    assert!(!d.contains(PASSWORD) && !d.contains("pw-1234"), "{d}");
    assert!(d.contains("Health: healthy"), "{d}");
    let id = c.inspect("{{.Id}}");
    let image_id = c.inspect("{{.Image}}");
    let port = c.published(images::DEMO_PORT);
    let port = port.rsplit(':').next().unwrap().to_string();
    let text = normalise(
        &d,
        &[
            (&c.name, "[name]"),
            (&id[..12], "[id]"),
            (&image_id.trim_start_matches("sha256:")[..12], "[image-id]"),
            (&image, "[image]"),
            (&format!(":{port}"), ":[port]"),
        ],
    );
    // The engine keeps only its latest events (shared with every other
    // container on this engine), and health checks repeat with the run's
    // timing: the events section is checked for its shape, then left out.
    let events: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("── Events"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(
        events.iter().any(|l| l.contains("health check: exit 0")),
        "the health log is read: {events:?}"
    );
    assert!(
        !events.iter().any(|l| l.contains("exec_")),
        "health-check execs are not events worth a line: {events:?}"
    );
    let text: Vec<&str> = text.lines().filter(|l| !events.contains(l)).collect();
    insta::assert_snapshot!("container", text.join("\n"));

    let raw = stdout(&opsdeck(&config, &["get", &address, "-o", "json"]).await);
    assert!(!raw.contains(PASSWORD) && !raw.contains("pw-1234"), "{raw}");
    let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let env: Vec<&str> = v["Config"]["Env"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e.as_str())
        .collect();
    assert!(env.contains(&"DB_PASSWORD=***"), "{env:?}");
    assert!(env.contains(&"UPSTREAM=http://db:5432/x"), "{env:?}");
}
