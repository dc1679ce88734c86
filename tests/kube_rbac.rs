//! RBAC on the Kubernetes test API server, seen through the real kubectl and through
//! opsdeck's own client: a viewer may read but not scale, a bad token is not logged in, and
//! opsdeck words both refusals with the verb and resource that were denied.

#[path = "support/kube_cluster.rs"]
mod kube_cluster;

use std::path::PathBuf;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube_cluster::{fast_config, TestCluster};
use kube_test_server::{Config, Rule, User};
use opsdeck::connect::kube::{client, explain, KubeTarget};
use serde_json::json;

const ADMIN: &str = "admin-token-1f2e";
const VIEWER: &str = "viewer-token-9c4a";
const LISTER: &str = "lister-token-51b0";

const WEB: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: demo:1
";

fn rbac_config() -> Config {
    Config {
        users: vec![
            User::new("admin", ADMIN).allow(Rule::new(&["*"], &["*"], &["*"])),
            // What the built-in `view` ClusterRole grants: reading, and no subresource writes.
            User::new("viewer", VIEWER).allow(Rule::new(
                &["get", "list", "watch"],
                &["", "apps"],
                &["pods", "pods/log", "deployments", "replicasets", "events"],
            )),
            // Sees pods but not their output.
            User::new("lister", LISTER).allow(Rule::new(
                &["get", "list"],
                &["", "apps"],
                &["pods", "deployments"],
            )),
        ],
        ..fast_config()
    }
}

async fn started_with_web() -> TestCluster {
    let k = TestCluster::start_tls(rbac_config()).await;
    let path = k.path("web.yaml");
    std::fs::write(&path, WEB).unwrap();
    k.ok(&["--token", ADMIN, "apply", "-f", path.to_str().unwrap()])
        .await;
    k
}

fn replicas(k: &TestCluster) -> i64 {
    k.cluster
        .get("apps", "deployments", "default", "web")
        .unwrap()["spec"]["replicas"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_viewer_reads_but_may_not_scale_and_a_bad_token_is_not_logged_in() {
    let k = started_with_web().await;
    let pods = k
        .ok(&[
            "--token", VIEWER, "get", "pods", "-l", "app=web", "-o", "name",
        ])
        .await;
    assert_eq!(pods.lines().count(), 2, "{pods}");
    assert!(pods.lines().all(|l| l.starts_with("pod/web-")), "{pods}");

    let scale = k
        .kubectl(&["--token", VIEWER, "scale", "deployment/web", "--replicas=5"])
        .await;
    assert!(!scale.ok, "a viewer scaled: {}", scale.stdout);
    assert!(
        scale.stderr.contains(
            "Error from server (Forbidden): deployments.apps \"web\" is forbidden: User \"viewer\" \
             cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"default\""
        ),
        "{}",
        scale.stderr
    );
    assert_eq!(replicas(&k), 2);

    // Namespaces are not in the viewer's rules: a cluster-scope list is refused.
    let ns = k.kubectl(&["--token", VIEWER, "get", "namespaces"]).await;
    assert!(
        ns.stderr.contains(
            "namespaces is forbidden: User \"viewer\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope"
        ),
        "{}",
        ns.stderr
    );

    // kubectl asks for a password when it has no credentials at all, so only a bad token here.
    let out = k.kubectl(&["--token", "not-a-token", "get", "pods"]).await;
    assert!(!out.ok);
    assert!(
        out.stderr
            .contains("error: You must be logged in to the server (Unauthorized)"),
        "{}",
        out.stderr
    );

    // The admin may do what the viewer may not.
    k.ok(&["--token", ADMIN, "scale", "deployment/web", "--replicas=3"])
        .await;
    assert_eq!(replicas(&k), 3);
}

fn target(path: PathBuf) -> KubeTarget {
    KubeTarget {
        name: "test".into(),
        context: None,
        kubeconfig: Some(path),
        namespaces: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn opsdeck_words_a_403_and_a_401_with_the_denied_verb_and_resource() {
    let k = started_with_web().await;
    let viewer = client(&target(k.kubeconfig_for("viewer", Some(VIEWER))))
        .await
        .unwrap();
    let pods: Api<Pod> = Api::default_namespaced(viewer.clone());
    assert!(!pods
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .is_empty());

    let deployments: Api<Deployment> = Api::default_namespaced(viewer);
    let patch = Patch::Merge(json!({"spec": {"replicas": 4}}));
    let e = deployments
        .patch_scale("web", &PatchParams::default(), &patch)
        .await
        .unwrap_err();
    match &e {
        kube::Error::Api(s) => {
            assert_eq!((s.code, s.reason.as_str()), (403, "Forbidden"));
            let d = s.details.as_ref().expect("details");
            assert_eq!(
                (d.name.as_str(), d.group.as_str(), d.kind.as_str()),
                ("web", "apps", "deployments")
            );
        }
        other => panic!("{other:?}"),
    }
    let text = explain(&e, "patch", "deployments/scale default/web");
    assert_eq!(
        text,
        "403 Forbidden: not allowed to patch deployments/scale default/web: deployments.apps \"web\" is forbidden: \
         User \"viewer\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"default\""
    );
    assert_eq!(replicas(&k), 2);

    for (file, token) in [("stranger", Some("stolen-token-0000")), ("anonymous", None)] {
        let config = client(&target(k.kubeconfig_for(file, token)))
            .await
            .unwrap();
        let e = Api::<Pod>::default_namespaced(config)
            .list(&ListParams::default())
            .await
            .unwrap_err();
        let text = explain(&e, "list", "pods default");
        assert_eq!(
            text,
            "401 Unauthorized: the cluster did not accept these credentials (list pods default): Unauthorized"
        );
        assert!(!text.contains("stolen-token"), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pod_logs_refused_by_rbac_name_the_subresource() {
    let k = started_with_web().await;
    let lister = client(&target(k.kubeconfig_for("lister", Some(LISTER))))
        .await
        .unwrap();
    let pods = opsdeck::source::kube::logs::pods_named(&lister, "default", "web")
        .await
        .unwrap();
    let pod = pods[0].pod.clone();
    // Reading the pod (for its containers) is allowed; its log is not.
    let (_, mut s) = opsdeck::source::kube::logs::stream(lister, pods, Default::default())
        .await
        .unwrap();
    let refused = s.next().await.expect("an answer").unwrap_err();
    assert_eq!(
        refused,
        format!(
            "403 Forbidden: not allowed to get pods/log default/{pod} (app): pods \"{pod}\" is forbidden: \
             User \"lister\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"default\""
        )
    );
    assert!(
        s.next().await.is_none(),
        "the stream ends after the refusal"
    );
}
