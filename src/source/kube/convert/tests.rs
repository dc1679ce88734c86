//! Objects shaped as `kubectl get -o json` prints them from a cluster.

use super::*;
use k8s_openapi::api::apps::v1::Deployment;
use serde_json::json;

pub(crate) fn crash_looping_pod_json() -> serde_json::Value {
    json!({
        "metadata": {"name": "api-7d4b9c-x2x9q", "namespace": "shop", "uid": "u-1",
            "creationTimestamp": "2026-11-23T10:00:00Z",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "api-7d4b9c",
                                 "uid": "rs-1", "controller": true}]},
        "spec": {"nodeName": "node-2", "containers": [
            {"name": "api", "image": "shop/api:2", "ports": [{"containerPort": 8080}],
             "resources": {"limits": {"cpu": "1", "memory": "256Mi"}}},
            {"name": "proxy", "image": "envoy:1", "resources": {"requests": {"cpu": "50m", "memory": "32Mi"}}}]},
        "status": {"phase": "Running", "startTime": "2026-11-23T10:00:01Z",
            "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [
                {"name": "api", "ready": false, "restartCount": 4, "image": "shop/api:2",
                 "imageID": "shop/api@sha256:ab", "started": false,
                 "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s"}},
                 "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}},
                {"name": "proxy", "ready": true, "restartCount": 0, "image": "envoy:1",
                 "imageID": "envoy@sha256:cd", "state": {"running": {"startedAt": "2026-11-23T10:00:02Z"}}}]}
    })
}

fn crash_looping_pod() -> PodRecord {
    serde_json::from_value(crash_looping_pod_json()).unwrap()
}

#[test]
fn a_crash_looping_pod_shows_why_and_what_it_asked_for() {
    let pod = crash_looping_pod();
    let addr = WorkloadAddr::new("prod", "shop", "api");
    let i = instance(
        &pod,
        addr,
        Some(Resources {
            cpu_millis: 250,
            mem_bytes: 200 << 20,
        }),
    );
    assert_eq!(i.state, "CrashLoopBackOff");
    assert!(
        !i.is_running(),
        "a crash-looping pod is not counted running"
    );
    assert_eq!(i.restart_count, 4);
    assert_eq!(i.exit_code, Some(137));
    assert_eq!(i.ports, ["8080/TCP"]);
    assert!(i.usage.is_none(), "usage only for running pods");
    let d = i.pod.as_ref().unwrap();
    assert_eq!(
        (d.node.as_str(), d.ready_text().as_str()),
        ("node-2", "1/2")
    );
    assert_eq!(d.reason(), Some("CrashLoopBackOff"));
    assert_eq!(
        d.containers[0].last_termination.as_deref(),
        Some("OOMKilled (exit 137)")
    );
    // A limit without a request requests the limit, as the API server defaults it.
    assert_eq!(
        d.requests(),
        Resources {
            cpu_millis: 1050,
            mem_bytes: (256 + 32) << 20
        }
    );
    assert_eq!(
        d.limits(),
        Resources {
            cpu_millis: 1000,
            mem_bytes: 256 << 20
        }
    );
}

#[test]
fn a_stalled_rollout_names_its_condition() {
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "api", "namespace": "shop", "annotations": {"deployment.kubernetes.io/revision": "7"}},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "api"}},
                 "template": {"metadata": {"labels": {"app": "api"}},
                              "spec": {"containers": [{"name": "api", "image": "shop/api:2"}]}}},
        "status": {"replicas": 4, "updatedReplicas": 1, "readyReplicas": 3, "availableReplicas": 3,
            "conditions": [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                 "message": "ReplicaSet \"api-7d4b9c\" has timed out progressing."}]}
    }))
    .unwrap();
    let w = workloads::deployment("prod", &d, &[]);
    assert_eq!(w.addr.to_string(), "prod/shop/api");
    assert_eq!((w.desired, w.ready), (Some(3), 3));
    let r = w.rollout.unwrap();
    assert_eq!(
        (r.up_to_date, r.available, r.revision.as_str()),
        (1, 3, "7")
    );
    assert_eq!(
        r.problem.as_deref(),
        Some("ProgressDeadlineExceeded: ReplicaSet \"api-7d4b9c\" has timed out progressing.")
    );
}

#[test]
fn metrics_lists_sum_containers_per_pod() {
    let list = json!({"kind": "PodMetricsList", "items": [
        {"metadata": {"name": "api-1", "namespace": "shop"}, "containers": [
            {"name": "api", "usage": {"cpu": "15000000n", "memory": "10240Ki"}},
            {"name": "proxy", "usage": {"cpu": "5m", "memory": "2Mi"}}]}]});
    let list: UsageList = serde_json::from_value(list).unwrap();
    let pods = pod_metrics(&list.items);
    assert_eq!(
        pods["shop/api-1"].total,
        Resources {
            cpu_millis: 20,
            mem_bytes: 12 << 20
        }
    );
    assert_eq!(
        pods["shop/api-1"].containers[1],
        (
            "proxy".to_string(),
            Resources {
                cpu_millis: 5,
                mem_bytes: 2 << 20
            }
        )
    );
}
