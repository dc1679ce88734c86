//! The Kubernetes test API server is faithful enough for the real kubectl: apply, get, scale,
//! set image, rollout status / history / undo / restart / pause, logs, top, delete, dry run.

#[path = "support/kube_cluster.rs"]
mod kube_cluster;

use kube_cluster::{fast_config, TestCluster};

const WEB: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: REPLICAS
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: demo:1
        ports: [{containerPort: 8080}]
";

async fn apply_web(k: &TestCluster, replicas: u32) -> String {
    let path = k.path("web.yaml");
    std::fs::write(&path, WEB.replace("REPLICAS", &replicas.to_string())).unwrap();
    k.ok(&["apply", "-f", path.to_str().unwrap()]).await
}

/// ReplicaSets of `web` as (name, revision, desired replicas), by revision.
async fn replica_sets(k: &TestCluster) -> Vec<(String, u32, u32)> {
    let out = k
        .ok(&["get", "rs", "-l", "app=web", "-o",
              r#"jsonpath={range .items[*]}{.metadata.name} {.metadata.annotations.deployment\.kubernetes\.io/revision} {.spec.replicas}{"\n"}{end}"#])
        .await;
    let mut sets: Vec<(String, u32, u32)> = out
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (
                f[0].to_string(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
            )
        })
        .collect();
    sets.sort_by_key(|s| s.1);
    sets
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_drives_a_deployment_through_its_lifecycle() {
    let k = TestCluster::start(fast_config()).await;

    let nodes = k.ok(&["get", "nodes"]).await;
    assert!(
        nodes.contains("node-1") && nodes.contains("Ready"),
        "{nodes}"
    );

    // apply creates, a second apply patches (client-side apply's strategic merge).
    assert!(apply_web(&k, 3)
        .await
        .contains("deployment.apps/web created"));
    k.rolled_out("web").await;
    assert_eq!(
        k.jsonpath("deployment/web", "{.status.readyReplicas}")
            .await,
        "3"
    );
    let table = k.ok(&["get", "deployment", "web"]).await;
    assert!(
        table.contains("READY") && table.contains("3/3"),
        "kubectl prints the server's Table: {table}"
    );
    let pods = k.ok(&["get", "pods", "-l", "app=web", "-o", "name"]).await;
    assert_eq!(pods.lines().count(), 3, "{pods}");
    let first = replica_sets(&k).await;
    assert_eq!(first.len(), 1);
    assert!(
        first[0].0.starts_with("web-") && first[0].1 == 1,
        "{first:?}"
    );
    let hash = k
        .jsonpath(
            &format!("rs/{}", first[0].0),
            "{.metadata.labels.pod-template-hash}",
        )
        .await;
    assert_eq!(
        first[0].0,
        format!("web-{hash}"),
        "ReplicaSets are named after the pod-template hash"
    );
    assert!(apply_web(&k, 4)
        .await
        .contains("deployment.apps/web configured"));
    k.rolled_out("web").await;
    assert_eq!(
        k.jsonpath("deployment/web", "{.status.availableReplicas}")
            .await,
        "4"
    );

    // scale goes through the scale subresource.
    assert!(k
        .ok(&["scale", "deployment/web", "--replicas=2"])
        .await
        .contains("scaled"));
    k.rolled_out("web").await;
    assert_eq!(
        k.ok(&["get", "pods", "-l", "app=web", "-o", "name"])
            .await
            .lines()
            .count(),
        2
    );

    // set image rolls to a second ReplicaSet, revision 2, the first scaled to zero.
    k.ok(&["set", "image", "deployment/web", "app=demo:2"])
        .await;
    k.rolled_out("web").await;
    k.ok(&[
        "annotate",
        "deployment/web",
        "kubernetes.io/change-cause=upgrade to demo:2",
    ])
    .await;
    let sets = replica_sets(&k).await;
    assert_eq!(
        sets.iter().map(|s| (s.1, s.2)).collect::<Vec<_>>(),
        vec![(1, 0), (2, 2)],
        "{sets:?}"
    );
    let history = k.ok(&["rollout", "history", "deployment/web"]).await;
    assert!(history.contains("upgrade to demo:2"), "{history}");
    assert!(
        history.lines().any(|l| l.starts_with("1 "))
            && history.lines().any(|l| l.starts_with("2 ")),
        "{history}"
    );

    // undo returns to the first template: its ReplicaSet comes back as revision 3.
    assert!(k
        .ok(&["rollout", "undo", "deployment/web"])
        .await
        .contains("rolled back"));
    k.rolled_out("web").await;
    assert_eq!(
        k.jsonpath(
            "deployment/web",
            "{.spec.template.spec.containers[0].image}"
        )
        .await,
        "demo:1"
    );
    let sets = replica_sets(&k).await;
    assert_eq!(sets.len(), 2, "{sets:?}");
    assert_eq!(
        (sets[1].0.as_str(), sets[1].1, sets[1].2),
        (first[0].0.as_str(), 3, 2),
        "{sets:?}"
    );
    let history = k.ok(&["rollout", "history", "deployment/web"]).await;
    assert!(
        history.lines().any(|l| l.starts_with("3 "))
            && !history.lines().any(|l| l.starts_with("1 ")),
        "{history}"
    );
    let rev2 = k
        .ok(&["rollout", "history", "deployment/web", "--revision=2"])
        .await;
    assert!(rev2.contains("demo:2"), "{rev2}");
    k.ok(&["rollout", "undo", "deployment/web", "--to-revision=2"])
        .await;
    k.rolled_out("web").await;
    assert_eq!(
        k.jsonpath(
            "deployment/web",
            "{.spec.template.spec.containers[0].image}"
        )
        .await,
        "demo:2"
    );

    // restart stamps the template and rolls a new ReplicaSet.
    k.ok(&["rollout", "restart", "deployment/web"]).await;
    k.rolled_out("web").await;
    let stamped = k
        .jsonpath(
            "deployment/web",
            r#"{.spec.template.metadata.annotations.kubectl\.kubernetes\.io/restartedAt}"#,
        )
        .await;
    assert!(!stamped.is_empty());
    assert_eq!(replica_sets(&k).await.last().map(|s| s.1), Some(5));

    // Server-side dry run changes nothing.
    let dry = k
        .ok(&[
            "scale",
            "deployment/web",
            "--replicas=7",
            "--dry-run=server",
        ])
        .await;
    assert!(dry.contains("server dry run"), "{dry}");
    assert_eq!(k.jsonpath("deployment/web", "{.spec.replicas}").await, "2");

    // Pause is representable and holds the template back; resume rolls it out.
    k.ok(&["rollout", "pause", "deployment/web"]).await;
    k.ok(&["set", "image", "deployment/web", "app=demo:3"])
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        replica_sets(&k).await.len(),
        3,
        "no new ReplicaSet while paused"
    );
    let progressing = k
        .jsonpath(
            "deployment/web",
            r#"{.status.conditions[?(@.type=="Progressing")].reason}"#,
        )
        .await;
    assert_eq!(progressing, "DeploymentPaused");
    k.ok(&["rollout", "resume", "deployment/web"]).await;
    k.rolled_out("web").await;
    assert_eq!(
        k.jsonpath("deployment/web", "{.status.updatedReplicas}")
            .await,
        "2"
    );

    // Logs and metrics of a running pod.
    let pod = k
        .ok(&[
            "get",
            "pods",
            "-l",
            "app=web",
            "-o",
            "jsonpath={.items[0].metadata.name}",
        ])
        .await;
    let logs = k.ok(&["logs", &pod]).await;
    assert!(logs.contains("app starting image demo:3"), "{logs}");
    let top = k.kubectl(&["top", "pods", "-l", "app=web"]).await;
    assert!(
        top.ok && top.stdout.contains("CPU(cores)") && top.stdout.contains(&pod),
        "{}{}",
        top.stdout,
        top.stderr
    );

    // Deleting the Deployment removes its ReplicaSets and pods.
    assert!(k
        .ok(&["delete", "deployment", "web"])
        .await
        .contains("deleted"));
    assert!(k
        .ok(&["get", "rs,pods", "-l", "app=web", "-o", "name"])
        .await
        .trim()
        .is_empty());
    let missing = k.kubectl(&["get", "deployment", "web"]).await;
    assert!(
        !missing.ok
            && missing.stderr.contains("NotFound")
            && missing.stderr.contains("\"web\" not found"),
        "{}",
        missing.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_image_exceeds_the_progress_deadline_and_undo_recovers() {
    let k = TestCluster::start(fast_config()).await;
    apply_web(&k, 2).await;
    k.rolled_out("web").await;
    k.ok(&[
        "patch",
        "deployment/web",
        "-p",
        r#"{"spec":{"progressDeadlineSeconds":2}}"#,
    ])
    .await;
    k.ok(&["set", "image", "deployment/web", "app=demo-broken:2"])
        .await;
    let status = k
        .kubectl(&["rollout", "status", "deployment/web", "--timeout=60s"])
        .await;
    assert!(
        !status.ok && status.stderr.contains("exceeded its progress deadline"),
        "{}{}",
        status.stdout,
        status.stderr
    );
    let pods = k.ok(&["get", "pods", "-l", "app=web"]).await;
    assert!(pods.contains("CrashLoopBackOff"), "{pods}");
    let broken = k
        .ok(&["get", "pods", "-l", "app=web", "-o",
              r#"jsonpath={range .items[?(@.status.containerStatuses[0].state.waiting)]}{.metadata.name} {.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].lastState.terminated.reason}{"\n"}{end}"#])
        .await;
    let first = broken
        .lines()
        .next()
        .unwrap_or_else(|| panic!("a crash-looping pod: {pods}"));
    let fields: Vec<&str> = first.split_whitespace().collect();
    assert!(
        fields[1].parse::<u32>().unwrap() >= 1 && fields[2] == "Error",
        "{broken}"
    );
    let previous = k.ok(&["logs", fields[0], "--previous"]).await;
    assert!(previous.contains("is broken"), "{previous}");
    // The old ReplicaSet kept the Deployment available while the new one failed.
    assert_eq!(
        k.jsonpath(
            "deployment/web",
            r#"{.status.conditions[?(@.type=="Available")].status}"#
        )
        .await,
        "True"
    );
    k.ok(&["rollout", "undo", "deployment/web"]).await;
    k.rolled_out("web").await;
    let events = k
        .ok(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.kind=Deployment",
        ])
        .await;
    assert!(events.contains("ScalingReplicaSet"), "{events}");

    // An image named oom is OOMKilled and crash-loops.
    k.ok(&["set", "image", "deployment/web", "app=demo-oom:1"])
        .await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let reasons = k
        .ok(&[
            "get",
            "pods",
            "-l",
            "app=web",
            "-o",
            "jsonpath={.items[*].status.containerStatuses[0].lastState.terminated.reason}",
        ])
        .await;
    assert!(reasons.contains("OOMKilled"), "{reasons}");
}

/// Waits for the `db` StatefulSet to roll out; returns its pods' images by ordinal.
async fn db_images_after_rollout(k: &TestCluster) -> String {
    k.ok(&["rollout", "status", "statefulset/db", "--timeout=60s"])
        .await;
    let path = "jsonpath={.items[*].spec.containers[0].image}";
    k.ok(&["get", "pods", "-l", "app=db", "-o", path]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statefulsets_and_daemonsets_roll_out_and_back() {
    let k = TestCluster::start(fast_config()).await;
    let path = k.path("workloads.yaml");
    std::fs::write(&path, kube_cluster::STATEFUL_AND_DAEMON).unwrap();
    let out = k.ok(&["apply", "-f", path.to_str().unwrap()]).await;
    assert!(
        out.contains("statefulset.apps/db created") && out.contains("daemonset.apps/agent created"),
        "{out}"
    );
    k.ok(&["rollout", "status", "statefulset/db", "--timeout=60s"])
        .await;
    k.ok(&["rollout", "status", "daemonset/agent", "--timeout=60s"])
        .await;
    let pods = k.ok(&["get", "pods", "-l", "app=db", "-o", "name"]).await;
    assert_eq!(
        pods.split_whitespace().collect::<Vec<_>>(),
        vec!["pod/db-0", "pod/db-1"],
        "ordinal pods"
    );
    let agents = k
        .ok(&[
            "get",
            "pods",
            "-l",
            "app=agent",
            "-o",
            "jsonpath={.items[*].spec.nodeName}",
        ])
        .await;
    let mut nodes: Vec<&str> = agents.split_whitespace().collect();
    nodes.sort();
    assert_eq!(nodes, vec!["node-1", "node-2"], "one agent per node");

    k.ok(&["scale", "statefulset/db", "--replicas=3"]).await;
    k.ok(&["set", "image", "statefulset/db", "db=db:2"]).await;
    assert_eq!(db_images_after_rollout(&k).await, "db:2 db:2 db:2");
    let history = k.ok(&["rollout", "history", "statefulset/db"]).await;
    assert!(history.lines().any(|l| l.starts_with("2 ")), "{history}");
    k.ok(&["rollout", "undo", "statefulset/db"]).await;
    assert_eq!(db_images_after_rollout(&k).await, "db:1 db:1 db:1");
}
