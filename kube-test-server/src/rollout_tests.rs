//! The controllers driven directly on a Store: ReplicaSet naming, revision bookkeeping,
//! history cleanup and status, without HTTP or timers.

use std::time::Duration;

use serde_json::{json, Value};

use crate::deployment::{revision, REVISION};
use crate::hash::pod_template_hash;
use crate::kubelet::{node_object, Kubelet};
use crate::resources::get;
use crate::store::Store;

fn cluster() -> (Store, Kubelet) {
    let mut store = Store::new(1000);
    store
        .create(
            get("", "namespaces"),
            "",
            json!({"metadata": {"name": "default"}}),
            false,
        )
        .unwrap();
    store
        .create(get("", "nodes"), "", node_object("n1"), false)
        .unwrap();
    (store, Kubelet::default())
}

/// Lets controllers and the kubelet run until the world stops changing.
fn settle(store: &mut Store, kubelet: &mut Kubelet) {
    for _ in 0..20 {
        let before = store.resource_version();
        kubelet.tick(store, Duration::ZERO, Duration::from_secs(3600));
        crate::reconcile(store);
        if store.resource_version() == before {
            return;
        }
    }
    panic!("the controllers never settled");
}

fn set_image(store: &mut Store, image: &str) {
    let mut d = store
        .get(get("apps", "deployments"), "default", "web")
        .unwrap()
        .clone();
    d["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image);
    store.update(get("apps", "deployments"), d, false).unwrap();
}

fn replica_sets(store: &Store) -> Vec<(String, i64, i64)> {
    let mut sets: Vec<(String, i64, i64)> = store
        .list(get("apps", "replicasets"), Some("default"))
        .iter()
        .map(|rs| {
            (
                rs["metadata"]["name"].as_str().unwrap().to_string(),
                revision(rs),
                rs["spec"]["replicas"].as_i64().unwrap(),
            )
        })
        .collect();
    sets.sort_by_key(|s| s.1);
    sets
}

fn web(limit: i64) -> Value {
    json!({"metadata": {"name": "web"}, "spec": {"replicas": 3, "revisionHistoryLimit": limit,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "v1"}]}}}})
}

#[test]
fn rollouts_name_replica_sets_by_hash_and_keep_revisions() {
    let (mut store, mut kubelet) = cluster();
    let created = store
        .create(get("apps", "deployments"), "default", web(10), false)
        .unwrap();
    settle(&mut store, &mut kubelet);
    let hash = pod_template_hash(&created["spec"]["template"], None);
    assert_eq!(replica_sets(&store), vec![(format!("web-{hash}"), 1, 3)]);
    let pods = store.list(get("", "pods"), Some("default"));
    assert_eq!(pods.len(), 3);
    assert!(pods
        .iter()
        .all(|p| p["metadata"]["labels"]["pod-template-hash"] == hash.as_str()));

    set_image(&mut store, "v2");
    settle(&mut store, &mut kubelet);
    let sets = replica_sets(&store);
    assert_eq!(
        sets.iter().map(|s| (s.1, s.2)).collect::<Vec<_>>(),
        vec![(1, 0), (2, 3)]
    );

    // Back to v1: the first ReplicaSet is reused as revision 3 and remembers revision 1.
    set_image(&mut store, "v1");
    settle(&mut store, &mut kubelet);
    let sets = replica_sets(&store);
    assert_eq!(
        sets,
        vec![(sets[0].0.clone(), 2, 0), (format!("web-{hash}"), 3, 3)]
    );
    let first = store
        .get(
            get("apps", "replicasets"),
            "default",
            &format!("web-{hash}"),
        )
        .unwrap();
    assert_eq!(
        first["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"],
        "1"
    );
    assert_eq!(first["metadata"]["annotations"][REVISION], "3");

    let d = store
        .get(get("apps", "deployments"), "default", "web")
        .unwrap();
    let status = &d["status"];
    assert_eq!(
        (
            status["replicas"].as_i64(),
            status["updatedReplicas"].as_i64(),
            status["availableReplicas"].as_i64()
        ),
        (Some(3), Some(3), Some(3))
    );
    assert_eq!(status["observedGeneration"], d["metadata"]["generation"]);
    let reasons: Vec<&str> = status["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        vec!["MinimumReplicasAvailable", "NewReplicaSetAvailable"]
    );
}

#[test]
fn revision_history_limit_deletes_the_oldest_idle_replica_sets() {
    let (mut store, mut kubelet) = cluster();
    store
        .create(get("apps", "deployments"), "default", web(1), false)
        .unwrap();
    settle(&mut store, &mut kubelet);
    for image in ["v2", "v3", "v4"] {
        set_image(&mut store, image);
        settle(&mut store, &mut kubelet);
    }
    let revisions: Vec<i64> = replica_sets(&store).iter().map(|s| s.1).collect();
    assert_eq!(
        revisions,
        vec![3, 4],
        "one old ReplicaSet kept beside the current one"
    );
}

#[test]
fn a_rolling_update_never_drops_below_the_minimum_available() {
    let (mut store, mut kubelet) = cluster();
    store
        .create(get("apps", "deployments"), "default", web(10), false)
        .unwrap();
    settle(&mut store, &mut kubelet);
    set_image(&mut store, "v2");
    // One controller pass at a time, without letting pods start: the surge is bounded.
    crate::reconcile(&mut store);
    let sets = replica_sets(&store);
    let total: i64 = sets.iter().map(|s| s.2).sum();
    assert!(total <= 4, "3 replicas + 25% surge (1): {sets:?}");
    let ready: usize = store
        .list(get("", "pods"), Some("default"))
        .iter()
        .filter(|p| crate::kubelet::is_ready(p))
        .count();
    assert!(
        ready >= 3,
        "25% of 3 rounds down to 0 unavailable: {ready} ready"
    );
    settle(&mut store, &mut kubelet);
    assert_eq!(
        replica_sets(&store).iter().map(|s| s.2).collect::<Vec<_>>(),
        vec![0, 3]
    );
}

#[test]
fn invalid_workloads_are_refused_with_the_api_servers_reasons() {
    let (mut store, _) = cluster();
    let mut bad = web(10);
    bad["spec"]["selector"]["matchLabels"]["app"] = json!("other");
    let err = store
        .create(get("apps", "deployments"), "default", bad, false)
        .unwrap_err();
    assert_eq!((err.code, err.reason), (422, "Invalid"));
    assert!(
        err.message
            .starts_with("Deployment.apps \"web\" is invalid: spec.template.metadata.labels"),
        "{}",
        err.message
    );
    let mut upper = web(10);
    upper["metadata"]["name"] = json!("Web");
    let err = store
        .create(get("apps", "deployments"), "default", upper, false)
        .unwrap_err();
    assert!(err.message.contains("RFC 1123"), "{}", err.message);
}
