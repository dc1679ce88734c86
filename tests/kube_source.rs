//! The Kubernetes source against the test API server on a loopback port, as
//! a kubeconfig names it: the inventory follows the cluster through watches
//! (scale, crash loops, events), relists after a 410, limits itself to the
//! namespaces configured, and says what it could not read.

#[path = "support/kube_cluster.rs"]
mod kube_cluster;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube_cluster::{fast_config, TestCluster};
use opsdeck::connect::kube::KubeTarget;
use opsdeck::model::{Inventory, Workload, WorkloadKind};
use opsdeck::source::kube::KubeSource;
use opsdeck::source::{Source, Update};
use serde_json::json;
use std::time::{Duration, Instant};

fn target(cluster: &TestCluster, namespaces: &[&str]) -> KubeTarget {
    KubeTarget {
        name: "test".into(),
        context: None,
        kubeconfig: Some(cluster.kubeconfig.clone()),
        namespaces: namespaces.iter().map(|s| s.to_string()).collect(),
    }
}

fn deployment(name: &str, image: &str, replicas: i32) -> Deployment {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "app", "image": image,
                                "resources": {"requests": {"cpu": "100m", "memory": "64Mi"},
                                              "limits": {"cpu": "500m", "memory": "128Mi"}}}]}}}
    }))
    .unwrap()
}

async fn create(cluster: &TestCluster, ns: &str, d: Deployment) {
    let client = kube::Client::new(cluster.cluster.router(), ns);
    if ns != "default" {
        let nss: Api<Namespace> = Api::all(client.clone());
        let _ = nss
            .create(
                &PostParams::default(),
                &serde_json::from_value(json!({"metadata": {"name": ns}})).unwrap(),
            )
            .await;
    }
    Api::<Deployment>::namespaced(client, ns)
        .create(&PostParams::default(), &d)
        .await
        .unwrap();
}

/// Polls until `done` holds for the inventory, returning it and every event seen.
async fn poll_until(
    source: &mut KubeSource,
    what: &str,
    done: impl Fn(&Inventory) -> bool,
) -> (Inventory, Vec<opsdeck::model::EngineEvent>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut events = Vec::new();
    loop {
        let updates = source.poll().await.expect("poll");
        let mut last = None;
        for u in updates {
            match u {
                Update::Inventory { inventory, .. } => last = Some(*inventory),
                Update::Events { events: e, .. } => events.extend(e),
                // Pods annotated for scraping (none here; tests/kube_pod_scrape.rs).
                Update::Discovered { scrapes, .. } => assert!(scrapes.is_empty(), "{scrapes:?}"),
                other => panic!("unexpected update {other:?}"),
            }
        }
        let inv = last.expect("every poll reports the inventory");
        if done(&inv) {
            return (inv, events);
        }
        assert!(Instant::now() < deadline, "{what} never showed: {inv:#?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn workload<'a>(inv: &'a Inventory, addr: &str) -> Option<&'a Workload> {
    inv.workloads.iter().find(|w| w.addr.to_string() == addr)
}

#[tokio::test]
async fn the_inventory_follows_rollouts_crash_loops_and_events() {
    let cluster = TestCluster::start(fast_config()).await;
    create(&cluster, "default", deployment("web", "shop/web:1", 2)).await;
    create(&cluster, "default", deployment("bad", "shop/oom:1", 1)).await;
    let mut source = KubeSource::new(target(&cluster, &[]));

    let (inv, events) = poll_until(&mut source, "web 2/2 and bad crash-looping", |inv| {
        workload(inv, "test/default/web").is_some_and(|w| w.ready == 2 && w.usage.cpu_percent > 0.0)
            && inv.instances.iter().any(|i| {
                i.workload.name == "bad"
                    && i.pod.as_ref().is_some_and(|p| p.reason().is_some())
                    && i.restart_count > 0
            })
    })
    .await;
    let web = workload(&inv, "test/default/web").unwrap();
    assert_eq!(web.kind, WorkloadKind::Deployment);
    assert_eq!(web.desired, Some(2));
    assert_eq!(web.images, ["shop/web:1"]);
    let rollout = web.rollout.as_ref().expect("rollout state");
    assert_eq!((rollout.up_to_date, rollout.available), (2, 2));
    assert_eq!(rollout.revision, "1");
    assert_eq!(
        rollout.requests.cpu_millis, 200,
        "100m requested by each of 2"
    );
    assert_eq!(rollout.limits.mem_bytes, 2 * 128 * 1024 * 1024);
    let pods: Vec<_> = inv
        .instances
        .iter()
        .filter(|i| i.workload == web.addr)
        .collect();
    assert_eq!(pods.len(), 2);
    for p in &pods {
        let detail = p.pod.as_ref().unwrap();
        assert!(p.is_ready(), "{p:?}");
        assert!(p.name.starts_with("web-"), "{}", p.name);
        assert!(detail.node.starts_with("node-"), "{detail:?}");
        assert_eq!(detail.ready_text(), "1/1");
        let usage = p.usage.unwrap();
        assert_eq!(usage.mem_limit_bytes, 128 * 1024 * 1024);
        // One container: its own reading from metrics.k8s.io is the pod's.
        let own = detail.containers[0].usage.expect("the container's usage");
        assert_eq!(own.mem_bytes, usage.mem_bytes, "{detail:?}");
    }
    let bad = inv
        .instances
        .iter()
        .find(|i| i.workload.name == "bad")
        .unwrap();
    let detail = bad.pod.as_ref().unwrap();
    assert!(
        detail.containers[0]
            .last_termination
            .as_deref()
            .is_some_and(|t| t.starts_with("OOMKilled (exit 137)")),
        "{detail:?}"
    );
    assert_eq!(inv.nodes.len(), 2);
    assert!(
        inv.nodes.iter().all(|n| n.ready && n.usage.is_some()),
        "{:?}",
        inv.nodes
    );
    assert!(inv.namespaces.contains(&"kube-system".to_string()));
    assert!(inv.notes.is_empty(), "{:?}", inv.notes);
    let backoff = events
        .iter()
        .find(|e| e.action == "BackOff")
        .expect("the kubelet's BackOff warning");
    assert!(backoff.warning);
    assert_eq!(
        backoff.workload.as_ref().unwrap().to_string(),
        "test/default/bad"
    );
    assert!(
        events.iter().any(|e| e.action == "ScalingReplicaSet"
            && e.workload.as_ref().is_some_and(|w| w.name == "web")),
        "{events:#?}"
    );

    // A change made behind opsdeck's back shows through the watch, and an
    // event already reported is not reported again.
    let client = kube::Client::new(cluster.cluster.router(), "default");
    Api::<Deployment>::default_namespaced(client)
        .patch_scale(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 3}})),
        )
        .await
        .unwrap();
    let (inv, again) = poll_until(&mut source, "web scaled to 3", |inv| {
        workload(inv, "test/default/web").is_some_and(|w| w.desired == Some(3) && w.ready == 3)
    })
    .await;
    assert_eq!(
        inv.instances
            .iter()
            .filter(|i| i.workload.name == "web")
            .count(),
        3
    );
    assert!(
        !again.iter().any(|e| events.iter().any(|old| old == e)),
        "events repeated: {again:#?}"
    );
}

#[tokio::test]
async fn an_expired_watch_relists_and_keeps_following() {
    let cluster = TestCluster::start(fast_config()).await;
    create(&cluster, "default", deployment("web", "shop/web:1", 1)).await;
    let mut source = KubeSource::new(target(&cluster, &[]));
    poll_until(&mut source, "web ready", |inv| {
        workload(inv, "test/default/web").is_some_and(|w| w.ready == 1)
    })
    .await;
    // Compaction makes every resumed watch get 410 Expired; then a change.
    cluster.cluster.compact();
    create(&cluster, "default", deployment("api", "shop/api:1", 2)).await;
    cluster.cluster.compact();
    poll_until(&mut source, "api after the relist", |inv| {
        workload(inv, "test/default/api").is_some_and(|w| w.ready == 2)
            && workload(inv, "test/default/web").is_some()
    })
    .await;
}

#[tokio::test]
async fn a_target_limited_to_namespaces_sees_only_those() {
    let cluster = TestCluster::start(fast_config()).await;
    create(&cluster, "default", deployment("web", "shop/web:1", 1)).await;
    create(&cluster, "shop", deployment("cart", "shop/cart:1", 1)).await;
    create(&cluster, "ops", deployment("tool", "ops/tool:1", 1)).await;
    let mut source = KubeSource::new(target(&cluster, &["shop", "ops"]));
    let (inv, _) = poll_until(&mut source, "cart and tool", |inv| {
        workload(inv, "test/shop/cart").is_some_and(|w| w.ready == 1)
            && workload(inv, "test/ops/tool").is_some_and(|w| w.ready == 1)
    })
    .await;
    assert!(workload(&inv, "test/default/web").is_none());
    assert!(inv.instances.iter().all(|i| i.workload.group != "default"));
}

#[tokio::test]
async fn a_cluster_without_metrics_says_so_and_still_reports() {
    let cluster = TestCluster::start(kube_test_server::Config {
        metrics: false,
        ..fast_config()
    })
    .await;
    create(&cluster, "default", deployment("web", "shop/web:1", 1)).await;
    let mut source = KubeSource::new(target(&cluster, &[]));
    let (inv, _) = poll_until(&mut source, "web ready", |inv| {
        workload(inv, "test/default/web").is_some_and(|w| w.ready == 1)
    })
    .await;
    assert!(
        inv.notes
            .iter()
            .any(|n| n.contains("metrics.k8s.io is not served")),
        "{:?}",
        inv.notes
    );
    assert!(inv.instances.iter().all(|i| i.usage.is_none()));
    // As without a metrics-server, discovery does not list the group either.
    let versions = cluster.ok(&["api-versions"]).await;
    assert!(versions.contains("apps/v1"), "{versions}");
    assert!(!versions.contains("metrics.k8s.io"), "{versions}");
}

#[tokio::test]
async fn an_unreachable_cluster_is_a_failed_poll_not_a_hang() {
    let cluster = TestCluster::start(fast_config()).await;
    let kubeconfig = cluster.kubeconfig.clone();
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead = cluster.path("dead-kubeconfig");
    std::fs::write(
        &dead,
        text.replace(&cluster.addr.to_string(), &format!("127.0.0.1:{port}")),
    )
    .unwrap();
    let mut source = KubeSource::new(KubeTarget {
        kubeconfig: Some(dead),
        ..target(&cluster, &[])
    });
    let err = tokio::time::timeout(Duration::from_secs(30), source.poll())
        .await
        .expect("the poll ends")
        .expect_err("nothing to read");
    assert!(
        err.contains("list pods") || err.contains("list deployments"),
        "{err}"
    );
}
