//! A capacity run with a Kubernetes workload beside its stages, against the
//! test API server (which serves metrics.k8s.io from the pods it runs: its
//! `hot` images use 900m and more of a core) and the demo service as a
//! process on loopback. The stage fails its threshold (every request waits
//! 30 ms, the threshold is 10 ms), so the verdict must name the workload's
//! CPU against its one-core limit as read through the cluster, never a
//! figure when the cluster cannot give one.

#[path = "support/demo_process.rs"]
mod demo_process;
#[path = "support/kube_act.rs"]
mod kube_act;
#[path = "support/kube_cluster.rs"]
mod kube_cluster;
#[path = "support/run_bin.rs"]
mod run_bin;

use demo_process::DemoProcess;
use kube_act::*;
use kube_cluster::{fast_config, TestCluster};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A Deployment of `hot` pods held to one core.
fn hot_yaml() -> String {
    deployment_yaml("hot", "demo:hot", 1, "").replace(
        "        image: demo:hot\n",
        "        image: demo:hot\n        resources: {requests: {cpu: 500m}, limits: {cpu: \"1\", memory: 256Mi}}\n",
    )
}

/// The cluster's opsdeck config with readings every second.
fn config(k: &TestCluster, dir: &Path) -> PathBuf {
    let path = k.write_opsdeck_config(dir);
    let tables = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("refresh = \"1s\"\n{tables}")).unwrap();
    path
}

async fn load(config: &Path, data: &Path, args: &[&str]) -> std::process::Output {
    let (c, d) = (config.to_path_buf(), data.to_path_buf());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_bin::opsdeck(&c, &d, &args)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kubernetes_workload_is_read_beside_the_stages_and_named_as_the_bottleneck() {
    let k = TestCluster::start(fast_config()).await;
    apply(&k, "hot.yaml", &hot_yaml()).await;
    k.rolled_out("hot").await;
    let demo = DemoProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&k, dir.path());
    let data = dir.path().join("data");
    let url = format!("{}/work?ms=30", demo.base);

    let out = load(
        &config,
        &data,
        &[
            "load",
            &url,
            "--stages",
            "2:3s",
            "--threshold",
            "p95<10ms",
            "--workload",
            "test/default/hot",
            "--yes",
            "--json",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", run_bin::text(&out));
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", run_bin::text(&out)));
    let stage = &v["stages"][0];
    assert_eq!(stage["outcome"]["status"], "failed", "{v:#}");
    let beside = &stage["infra"]["workload"]["read"];
    assert_eq!(beside["name"], "test/default/hot", "{v:#}");
    // One core is 100 % of one core; the pod's metrics say 900m and more.
    assert_eq!(beside["cpu_limit_percent"], 100.0, "{v:#}");
    let cpu = beside["cpu_percent"].as_f64().unwrap();
    assert!(cpu >= 90.0, "CPU {cpu} % of a core: {v:#}");
    assert_eq!(beside["mem_limit_bytes"], 256.0 * 1024.0 * 1024.0, "{v:#}");
    assert_eq!(
        stage["bottleneck"]["title"], "CPU-bound: scale out",
        "{v:#}"
    );
    let line = v["verdict"]["line"].as_str().unwrap();
    assert!(line.contains("test/default/hot CPU "), "{line}");
    assert!(line.contains("% of its limit"), "{line}");

    // A workload the cluster does not have is refused before anything is sent.
    let out = load(
        &config,
        &data,
        &[
            "load",
            &url,
            "--stages",
            "2:3s",
            "--workload",
            "test/default/nope",
            "--yes",
        ],
    )
    .await;
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("--workload test/default/nope: no workload test/default/nope"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_without_metrics_server_is_refused_with_the_reason_not_read_as_idle() {
    let k = TestCluster::start(kube_test_server::Config {
        metrics: false,
        ..fast_config()
    })
    .await;
    apply(&k, "hot.yaml", &hot_yaml()).await;
    k.rolled_out("hot").await;
    let demo = DemoProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&k, dir.path());
    let out = load(
        &config,
        &dir.path().join("data"),
        &[
            "load",
            &format!("{}/work", demo.base),
            "--stages",
            "2:3s",
            "--workload",
            "test/default/hot",
            "--yes",
        ],
    )
    .await;
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("--workload test/default/hot: metrics.k8s.io is not served by test"),
        "{text}"
    );
}
