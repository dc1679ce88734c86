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

/// The API server's validation that tests are likely to trip over: names, replica counts,
/// and a workload selector that must match its template's labels.
pub fn validate(res: &Resource, obj: &Value) -> Result<(), String> {
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let dns_ok = !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if !dns_ok && res.plural != "events" {
        return Err(format!(
            "metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case \
             alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
        ));
    }
    if res.group != "apps" || res.plural == "controllerrevisions" {
        return Ok(());
    }
    if obj["spec"]["replicas"].as_i64().is_some_and(|r| r < 0) {
        return Err("spec.replicas: Invalid value: must be greater than or equal to 0".into());
    }
    let labels = obj["spec"]["template"]["metadata"]["labels"].as_object();
    let selector = crate::selector::Selector::from_label_selector(&obj["spec"]["selector"]);
    if selector.is_empty() {
        return Err("spec.selector: Required value".into());
    }
    if !selector.matches_labels(labels) {
        return Err(format!(
            "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
            obj["spec"]["template"]["metadata"]["labels"]
        ));
    }
    Ok(())
}
