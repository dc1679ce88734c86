//! Pods annotated `prometheus.io/scrape` are found by the Kubernetes source
//! and read through the API server's pod proxy, as kubectl reads them
//! (`kubectl get --raw .../pods/NAME:PORT/proxy/metrics`), so it works from a
//! laptop that cannot reach pod addresses. The pods here are hostNetwork pods
//! of the test API server, whose node is this machine: one serving the real
//! demo service on a loopback port, one whose port nothing listens on (the
//! proxy cannot reach it: a degraded target with the API server's reason, not
//! a green one), one whose annotations cannot be followed (said, not dropped).

#[path = "support/demo_local.rs"]
mod demo_local;
#[path = "support/free_port.rs"]
mod free_port;
#[path = "support/kube_act.rs"]
mod kube_act;
#[path = "support/kube_cluster.rs"]
mod kube_cluster;

use kube_cluster::{fast_config, TestCluster};
use opsdeck::console::Model;
use opsdeck::model::{Health, TargetKind};
use opsdeck::source::kube::KubeSource;
use opsdeck::source::{Source, Update};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const WITHIN: Duration = Duration::from_secs(60);

/// A Deployment of one pod annotated for scraping on `port`; `host_network`
/// puts the pod on its node's address (this machine) as in Kubernetes. (Pod
/// network addresses are no test of "unreachable" here: this sandbox's
/// egress proxy answers every address.)
fn scraped_deployment(name: &str, port: &str, host_network: bool) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 1\n\
         \x20 selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n\
         \x20     labels: {{app: {name}}}\n      annotations:\n        prometheus.io/scrape: \"true\"\n\
         \x20       prometheus.io/port: \"{port}\"\n    spec:\n      hostNetwork: {host_network}\n\
         \x20     containers:\n      - name: app\n        image: demo:1\n        ports:\n\
         \x20       - containerPort: 8080\n"
    )
}

fn pod_of(pods: &str, app: &str) -> String {
    pods.split_whitespace()
        .find(|p| p.starts_with(&format!("{app}-")))
        .unwrap_or_else(|| panic!("no pod of {app} in {pods:?}"))
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotated_pods_are_scraped_through_the_pod_proxy() {
    let k = TestCluster::start(fast_config()).await;
    let demo = demo_local::Demo::start().await;
    let port = demo.base.rsplit(':').next().unwrap().to_string();
    kube_act::apply(&k, "api.yaml", &scraped_deployment("api", &port, true)).await;
    // A port nothing listens on: the pod's process is not serving.
    let closed = free_port::free_port().to_string();
    kube_act::apply(
        &k,
        "hidden.yaml",
        &scraped_deployment("hidden", &closed, true),
    )
    .await;
    kube_act::apply(&k, "odd.yaml", &scraped_deployment("odd", "metrics", true)).await;
    for name in ["api", "hidden", "odd"] {
        k.rolled_out(name).await;
    }
    let pods = k
        .ok(&["get", "pods", "-o", "jsonpath={.items[*].metadata.name}"])
        .await;
    let (api, hidden, odd) = (
        pod_of(&pods, "api"),
        pod_of(&pods, "hidden"),
        pod_of(&pods, "odd"),
    );

    // The real kubectl reads the pod's /metrics through the same proxy path.
    let raw = format!("/api/v1/namespaces/default/pods/{api}:{port}/proxy/metrics");
    let text = k.ok(&["get", "--raw", &raw]).await;
    assert!(
        text.contains("# TYPE"),
        "exposition text through the proxy: {text}"
    );
    let refused = k
        .kubectl(&[
            "get",
            "--raw",
            &format!("/api/v1/namespaces/default/pods/{hidden}:{closed}/proxy/metrics"),
        ])
        .await;
    assert!(!refused.ok, "{}", refused.stdout);
    assert!(
        refused.stderr.contains("error trying to reach service"),
        "{}",
        refused.stderr
    );

    let mut source =
        KubeSource::new(kube_act::target(&k)).scraping_every(Duration::from_millis(500));
    let mut model = Model::new(Duration::from_secs(1), false);
    model.add_target("test", TargetKind::Kubernetes);
    let (api_t, hidden_t) = (
        format!("test/default/{api}"),
        format!("test/default/{hidden}"),
    );
    let deadline = Instant::now() + WITHIN;
    let mut series: HashMap<String, f64> = HashMap::new();
    let mut notes = Vec::new();
    loop {
        for u in source.poll().await.expect("the test API server answers") {
            match &u {
                Update::Series { series: s, .. } => series.extend(s.iter().cloned()),
                Update::Inventory { inventory, .. } => notes = inventory.notes.clone(),
                _ => {}
            }
            model.apply_update(u);
        }
        let api_up = series.get(&format!("scrape:{api_t}:up")) == Some(&1.0);
        let hidden_degraded = model
            .target(&hidden_t)
            .is_some_and(|t| matches!(t.health, Health::Degraded { .. }));
        if api_up && hidden_degraded {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not within {WITHIN:?}\ntargets: {:#?}\nseries: {series:#?}",
            model.targets
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    let found = model.target(&api_t).expect("the annotated pod is a target");
    assert_eq!(found.kind, TargetKind::Scrape);
    assert_eq!(found.discovered_by.as_deref(), Some("test"));
    assert_eq!(found.health, Health::Ok);
    // Its figures are the service's, as for a configured [[scrape]].
    assert!(
        model.services.iter().any(|s| s.name == api_t),
        "a service of the pod: {:?}",
        model.services.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
    match &model.target(&hidden_t).unwrap().health {
        Health::Degraded { reason, .. } => assert!(
            reason.contains("error trying to reach service")
                && reason.contains(&format!("127.0.0.1:{closed}")),
            "{reason}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(
        notes
            .iter()
            .any(|n| n.contains(&odd) && n.contains("\"metrics\" is not a port number")),
        "{notes:#?}"
    );
    assert!(
        model.target(&format!("test/default/{odd}")).is_none(),
        "a pod whose port cannot be read is not guessed at"
    );
}
