//! `opsdeck delete-pod` against the test API server, driving the real binary
//! and checked with the real kubectl: the plan names the controller that
//! replaces the pod, `--dry-run` asks the server, `--read-only` refuses, a
//! pod no controller owns needs `--force`, and each run is audited.

#[path = "support/kube_act.rs"]
mod kube_act;
#[path = "support/kube_cluster.rs"]
mod kube_cluster;

use kube_act::*;
use kube_cluster::{fast_config, TestCluster};
use std::path::Path;
use std::process::Output;

async fn opsdeck(config: &Path, data: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(args)
        .env("OPSDECK_CONFIG", config)
        .env("OPSDECK_DATA_DIR", data)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("running opsdeck")
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn audit(data: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(data.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_pod_is_replaced_by_its_replicaset_and_kubectl_sees_it() {
    let k = TestCluster::start(fast_config()).await;
    deploy(&k, "web", "demo:1", 2).await;
    let dir = tempfile::tempdir().unwrap();
    let config = k.write_opsdeck_config(dir.path());
    let data = dir.path().join("data");
    let before = pods(&k).await;
    assert_eq!(before.len(), 2, "{before:?}");
    let victim = before[0].trim_start_matches("pod/").to_string();
    let addr = format!("test/default/{victim}");

    let ro = opsdeck(
        &config,
        &data,
        &["--read-only", "delete-pod", &addr, "--yes"],
    )
    .await;
    assert_eq!(ro.status.code(), Some(3), "{}", text(&ro));
    assert!(text(&ro).contains("read-only"), "{}", text(&ro));

    let dry = opsdeck(&config, &data, &["delete-pod", &addr, "--dry-run"]).await;
    assert!(dry.status.success(), "{}", text(&dry));
    let shown = String::from_utf8_lossy(&dry.stdout);
    assert!(
        shown.contains("Deployment default/web (through ReplicaSet default/web-"),
        "the plan names the controller: {shown}"
    );
    assert!(shown.contains("dryRun=All"), "{shown}");

    let unconfirmed = opsdeck(&config, &data, &["delete-pod", &addr]).await;
    assert_eq!(unconfirmed.status.code(), Some(4), "{}", text(&unconfirmed));
    assert_eq!(
        pods(&k).await,
        before,
        "refusals and dry runs deleted something"
    );
    assert!(audit(&data).is_empty(), "refusals are not audited as run");

    let run = opsdeck(&config, &data, &["delete-pod", &addr, "--yes"]).await;
    assert!(run.status.success(), "{}", text(&run));
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        said.contains(&format!("pod \"{victim}\" deleted; replaced by pod web-")),
        "{said}"
    );

    let after = pods(&k).await;
    assert_eq!(after.len(), 2, "the ReplicaSet keeps 2: {after:?}");
    assert!(
        !after.contains(&before[0]),
        "{victim} is still listed: {after:?}"
    );
    assert!(
        after.contains(&before[1]),
        "the other replica was left alone: {after:?}"
    );
    let replacement = after.iter().find(|p| !before.contains(p)).unwrap();
    assert!(
        said.contains(replacement.trim_start_matches("pod/")),
        "{said} / {after:?}"
    );

    let records = audit(&data);
    let phases: Vec<&str> = records
        .iter()
        .map(|r| r["phase"].as_str().unwrap())
        .collect();
    assert_eq!(phases, ["intent", "outcome"], "{records:?}");
    assert!(records
        .iter()
        .all(|r| r["verb"] == "delete-pod" && r["workload"] == addr.as_str()));
    assert_eq!(records[1]["ok"], true, "{}", records[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pod_no_controller_owns_is_deleted_only_when_forced() {
    let k = TestCluster::start(fast_config()).await;
    apply(
        &k,
        "bare.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bare\nspec:\n  containers:\n  - name: app\n    image: demo:1\n",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let config = k.write_opsdeck_config(dir.path());
    let data = dir.path().join("data");

    let refused = opsdeck(
        &config,
        &data,
        &["delete-pod", "test/default/bare", "--yes"],
    )
    .await;
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("no controller"),
        "{}",
        text(&refused)
    );
    assert!(text(&refused).contains("--force"), "{}", text(&refused));
    assert_eq!(
        k.ok(&["get", "pods", "-o", "name"]).await.trim(),
        "pod/bare"
    );

    let missing = opsdeck(
        &config,
        &data,
        &["delete-pod", "test/default/nope", "--yes"],
    )
    .await;
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
    assert!(
        text(&missing).contains("no pod named `nope`"),
        "{}",
        text(&missing)
    );

    let forced = opsdeck(
        &config,
        &data,
        &["delete-pod", "test/default/bare", "--force", "--yes"],
    )
    .await;
    assert!(forced.status.success(), "{}", text(&forced));
    assert!(
        String::from_utf8_lossy(&forced.stdout).contains("nothing replaces it"),
        "{}",
        text(&forced)
    );
    assert_eq!(k.ok(&["get", "pods", "-o", "name"]).await.trim(), "");
    let records = audit(&data);
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!(
        records[0]["request"], "delete the pod (forced)",
        "{}",
        records[0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statefulset_pod_comes_back_under_its_own_name() {
    let k = TestCluster::start(fast_config()).await;
    apply(
        &k,
        "db.yaml",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: db\n  replicas: 1\n  selector:\n    matchLabels: {app: db}\n  template:\n    metadata:\n      labels: {app: db}\n    spec:\n      containers:\n      - name: db\n        image: demo:1\n",
    )
    .await;
    k.ok(&["rollout", "status", "statefulset/db", "--timeout=60s"])
        .await;
    let uid = k.jsonpath("pod/db-0", "{.metadata.uid}").await;
    let dir = tempfile::tempdir().unwrap();
    let config = k.write_opsdeck_config(dir.path());
    let data = dir.path().join("data");

    let run = opsdeck(
        &config,
        &data,
        &["delete-pod", "test/default/db-0", "--yes"],
    )
    .await;
    assert!(run.status.success(), "{}", text(&run));
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        said.contains("StatefulSet default/db recreates it under the same name"),
        "{said}"
    );
    assert!(said.contains("replaced by pod db-0"), "{said}");
    let now = k.jsonpath("pod/db-0", "{.metadata.uid}").await;
    assert_ne!(now, uid, "kubectl sees a new pod db-0");
}
