//! The shaping alone, on objects as the APIs return them, at their worst:
//! a pod in a crash loop after an OOM kill, a container that died.

use super::docker::ContainerEvent;
use serde_json::json;

#[test]
fn a_crash_looping_pod_puts_what_is_wrong_first() {
    let pod = json!({
        "kind": "Pod", "apiVersion": "v1",
        "metadata": {"name": "api-7d4b9c-x2x4k", "namespace": "shop",
            "labels": {"app": "api"},
            "ownerReferences": [{"kind": "ReplicaSet", "name": "api-7d4b9c", "controller": true, "uid": "u1"}]},
        "spec": {"nodeName": "node-2", "containers": [{
            "name": "api", "image": "shop/api:2.1",
            "resources": {"limits": {"memory": "128Mi"}},
            "livenessProbe": {"tcpSocket": {"port": 8080}, "failureThreshold": 1},
            "volumeMounts": [{"name": "config", "mountPath": "/etc/api", "readOnly": true}]}]},
        "status": {"phase": "Running", "qosClass": "Burstable",
            "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady",
                "message": "containers with unready status: [api]", "lastTransitionTime": "2026-12-07T03:01:00Z"}],
            "containerStatuses": [{"name": "api", "ready": false, "restartCount": 7,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}},
                "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137,
                    "startedAt": "2026-12-07T03:00:01Z", "finishedAt": "2026-12-07T03:00:41Z"}}}]}
    });
    let events = vec![
        json!({"type": "Normal", "reason": "Pulled", "message": "Container image already present",
            "lastTimestamp": "2026-12-07T02:10:00Z", "metadata": {"resourceVersion": "10"}}),
        json!({"type": "Warning", "reason": "BackOff", "message": "Back-off restarting failed container",
            "count": 31, "lastTimestamp": "2026-12-07T03:05:00Z", "metadata": {"resourceVersion": "42"}}),
    ];
    let d = super::kube::describe(&pod, &events);
    insta::assert_snapshot!(d.text());
    let marked: Vec<String> = d
        .marked_lines()
        .into_iter()
        .filter(|(_, bad)| *bad)
        .map(|(l, _)| l.trim().split(':').next().unwrap().to_string())
        .collect();
    assert_eq!(
        marked,
        [
            "Ready",
            "2026-12-07T03",
            "State",
            "Last termination",
            "Ready",
            "Restarts"
        ]
    );
    let bad: Vec<&str> = d
        .sections
        .iter()
        .flat_map(|s| &s.entries)
        .filter(|e| e.bad)
        .map(|e| e.key.as_str())
        .collect();
    assert_eq!(
        bad,
        [
            "Ready",
            "2026-12-07T03:05:00Z",
            "State",
            "Last termination",
            "Ready",
            "Restarts"
        ]
    );
}

#[test]
fn a_dead_container_says_how_it_died() {
    let inspect = json!({
        "Id": "4f73e5f369e815c536a52802a63cf177cf69b9d4", "Name": "/shop_worker_1",
        "Created": "2026-12-07T02:00:00Z", "Image": "sha256:3166c394848d930fda4a",
        "RestartCount": 3,
        "State": {"Status": "exited", "ExitCode": 137, "OOMKilled": true,
            "StartedAt": "2026-12-07T03:00:00Z", "FinishedAt": "2026-12-07T03:04:00Z"},
        "Config": {"Image": "shop/worker:5", "Cmd": ["worker", "--queue", "orders"],
            "Env": ["QUEUE=orders", "API_TOKEN=***"],
            "Labels": {"com.docker.compose.project": "shop", "com.docker.compose.service": "worker"}},
        "HostConfig": {"Memory": 268435456, "RestartPolicy": {"Name": "on-failure"}},
        "Mounts": [{"Type": "volume", "Name": "spool", "Destination": "/spool", "RW": true}]
    });
    let events = vec![
        ContainerEvent {
            time: "2026-12-07T03:04:00Z".into(),
            action: "oom".into(),
            detail: String::new(),
        },
        ContainerEvent {
            time: "2026-12-07T03:04:00Z".into(),
            action: "die".into(),
            detail: "exitCode=137".into(),
        },
    ];
    insta::assert_snapshot!(super::docker::describe("local", &inspect, &events).text());
}

#[test]
fn a_swarm_service_shows_its_failing_tasks_as_events() {
    let service = json!({
        "ID": "svc1", "CreatedAt": "2026-12-07T01:00:00Z", "UpdatedAt": "2026-12-07T03:00:00Z",
        "Spec": {"Name": "shop_api", "Labels": {"com.docker.stack.namespace": "shop"},
            "Mode": {"Replicated": {"Replicas": 3}},
            "TaskTemplate": {"ContainerSpec": {"Image": "shop/api:3", "Env": ["API_TOKEN=***"]},
                "Resources": {"Limits": {"MemoryBytes": 134217728}},
                "RestartPolicy": {"Condition": "any"}}},
        "UpdateStatus": {"State": "rollback_completed", "Message": "rollback completed"},
        "Endpoint": {"Ports": [{"Protocol": "tcp", "TargetPort": 8080, "PublishedPort": 80, "PublishMode": "ingress"}]}
    });
    let task = |id: &str, slot: i64, state: &str, desired: &str, at: &str, err: Option<&str>| {
        json!({"ID": id, "Slot": slot, "NodeID": "node0123456789ab", "DesiredState": desired,
            "Status": {"State": state, "Timestamp": at, "Message": state, "Err": err,
                "ContainerStatus": {"ExitCode": if err.is_some() { 1 } else { 0 }}}})
    };
    let tasks = vec![
        task("t1", 1, "running", "running", "2026-12-07T03:01:00Z", None),
        task("t2", 2, "running", "running", "2026-12-07T03:01:02Z", None),
        task(
            "t3",
            3,
            "failed",
            "shutdown",
            "2026-12-07T03:02:00Z",
            Some("task: non-zero exit (1)"),
        ),
    ];
    let d = super::swarm::describe("prod", &service, &tasks);
    insta::assert_snapshot!(d.text());
}
