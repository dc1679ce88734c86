//! A Kubernetes object (Pod, Deployment, StatefulSet, DaemonSet, Node, or
//! any other kind in general terms) and the events about it, described.

use super::words::{items, or_dash, pairs, probe, quantities, text};
use super::{Description, Lines, Section, CONTAINERS, EVENTS, LABELS, STATUS};
use serde_json::Value;

/// How many events are shown, newest first.
pub const EVENT_LIMIT: usize = 20;

pub fn describe(object: &Value, events: &[Value]) -> Description {
    let kind = text(&object["kind"]).unwrap_or_else(|| "Object".into());
    let meta = &object["metadata"];
    let name = or_dash(&meta["name"]);
    let title = match text(&meta["namespace"]) {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    };
    let sections = vec![
        status(&kind, object),
        events_section(events),
        containers(&kind, object),
        labels(meta),
    ];
    Description { title, sections }
}

fn status(kind: &str, o: &Value) -> Section {
    let mut l = Lines::default();
    let (spec, st) = (&o["spec"], &o["status"]);
    match kind {
        "Pod" => {
            let phase = or_dash(&st["phase"]);
            l.push(
                0,
                "Phase",
                phase.clone(),
                !matches!(phase.as_str(), "Running" | "Succeeded"),
            );
            l.some(0, "Reason", text(&st["reason"]));
            l.some(0, "Message", text(&st["message"]));
            l.some(0, "Node", text(&spec["nodeName"]));
            l.some(0, "Pod IP", text(&st["podIP"]));
            l.some(0, "QoS class", text(&st["qosClass"]));
            l.some(0, "Started", text(&st["startTime"]));
            if let Some(owner) = items(&o["metadata"]["ownerReferences"])
                .iter()
                .find(|r| r["controller"] == true)
            {
                l.add(
                    0,
                    "Controlled by",
                    format!("{}/{}", or_dash(&owner["kind"]), or_dash(&owner["name"])),
                );
            } else {
                l.bad(
                    0,
                    "Controlled by",
                    "nothing: deleting it deletes it for good",
                );
            }
        }
        "Deployment" | "StatefulSet" | "DaemonSet" => {
            if kind == "DaemonSet" {
                l.add(
                    0,
                    "Pods",
                    format!(
                        "{} desired, {} current, {} ready, {} up-to-date, {} available",
                        or_dash(&st["desiredNumberScheduled"]),
                        or_dash(&st["currentNumberScheduled"]),
                        or_dash(&st["numberReady"]),
                        or_dash(&st["updatedNumberScheduled"]),
                        or_dash(&st["numberAvailable"])
                    ),
                );
            } else {
                let want = spec["replicas"].as_i64().unwrap_or(1);
                let ready = st["readyReplicas"].as_i64().unwrap_or(0);
                l.push(
                    0,
                    "Replicas",
                    format!(
                        "{want} desired, {} updated, {} total, {ready} ready, {} available",
                        st["updatedReplicas"].as_i64().unwrap_or(0),
                        st["replicas"].as_i64().unwrap_or(0),
                        st["availableReplicas"].as_i64().unwrap_or(0),
                    ),
                    ready < want,
                );
            }
            let strategy = &spec[if kind == "Deployment" {
                "strategy"
            } else {
                "updateStrategy"
            }];
            l.some(0, "Strategy", text(&strategy["type"]));
            if let Some(sel) = quantities(&spec["selector"]["matchLabels"]) {
                l.add(0, "Selector", sel);
            }
            if spec["paused"] == true {
                l.bad(0, "Paused", "true: the pods are not rolled");
            }
            l.some(
                0,
                "Revision",
                text(&o["metadata"]["annotations"]["deployment.kubernetes.io/revision"]),
            );
            l.some(0, "Created", text(&o["metadata"]["creationTimestamp"]));
        }
        "Node" => {
            let info = &st["nodeInfo"];
            if spec["unschedulable"] == true {
                l.bad(0, "Scheduling", "disabled (cordoned)");
            }
            for a in items(&st["addresses"]) {
                l.add(0, or_dash(&a["type"]), or_dash(&a["address"]));
            }
            l.some(0, "Kubelet", text(&info["kubeletVersion"]));
            l.some(0, "OS image", text(&info["osImage"]));
            l.some(0, "Runtime", text(&info["containerRuntimeVersion"]));
            l.some(0, "Capacity", quantities(&st["capacity"]));
            l.some(0, "Allocatable", quantities(&st["allocatable"]));
            for t in items(&spec["taints"]) {
                l.add(
                    0,
                    "Taint",
                    format!(
                        "{}={}:{}",
                        or_dash(&t["key"]),
                        text(&t["value"]).unwrap_or_default(),
                        or_dash(&t["effect"])
                    ),
                );
            }
            l.some(0, "Created", text(&o["metadata"]["creationTimestamp"]));
        }
        _ => {
            l.some(0, "Created", text(&o["metadata"]["creationTimestamp"]));
            if let Some(keys) = o["data"].as_object() {
                let names: Vec<&str> = keys.keys().map(String::as_str).collect();
                l.add(0, "Data keys", names.join(", "));
            }
        }
    }
    let conditions = items(&st["conditions"]);
    if !conditions.is_empty() {
        l.add(0, "Conditions", "");
    }
    for c in conditions {
        let ty = or_dash(&c["type"]);
        let status = or_dash(&c["status"]);
        // On a node, pressure conditions are good when False.
        let good = if kind == "Node" && ty != "Ready" {
            status == "False"
        } else {
            status == "True"
        };
        let mut value = status;
        if let Some(r) = text(&c["reason"]) {
            value.push_str(&format!(" ({r})"));
        }
        if let Some(m) = text(&c["message"]) {
            value.push_str(&format!(": {m}"));
        }
        if let Some(at) = text(&c["lastTransitionTime"]) {
            value.push_str(&format!(" since {at}"));
        }
        l.push(1, ty, value, !good);
    }
    l.section(STATUS, "(no status)")
}

/// The time an event last happened, as the API gives it.
fn event_time(e: &Value) -> String {
    text(&e["lastTimestamp"])
        .or_else(|| text(&e["eventTime"]))
        .or_else(|| text(&e["series"]["lastObservedTime"]))
        .or_else(|| text(&e["firstTimestamp"]))
        .or_else(|| text(&e["metadata"]["creationTimestamp"]))
        .unwrap_or_default()
}

fn events_section(events: &[Value]) -> Section {
    let mut sorted: Vec<&Value> = events.iter().collect();
    // Newest first: in an incident the last thing that happened matters most.
    // Events of the same second keep the order the server recorded them in
    // (resourceVersion), newest first too.
    let version = |e: &Value| {
        e["metadata"]["resourceVersion"]
            .as_str()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    sorted.sort_by_key(|e| std::cmp::Reverse((event_time(e), version(e))));
    let mut l = Lines::default();
    for e in sorted.iter().take(EVENT_LIMIT) {
        let ty = or_dash(&e["type"]);
        let count = e["count"]
            .as_i64()
            .or_else(|| e["series"]["count"].as_i64())
            .unwrap_or(1);
        let times = if count > 1 {
            format!(" (×{count})")
        } else {
            String::new()
        };
        let message = text(&e["message"]).unwrap_or_default();
        l.push(
            0,
            event_time(e),
            format!("{ty} {}{times}: {message}", or_dash(&e["reason"])),
            ty == "Warning",
        );
    }
    if sorted.len() > EVENT_LIMIT {
        l.add(0, "", format!("… and {} older", sorted.len() - EVENT_LIMIT));
    }
    l.section(
        EVENTS,
        "(no events for this object in the API server's event window)",
    )
}

fn containers(kind: &str, o: &Value) -> Section {
    let pod_spec = match kind {
        "Pod" => &o["spec"],
        _ => &o["spec"]["template"]["spec"],
    };
    let mut l = Lines::default();
    let statuses: Vec<&Value> = items(&o["status"]["containerStatuses"])
        .iter()
        .chain(items(&o["status"]["initContainerStatuses"]))
        .collect();
    let all = items(&pod_spec["initContainers"])
        .iter()
        .map(|c| (c, true))
        .chain(items(&pod_spec["containers"]).iter().map(|c| (c, false)));
    for (c, init) in all {
        let name = or_dash(&c["name"]);
        let label = if init {
            format!("{name} (init)")
        } else {
            name.clone()
        };
        l.add(0, label, "");
        l.add(1, "Image", or_dash(&c["image"]));
        if let Some(s) = statuses.iter().find(|s| s["name"] == c["name"]) {
            container_status(&mut l, s);
        }
        l.some(1, "Requests", quantities(&c["resources"]["requests"]));
        l.some(1, "Limits", quantities(&c["resources"]["limits"]));
        for (key, field) in [
            ("Liveness", "livenessProbe"),
            ("Readiness", "readinessProbe"),
            ("Startup", "startupProbe"),
        ] {
            l.some(1, key, probe(&c[field]));
        }
        let ports: Vec<String> = items(&c["ports"])
            .iter()
            .map(|p| {
                let n = text(&p["name"])
                    .map(|n| format!("{n} "))
                    .unwrap_or_default();
                format!(
                    "{n}{}/{}",
                    or_dash(&p["containerPort"]),
                    text(&p["protocol"]).unwrap_or_else(|| "TCP".into())
                )
            })
            .collect();
        if !ports.is_empty() {
            l.add(1, "Ports", ports.join(", "));
        }
        for m in items(&c["volumeMounts"]) {
            let ro = if m["readOnly"] == true { " (ro)" } else { "" };
            l.add(
                1,
                "Mount",
                format!(
                    "{} from {}{ro}",
                    or_dash(&m["mountPath"]),
                    or_dash(&m["name"])
                ),
            );
        }
        for e in items(&c["env"]) {
            l.add(1, format!("Env {}", or_dash(&e["name"])), env_value(e));
        }
    }
    l.section(CONTAINERS, "(no containers)")
}

/// An env entry's value, or where it comes from (never a Secret's value).
fn env_value(e: &Value) -> String {
    if let Some(v) = e["value"].as_str() {
        return v.to_string();
    }
    let from = &e["valueFrom"];
    if let Some(r) = from.get("secretKeyRef") {
        return format!(
            "<from Secret {} key {}>",
            or_dash(&r["name"]),
            or_dash(&r["key"])
        );
    }
    if let Some(r) = from.get("configMapKeyRef") {
        return format!(
            "<from ConfigMap {} key {}>",
            or_dash(&r["name"]),
            or_dash(&r["key"])
        );
    }
    if let Some(r) = from.get("fieldRef") {
        return format!("<field {}>", or_dash(&r["fieldPath"]));
    }
    if let Some(r) = from.get("resourceFieldRef") {
        return format!("<resource {}>", or_dash(&r["resource"]));
    }
    String::new()
}

fn container_status(l: &mut Lines, s: &Value) {
    let state = &s["state"];
    if let Some(r) = state.get("running") {
        l.add(
            1,
            "State",
            format!("Running since {}", or_dash(&r["startedAt"])),
        );
    } else if let Some(w) = state.get("waiting") {
        let msg = text(&w["message"])
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        l.bad(
            1,
            "State",
            format!("Waiting ({}){msg}", or_dash(&w["reason"])),
        );
    } else if let Some(t) = state.get("terminated") {
        l.push(1, "State", terminated(t), t["exitCode"].as_i64() != Some(0));
    }
    if let Some(t) = s["lastState"].get("terminated") {
        l.bad(1, "Last termination", terminated(t));
    }
    l.push(1, "Ready", or_dash(&s["ready"]), s["ready"] != true);
    let restarts = s["restartCount"].as_i64().unwrap_or(0);
    l.push(1, "Restarts", restarts.to_string(), restarts > 0);
}

fn terminated(t: &Value) -> String {
    format!(
        "Terminated ({}, exit {}) {} → {}",
        or_dash(&t["reason"]),
        or_dash(&t["exitCode"]),
        or_dash(&t["startedAt"]),
        or_dash(&t["finishedAt"])
    )
}

fn labels(meta: &Value) -> Section {
    let mut l = Lines::default();
    for (k, v) in pairs(&meta["labels"]) {
        l.add(0, format!("label {k}"), v);
    }
    for (k, v) in pairs(&meta["annotations"]) {
        // A copy of the whole object as applied: `opsdeck get` shows it.
        let v = if v.len() > 120 {
            format!("({} bytes; see opsdeck get)", v.len())
        } else {
            v
        };
        l.add(0, format!("annotation {k}"), v);
    }
    l.section(LABELS, "(none)")
}
