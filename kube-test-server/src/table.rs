//! `meta.k8s.io/v1 Table` answers, which `kubectl get` asks for and prints column by column.

use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::resources::Resource;
use crate::store::parse_timestamp;

/// Kubernetes' short ages: 45s, 3m12s, 5h, 2d.
pub fn age(created: &Value) -> String {
    let Some(t) = created.as_str().and_then(parse_timestamp) else {
        return "<unknown>".into();
    };
    let s = (OffsetDateTime::now_utc() - t).whole_seconds().max(0);
    match s {
        0..=119 => format!("{s}s"),
        120..=599 => format!("{}m{}s", s / 60, s % 60),
        600..=10799 => format!("{}m", s / 60),
        10800..=172799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

fn n(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn pod_status(pod: &Value) -> String {
    for c in pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(reason) = c["state"]["waiting"]["reason"].as_str() {
            return reason.to_string();
        }
    }
    if pod["status"]["phase"] == "Pending" && pod["spec"]["nodeName"].is_string() {
        return "ContainerCreating".into();
    }
    pod["status"]["phase"]
        .as_str()
        .unwrap_or("Unknown")
        .to_string()
}

fn columns(res: &Resource) -> Vec<(&'static str, &'static str)> {
    match res.plural {
        "pods" if res.group.is_empty() => vec![
            ("Name", "name"),
            ("Ready", ""),
            ("Status", ""),
            ("Restarts", ""),
            ("Age", ""),
            ("IP", ""),
            ("Node", ""),
        ],
        "deployments" => vec![
            ("Name", "name"),
            ("Ready", ""),
            ("Up-to-date", ""),
            ("Available", ""),
            ("Age", ""),
        ],
        "replicasets" => vec![
            ("Name", "name"),
            ("Desired", ""),
            ("Current", ""),
            ("Ready", ""),
            ("Age", ""),
        ],
        "statefulsets" => vec![("Name", "name"), ("Ready", ""), ("Age", "")],
        "daemonsets" => vec![
            ("Name", "name"),
            ("Desired", ""),
            ("Current", ""),
            ("Ready", ""),
            ("Up-to-date", ""),
            ("Available", ""),
            ("Age", ""),
        ],
        "nodes" if res.group.is_empty() => vec![
            ("Name", "name"),
            ("Status", ""),
            ("Roles", ""),
            ("Age", ""),
            ("Version", ""),
        ],
        "horizontalpodautoscalers" => vec![
            ("Name", "name"),
            ("Reference", ""),
            ("Targets", ""),
            ("MinPods", ""),
            ("MaxPods", ""),
            ("Replicas", ""),
            ("Age", ""),
        ],
        "namespaces" => vec![("Name", "name"), ("Status", ""), ("Age", "")],
        "events" => vec![
            ("Last Seen", ""),
            ("Type", ""),
            ("Reason", ""),
            ("Object", ""),
            ("Message", ""),
        ],
        _ => vec![("Name", "name"), ("Age", "")],
    }
}

/// `cpu: 95%/70%` per resource metric, `<unknown>` before a reading, as kubectl shows them.
fn hpa_targets(spec: &Value, status: &Value) -> String {
    let metrics = spec["metrics"].as_array().cloned().unwrap_or_default();
    let current = status["currentMetrics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    metrics
        .iter()
        .filter_map(|m| {
            let name = m["resource"]["name"].as_str()?;
            let target = m["resource"]["target"]["averageUtilization"].as_i64()?;
            let now = current
                .iter()
                .find(|c| c["resource"]["name"] == name)
                .and_then(|c| c["resource"]["current"]["averageUtilization"].as_i64())
                .map_or("<unknown>".to_string(), |v| format!("{v}%"));
            Some(format!("{name}: {now}/{target}%"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn cells(res: &Resource, o: &Value) -> Vec<Value> {
    let (spec, status, meta) = (&o["spec"], &o["status"], &o["metadata"]);
    let name = meta["name"].clone();
    let age = json!(age(&meta["creationTimestamp"]));
    match (res.group, res.plural) {
        ("", "pods") => {
            let statuses = status["containerStatuses"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let total = spec["containers"].as_array().map_or(0, Vec::len);
            let ready = statuses.iter().filter(|c| c["ready"] == true).count();
            let restarts: i64 = statuses.iter().map(|c| n(&c["restartCount"])).sum();
            let ip = status["podIP"].as_str().unwrap_or("<none>");
            let node = spec["nodeName"].as_str().unwrap_or("<none>");
            vec![
                name,
                json!(format!("{ready}/{total}")),
                json!(pod_status(o)),
                json!(restarts),
                age,
                json!(ip),
                json!(node),
            ]
        }
        (_, "deployments") => vec![
            name,
            json!(format!(
                "{}/{}",
                n(&status["readyReplicas"]),
                n(&spec["replicas"])
            )),
            json!(n(&status["updatedReplicas"])),
            json!(n(&status["availableReplicas"])),
            age,
        ],
        (_, "replicasets") => vec![
            name,
            json!(n(&spec["replicas"])),
            json!(n(&status["replicas"])),
            json!(n(&status["readyReplicas"])),
            age,
        ],
        (_, "statefulsets") => vec![
            name,
            json!(format!(
                "{}/{}",
                n(&status["readyReplicas"]),
                n(&spec["replicas"])
            )),
            age,
        ],
        (_, "daemonsets") => vec![
            name,
            json!(n(&status["desiredNumberScheduled"])),
            json!(n(&status["currentNumberScheduled"])),
            json!(n(&status["numberReady"])),
            json!(n(&status["updatedNumberScheduled"])),
            json!(n(&status["numberAvailable"])),
            age,
        ],
        ("", "nodes") => {
            let ready = status["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["type"] == "Ready" && c["status"] == "True");
            let mut state = if ready {
                "Ready".to_string()
            } else {
                "NotReady".to_string()
            };
            if spec["unschedulable"] == true {
                state.push_str(",SchedulingDisabled");
            }
            vec![
                name,
                json!(state),
                json!("<none>"),
                age,
                status["nodeInfo"]["kubeletVersion"].clone(),
            ]
        }
        (_, "horizontalpodautoscalers") => vec![
            name,
            json!(format!(
                "{}/{}",
                spec["scaleTargetRef"]["kind"].as_str().unwrap_or_default(),
                spec["scaleTargetRef"]["name"].as_str().unwrap_or_default()
            )),
            json!(hpa_targets(spec, status)),
            json!(spec["minReplicas"].as_i64().unwrap_or(1)),
            json!(n(&spec["maxReplicas"])),
            json!(n(&status["currentReplicas"])),
            age,
        ],
        ("", "namespaces") => vec![name, status["phase"].clone(), age],
        ("", "events") => vec![
            json!(crate::table::age(&o["lastTimestamp"])),
            o["type"].clone(),
            o["reason"].clone(),
            json!(format!(
                "{}/{}",
                o["involvedObject"]["kind"]
                    .as_str()
                    .unwrap_or_default()
                    .to_lowercase(),
                o["involvedObject"]["name"].as_str().unwrap_or_default()
            )),
            o["message"].clone(),
        ],
        _ => vec![name, age],
    }
}

pub fn render(res: &Resource, items: &[Value], list_meta: Value, full_object: bool) -> Value {
    let defs: Vec<Value> = columns(res)
        .into_iter()
        .map(|(name, format)| {
            let kind = if matches!(name, "Restarts" | "Desired" | "Current" | "Up-to-date" | "Available") && res.plural != "deployments" || (res.plural == "deployments" && matches!(name, "Up-to-date" | "Available")) { "integer" } else { "string" };
            let priority = i32::from(matches!(name, "IP" | "Node"));
            json!({"name": name, "type": kind, "format": format, "description": name, "priority": priority})
        })
        .collect();
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let object = if full_object {
                o.clone()
            } else {
                json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]})
            };
            json!({"cells": cells(res, o), "object": object})
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": list_meta, "columnDefinitions": defs, "rows": rows})
}
