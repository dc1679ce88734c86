//! A Kubernetes target `prod` as the source would report it, built by the
//! source's own converter from objects shaped as the API server sends them:
//! a healthy Deployment, one crash-looping after an OOM kill whose rollout
//! stalled, a StatefulSet, a DaemonSet, two nodes and their events.
#![allow(dead_code)]

use k8s_openapi::jiff::Timestamp;
use opsdeck::console::Model;
use opsdeck::model::TargetKind;
use opsdeck::source::kube::convert;
use opsdeck::source::kube::convert::{Metrics, Objects, Owners, PodUsage};
use opsdeck::source::Update;
use serde_json::{json, Value};
use std::sync::Arc;

fn at(now: i64, ago: i64) -> String {
    Timestamp::from_second(now - ago).unwrap().to_string()
}

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> Arc<T> {
    Arc::new(serde_json::from_value(v).unwrap())
}

fn template(app: &str, image: &str, cpu: &str, mem: &str) -> Value {
    json!({"metadata": {"labels": {"app": app}},
           "spec": {"containers": [{"name": app, "image": image,
                "resources": {"requests": {"cpu": cpu, "memory": mem},
                              "limits": {"cpu": "1", "memory": "256Mi"}}}]}})
}

fn pod(
    now: i64,
    ns: &str,
    name: &str,
    owner: (&str, &str),
    node: &str,
    image: &str,
    state: Value,
) -> Value {
    json!({
        "metadata": {"name": name, "namespace": ns, "uid": format!("uid-{name}"),
            "creationTimestamp": at(now, 7200),
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": owner.0, "name": owner.1,
                                 "uid": format!("uid-{}", owner.1), "controller": true}]},
        "spec": {"nodeName": node, "containers": [{"name": "app", "image": image,
            "resources": {"requests": {"cpu": "100m", "memory": "64Mi"},
                          "limits": {"cpu": "1", "memory": "256Mi"}}}]},
        "status": state,
    })
}

fn running(now: i64, restarts: i32, last: Option<(&str, i32)>) -> Value {
    let mut s = json!({"phase": "Running", "startTime": at(now, 3600),
        "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": [{"name": "app", "ready": true, "restartCount": restarts,
            "image": "x", "imageID": "x@sha256:00", "state": {"running": {"startedAt": at(now, 3600)}}}]});
    if let Some((reason, code)) = last {
        s["containerStatuses"][0]["lastState"] =
            json!({"terminated": {"reason": reason, "exitCode": code}});
    }
    s
}

fn crashing(now: i64) -> Value {
    json!({"phase": "Running", "startTime": at(now, 900),
        "conditions": [{"type": "Ready", "status": "False"}],
        "containerStatuses": [{"name": "app", "ready": false, "restartCount": 7,
            "image": "x", "imageID": "x@sha256:00",
            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}]})
}

pub fn objects(now: i64) -> Objects {
    let deploy = |name: &str, image: &str, replicas: i32, status: Value, rev: &str| {
        typed(json!({
            "metadata": {"name": name, "namespace": "shop", "uid": format!("uid-{name}"),
                "creationTimestamp": at(now, 30 * 86_400),
                "annotations": {"deployment.kubernetes.io/revision": rev}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": template(name, image, "100m", "64Mi")},
            "status": status}))
    };
    let rs = |name: &str, owner: &str| {
        typed(json!({"metadata": {"name": name, "namespace": "shop",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": owner,
                                 "uid": format!("uid-{owner}"), "controller": true}]},
            "spec": {"selector": {"matchLabels": {"app": owner}}}}))
    };
    let node = |name: &str, pressure: bool| {
        typed(json!({"metadata": {"name": name},
            "status": {"allocatable": {"cpu": "4", "memory": "16Gi"},
                "nodeInfo": {"kubeletVersion": "v1.37.0", "machineID": "", "systemUUID": "", "bootID": "",
                    "kernelVersion": "", "osImage": "", "containerRuntimeVersion": "", "kubeProxyVersion": "",
                    "operatingSystem": "linux", "architecture": "amd64"},
                "conditions": [{"type": "Ready", "status": "True"},
                               {"type": "MemoryPressure", "status": if pressure { "True" } else { "False" }}]}}))
    };
    Objects {
        deployments: vec![
            deploy(
                "api",
                "shop/api:1.4.2",
                3,
                json!({"replicas": 3, "updatedReplicas": 3,
                "readyReplicas": 3, "availableReplicas": 3,
                "conditions": [{"type": "Available", "status": "True"},
                               {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}),
                "4",
            ),
            deploy(
                "checkout",
                "shop/checkout:2.0.0",
                2,
                json!({"replicas": 3, "updatedReplicas": 1,
                "readyReplicas": 2, "availableReplicas": 2, "unavailableReplicas": 1,
                "conditions": [{"type": "Available", "status": "True"},
                               {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                                "message": "ReplicaSet \"checkout-5f7d\" has timed out progressing."}]}),
                "9",
            ),
        ],
        statefulsets: vec![typed(json!({
            "metadata": {"name": "db", "namespace": "shop", "creationTimestamp": at(now, 90 * 86_400)},
            "spec": {"replicas": 1, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                     "template": template("db", "postgres:17", "500m", "1Gi")},
            "status": {"replicas": 1, "readyReplicas": 1, "updatedReplicas": 1, "availableReplicas": 1,
                       "updateRevision": "db-6c9f8"}}))],
        daemonsets: vec![typed(json!({
            "metadata": {"name": "node-exporter", "namespace": "monitoring", "creationTimestamp": at(now, 120 * 86_400)},
            "spec": {"selector": {"matchLabels": {"app": "ne"}}, "template": template("ne", "prom/node-exporter:1.8", "10m", "32Mi")},
            "status": {"desiredNumberScheduled": 2, "currentNumberScheduled": 2, "numberReady": 2,
                       "numberMisscheduled": 0, "updatedNumberScheduled": 2, "numberAvailable": 2}}))],
        replicasets: vec![
            rs("api-7d4b9c", "api"),
            rs("checkout-5f7d", "checkout"),
            rs("checkout-44b1", "checkout"),
        ],
        pods: vec![
            typed(pod(
                now,
                "shop",
                "api-7d4b9c-2kq8w",
                ("ReplicaSet", "api-7d4b9c"),
                "node-1",
                "shop/api:1.4.2",
                running(now, 0, None),
            )),
            typed(pod(
                now,
                "shop",
                "api-7d4b9c-8xv1p",
                ("ReplicaSet", "api-7d4b9c"),
                "node-2",
                "shop/api:1.4.2",
                running(now, 1, Some(("Error", 1))),
            )),
            typed(pod(
                now,
                "shop",
                "api-7d4b9c-q9z3d",
                ("ReplicaSet", "api-7d4b9c"),
                "node-1",
                "shop/api:1.4.2",
                running(now, 0, None),
            )),
            typed(pod(
                now,
                "shop",
                "checkout-44b1-m2n4b",
                ("ReplicaSet", "checkout-44b1"),
                "node-1",
                "shop/checkout:1.9.3",
                running(now, 0, None),
            )),
            typed(pod(
                now,
                "shop",
                "checkout-44b1-t7r2c",
                ("ReplicaSet", "checkout-44b1"),
                "node-2",
                "shop/checkout:1.9.3",
                running(now, 0, None),
            )),
            typed(pod(
                now,
                "shop",
                "checkout-5f7d-zz81k",
                ("ReplicaSet", "checkout-5f7d"),
                "node-2",
                "shop/checkout:2.0.0",
                crashing(now),
            )),
            typed(pod(
                now,
                "shop",
                "db-0",
                ("StatefulSet", "db"),
                "node-1",
                "postgres:17",
                running(now, 0, None),
            )),
        ],
        nodes: vec![node("node-1", false), node("node-2", true)],
    }
}

pub fn metrics() -> Metrics {
    let mut m = Metrics::default();
    for (pod, cpu, mem) in [
        ("api-7d4b9c-2kq8w", 120, 90),
        ("api-7d4b9c-8xv1p", 95, 88),
        ("api-7d4b9c-q9z3d", 130, 101),
        ("checkout-44b1-m2n4b", 40, 230),
        ("checkout-44b1-t7r2c", 45, 241),
        ("db-0", 310, 180),
    ] {
        let used = opsdeck::model::Resources {
            cpu_millis: cpu,
            mem_bytes: mem << 20,
        };
        // Each sample pod runs one container, `app`.
        let usage = PodUsage {
            total: used,
            containers: vec![("app".to_string(), used)],
        };
        m.pods.insert(format!("shop/{pod}"), usage);
    }
    m
}

/// The sample console with `prod` added, its inventory and events applied.
pub fn kube_model(mut model: Model, now: i64) -> Model {
    let o = objects(now);
    let owners = Owners::new("prod", &o.replicasets, &o.pods);
    let inventory = convert::inventory("prod", &o, &metrics(), &owners);
    model.add_target("prod", TargetKind::Kubernetes);
    model.apply_update(Update::Health {
        target: "prod".into(),
        health: opsdeck::model::Health::Ok,
    });
    model.apply_update(Update::Inventory {
        target: "prod".into(),
        at: now,
        inventory: Box::new(inventory),
    });
    let event = |ago: i64, kind: &str, reason: &str, obj: (&str, &str), msg: &str| {
        let e: k8s_openapi::api::core::v1::Event = serde_json::from_value(json!({
            "metadata": {"name": format!("{}.{ago}", obj.1), "namespace": "shop"},
            "involvedObject": {"kind": obj.0, "name": obj.1, "namespace": "shop"},
            "type": kind, "reason": reason, "message": msg, "count": 1,
            "lastTimestamp": at(now, ago)}))
        .unwrap();
        convert::event("prod", &e, |k, ns, n| owners.workload_of(k, ns, n))
    };
    model.apply_update(Update::Events {
        target: "prod".into(),
        events: vec![
            event(
                900,
                "Normal",
                "ScalingReplicaSet",
                ("Deployment", "checkout"),
                "Scaled up replica set checkout-5f7d from 0 to 1",
            ),
            event(
                600,
                "Warning",
                "BackOff",
                ("Pod", "checkout-5f7d-zz81k"),
                "Back-off restarting failed container app in pod checkout-5f7d-zz81k",
            ),
            event(
                300,
                "Normal",
                "Pulled",
                ("Pod", "api-7d4b9c-8xv1p"),
                "Container image \"shop/api:1.4.2\" already present on machine",
            ),
        ],
    });
    model
}
