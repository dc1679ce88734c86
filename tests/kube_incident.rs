//! The incident loop on a Kubernetes cluster, against the test API server
//! and checked with the real kubectl: a rollout made by kubectl to an image
//! that crash-loops fires the cluster alerts, the failed-deploy runbook run
//! headless names kubectl's rollout, undoes it, verifies and reports; a node
//! under pressure fires the node alerts with the labels its runbook binds.

#[path = "support/kube_act.rs"]
mod kube_act;
#[path = "support/kube_cluster.rs"]
mod kube_cluster;
#[path = "support/run_bin.rs"]
mod run_bin;

use kube_act::*;
use kube_cluster::{fast_config, TestCluster};
use serde_json::Value;
use std::path::{Path, PathBuf};

struct Opsdeck {
    dir: tempfile::TempDir,
}

impl Opsdeck {
    fn new(k: &TestCluster) -> Opsdeck {
        let dir = tempfile::tempdir().unwrap();
        k.write_opsdeck_config(dir.path());
        Opsdeck { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    async fn run(&self, args: &[&str]) -> std::process::Output {
        let (config, data) = (self.path("opsdeck.toml"), self.path("data"));
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run_bin::opsdeck(&config, &data, &args)
        })
        .await
        .unwrap()
    }

    /// `alerts --json` until one of `rule` shows up (pending or firing): a
    /// snapshot reads the cluster as it is, and pods crash on their own clock.
    async fn alert(&self, rule: &str) -> Value {
        for _ in 0..60 {
            let out = self.run(&["alerts", "--json", "--window", "0"]).await;
            let json: Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{e}\n{}", run_bin::text(&out)));
            let found = json["alerts"]
                .as_array()
                .into_iter()
                .flatten()
                // Only this cluster's: the local Docker engine is watched too, and
                // other builds on the machine may have containers starting on it.
                .find(|a| {
                    a["rule"] == rule && a["state"] != "resolved" && a["labels"]["target"] == "test"
                });
            if let Some(a) = found {
                return a.clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        panic!("no {rule} alert")
    }
}

fn label<'a>(alert: &'a Value, name: &str) -> &'a str {
    alert["labels"][name]
        .as_str()
        .unwrap_or_else(|| panic!("no label {name} in {alert:#}"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_rollout_by_kubectl_fires_and_the_runbook_undoes_it() {
    let k = TestCluster::start(fast_config()).await;
    apply(
        &k,
        "web.yaml",
        &deployment_yaml("web", "demo:1", 2, "  progressDeadlineSeconds: 2\n"),
    )
    .await;
    k.rolled_out("web").await;
    k.ok(&["set", "image", "deployment/web", "app=demo:2-broken"])
        .await;
    let cause = "kubectl set image deployment/web app=demo:2-broken (ticket OPS-7)";
    k.ok(&[
        "annotate",
        "deployment/web",
        &format!("kubernetes.io/change-cause={cause}"),
    ])
    .await;
    let ops = Opsdeck::new(&k);

    let crash = ops.alert("PodCrashLooping").await;
    assert_eq!(label(&crash, "workload"), "test/default/web", "{crash:#}");
    assert_eq!(label(&crash, "namespace"), "default");
    assert_eq!(label(&crash, "target"), "test");
    let pod = label(&crash, "pod");
    let phase = k
        .jsonpath(
            &format!("pod/{pod}"),
            "{.spec.containers[0].image} {.spec.nodeName}",
        )
        .await;
    assert_eq!(
        phase,
        format!("demo:2-broken {}", label(&crash, "node")),
        "the alert names the crashing pod and its node as kubectl sees them"
    );
    assert_eq!(crash["runbook_id"], "failed-deploy", "{crash:#}");
    let stuck = ops.alert("RolloutStuck").await;
    assert_eq!(label(&stuck, "workload"), "test/default/web", "{stuck:#}");
    assert_eq!(label(&stuck, "namespace"), "default");
    assert_eq!(stuck["state"], "firing", "{stuck:#}");

    let report = ops.path("report.md");
    let workload = format!("workload={}", label(&crash, "workload"));
    let signal = format!("signal={}", label(&crash, "series"));
    let out = ops
        .run(&[
            "runbook",
            "run",
            "failed-deploy",
            "--param",
            &workload,
            "--param",
            &signal,
            "--yes",
            "--report",
            report.to_str().unwrap(),
        ])
        .await;
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!(
            "revision 2 (demo:2-broken, replacing revision 1: demo:1; change-cause: {cause})"
        )),
        "the rollout kubectl made, the right way round: {text}"
    );
    assert!(
        text.contains("running, 1 on the new revision, image demo"),
        "the old revision's replicas are ready, not the new one's: {text}"
    );
    assert!(text.contains("outcome: completed"), "{text}");
    let md = read(&report);
    assert!(md.contains("demo:2-broken"), "{md}");
    assert!(md.contains("rollback test/default/web"), "{md}");

    // kubectl agrees: the template is back on demo:1 as revision 3, rolled out.
    k.rolled_out("web").await;
    assert_eq!(
        k.jsonpath(
            "deployment/web",
            "{.spec.template.spec.containers[0].image}"
        )
        .await,
        "demo:1"
    );
    let history = k.ok(&["rollout", "history", "deployment/web"]).await;
    assert!(
        history.lines().any(|l| l.starts_with('3')) && history.contains(cause),
        "{history}"
    );
    let out = ops.run(&["history", "test/default/web"]).await;
    let text = run_bin::text(&out);
    assert!(
        text.contains("demo:2-broken") && text.contains(cause),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_under_disk_pressure_and_not_ready_fires_the_node_alerts() {
    let k = TestCluster::start(fast_config()).await;
    // Conditions as the test server seeds them: MemoryPressure, DiskPressure, PIDPressure, Ready.
    k.ok(&[
        "patch",
        "node",
        "node-2",
        "--subresource=status",
        "--type=json",
        "-p",
        r#"[{"op":"replace","path":"/status/conditions/1/status","value":"True"},
            {"op":"replace","path":"/status/conditions/3/status","value":"False"}]"#,
    ])
    .await;
    let shown = k.ok(&["get", "node", "node-2"]).await;
    assert!(shown.contains("NotReady"), "{shown}");
    let ops = Opsdeck::new(&k);

    let pressure = ops.alert("NodePressure").await;
    assert_eq!(label(&pressure, "node"), "node-2", "{pressure:#}");
    assert_eq!(label(&pressure, "target"), "test");
    assert_eq!(label(&pressure, "metric"), "disk_pressure");
    assert_eq!(pressure["runbook_id"], "node", "{pressure:#}");
    let not_ready = ops.alert("NodeNotReady").await;
    assert_eq!(label(&not_ready, "node"), "node-2", "{not_ready:#}");
    let out = ops.run(&["alerts", "--json", "--window", "0"]).await;
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let about_node_1 = json["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["labels"]["node"] == "node-1");
    assert!(!about_node_1, "node-1 is fine: {json:#}");

    // The node runbook reads the same series, headless, and leaves the node to the engineer.
    let out = ops
        .run(&[
            "runbook",
            "run",
            "node",
            "--param",
            "target=test",
            "--param",
            "node=node-2",
            "--plan",
        ])
        .await;
    let text = run_bin::text(&out);
    assert!(text.contains("kubectl cordon node-2"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_down_after_a_recreate_rollout_is_brought_back_by_site_down() {
    let k = TestCluster::start(fast_config()).await;
    apply(
        &k,
        "shop.yaml",
        &deployment_yaml("shop", "demo:1", 2, "  strategy: {type: Recreate}\n"),
    )
    .await;
    k.rolled_out("shop").await;
    k.ok(&["set", "image", "deployment/shop", "app=demo:2-broken"])
        .await;
    let ops = Opsdeck::new(&k);
    let down = ops.alert("WorkloadNotReady").await;
    assert_eq!(label(&down, "workload"), "test/default/shop", "{down:#}");
    assert_eq!(label(&down, "namespace"), "default");
    assert_eq!(down["runbook_id"], "site-down", "{down:#}");

    let workload = format!("workload={}", label(&down, "workload"));
    let out = ops
        .run(&["runbook", "run", "site-down", "--param", &workload, "--yes"])
        .await;
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("revision 2 (demo:2-broken, replacing revision 1: demo:1)"),
        "{text}"
    );
    assert!(text.contains("rollback test/default/shop"), "{text}");
    assert!(text.contains("outcome: completed"), "{text}");
    k.rolled_out("shop").await;
    assert_eq!(
        k.jsonpath(
            "deployment/shop",
            "{.spec.template.spec.containers[0].image}"
        )
        .await,
        "demo:1"
    );
}
