//! Server-side defaulting, so stored objects look like a real cluster's (kubectl compares them).

use serde_json::{json, Value};

use crate::resources::Resource;

pub fn has_generation(res: &Resource) -> bool {
    res.group == "apps"
}

fn set_default(obj: &mut Value, key: &str, value: Value) {
    if obj.get(key).is_none_or(Value::is_null) {
        obj[key] = value;
    }
}

fn pull_policy(image: &str) -> &'static str {
    let tag = image.rsplit('/').next().unwrap_or(image);
    if tag.contains('@') || (tag.contains(':') && !tag.ends_with(":latest")) {
        "IfNotPresent"
    } else {
        "Always"
    }
}

pub fn pod_spec(spec: &mut Value) {
    if !spec.is_object() {
        return;
    }
    set_default(spec, "restartPolicy", json!("Always"));
    set_default(spec, "dnsPolicy", json!("ClusterFirst"));
    set_default(spec, "terminationGracePeriodSeconds", json!(30));
    set_default(spec, "schedulerName", json!("default-scheduler"));
    set_default(spec, "securityContext", json!({}));
    for field in ["containers", "initContainers"] {
        for c in spec[field].as_array_mut().into_iter().flatten() {
            let policy = pull_policy(c["image"].as_str().unwrap_or_default());
            set_default(c, "imagePullPolicy", json!(policy));
            set_default(c, "terminationMessagePath", json!("/dev/termination-log"));
            set_default(c, "terminationMessagePolicy", json!("File"));
            set_default(c, "resources", json!({}));
            for p in c["ports"].as_array_mut().into_iter().flatten() {
                set_default(p, "protocol", json!("TCP"));
            }
        }
    }
}

fn template(obj: &mut Value) {
    if let Some(t) = obj.pointer_mut("/spec/template") {
        if !t["metadata"].is_object() {
            t["metadata"] = json!({});
        }
        set_default(&mut t["metadata"], "creationTimestamp", Value::Null);
        if let Some(spec) = t.get_mut("spec") {
            pod_spec(spec);
        }
    }
}

pub fn apply(res: &Resource, obj: &mut Value) {
    if !obj["spec"].is_object()
        && matches!(
            res.plural,
            "deployments" | "replicasets" | "statefulsets" | "daemonsets" | "pods" | "namespaces"
        )
        && res.group != "metrics.k8s.io"
    {
        obj["spec"] = json!({});
    }
    match (res.group, res.plural) {
        ("apps", "deployments") => {
            let spec = &mut obj["spec"];
            set_default(spec, "replicas", json!(1));
            set_default(spec, "revisionHistoryLimit", json!(10));
            set_default(spec, "progressDeadlineSeconds", json!(600));
            set_default(spec, "strategy", json!({"type": "RollingUpdate"}));
            if spec["strategy"]["type"] == "RollingUpdate" {
                let ru = &mut spec["strategy"]["rollingUpdate"];
                if !ru.is_object() {
                    *ru = json!({});
                }
                set_default(ru, "maxSurge", json!("25%"));
                set_default(ru, "maxUnavailable", json!("25%"));
            }
            template(obj);
        }
        ("apps", "replicasets") | ("apps", "statefulsets") => {
            set_default(&mut obj["spec"], "replicas", json!(1));
            if res.plural == "statefulsets" {
                set_default(
                    &mut obj["spec"],
                    "podManagementPolicy",
                    json!("OrderedReady"),
                );
                set_default(&mut obj["spec"], "revisionHistoryLimit", json!(10));
                set_default(
                    &mut obj["spec"],
                    "updateStrategy",
                    json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
                );
            }
            template(obj);
        }
        ("apps", "daemonsets") => {
            set_default(&mut obj["spec"], "revisionHistoryLimit", json!(10));
            set_default(
                &mut obj["spec"],
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
            );
            template(obj);
        }
        ("", "pods") => {
            pod_spec(&mut obj["spec"]);
            set_default(
                obj,
                "status",
                json!({"phase": "Pending", "qosClass": "BestEffort"}),
            );
        }
        ("", "namespaces") => {
            set_default(&mut obj["spec"], "finalizers", json!(["kubernetes"]));
            set_default(obj, "status", json!({"phase": "Active"}));
            let name = obj["metadata"]["name"].clone();
            if !obj["metadata"]["labels"].is_object() {
                obj["metadata"]["labels"] = json!({});
            }
            obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
        }
        _ => {}
    }
}
