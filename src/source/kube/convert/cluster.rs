//! Events and nodes, and the metrics.k8s.io readings, in the model's terms.

use crate::model::{EngineEvent, NodeInfo, Resources, WorkloadAddr};
use crate::source::kube::quantity;
use k8s_openapi::api::core::v1::{Event, Node};
use serde::Deserialize;
use std::collections::HashMap;

/// An event, addressed to the workload it concerns where `owner_of` knows it.
pub fn event(
    target: &str,
    e: &Event,
    owner_of: impl Fn(&str, &str, &str) -> Option<WorkloadAddr>,
) -> EngineEvent {
    let obj = &e.involved_object;
    let ns = obj.namespace.as_deref().unwrap_or_default();
    let name = obj.name.as_deref().unwrap_or_default();
    let kind = obj.kind.as_deref().unwrap_or_default();
    let count = e.count.unwrap_or(1);
    let message = e.message.clone().unwrap_or_default();
    EngineEvent {
        at_nanos: event_nanos(e),
        target: target.to_string(),
        action: e.reason.clone().unwrap_or_default(),
        instance: format!("{}/{name}", kind.to_lowercase()),
        workload: owner_of(kind, ns, name),
        detail: if count > 1 {
            format!("{message} (x{count})")
        } else {
            message
        },
        warning: e.type_.as_deref() == Some("Warning"),
    }
}

/// When an event last happened, in unix nanoseconds: its last timestamp, or
/// what an events.k8s.io writer or an older API server set instead; 0 if none.
pub fn event_nanos(e: &Event) -> i64 {
    e.last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or(e.event_time.as_ref().map(|t| t.0))
        .or(e.first_timestamp.as_ref().map(|t| t.0))
        .or(e.metadata.creation_timestamp.as_ref().map(|t| t.0))
        .map_or(0, |t| t.as_nanosecond() as i64)
}

pub fn node(n: &Node, usage: Option<Resources>) -> NodeInfo {
    let status = n.status.as_ref();
    let conditions = status
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    let ready = conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True");
    let pressure = conditions
        .iter()
        .filter(|c| c.type_ != "Ready" && c.status == "True")
        .map(|c| c.type_.clone())
        .collect();
    let alloc = status.and_then(|s| s.allocatable.as_ref());
    let get = |k: &str, f: fn(&str) -> Option<u64>| {
        alloc
            .and_then(|a| a.get(k))
            .and_then(|q| f(&q.0))
            .unwrap_or(0)
    };
    NodeInfo {
        name: n.metadata.name.clone().unwrap_or_default(),
        ready,
        pressure,
        unschedulable: n
            .spec
            .as_ref()
            .and_then(|s| s.unschedulable)
            .unwrap_or(false),
        allocatable: Resources {
            cpu_millis: get("cpu", quantity::cpu_millis),
            mem_bytes: get("memory", quantity::bytes),
        },
        usage,
        kubelet: status
            .and_then(|s| s.node_info.as_ref())
            .map(|i| i.kubelet_version.clone())
            .unwrap_or_default(),
    }
}

/// A PodMetricsList or NodeMetricsList, as much of it as opsdeck reads:
/// decoded as generic objects, 10,000 PodMetrics cost more than their figures.
#[derive(Debug, Default, Deserialize)]
pub struct UsageList {
    #[serde(default)]
    pub items: Vec<UsageItem>,
}

#[derive(Debug, Default, Deserialize)]
pub struct UsageItem {
    #[serde(default)]
    metadata: UsageMeta,
    /// A pod's containers.
    #[serde(default)]
    containers: Vec<ContainerUsage>,
    /// A node's.
    #[serde(default)]
    usage: Quantities,
}

#[derive(Debug, Default, Deserialize)]
struct UsageMeta {
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: String,
}

#[derive(Debug, Default, Deserialize)]
struct ContainerUsage {
    #[serde(default)]
    name: String,
    #[serde(default)]
    usage: Quantities,
}

#[derive(Debug, Default, Deserialize)]
struct Quantities {
    cpu: Option<String>,
    memory: Option<String>,
}

/// A pod's usage from metrics.k8s.io: its containers' sum, and each container's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodUsage {
    pub total: Resources,
    /// By container name.
    pub containers: Vec<(String, Resources)>,
}

/// A `PodMetricsList`'s items, by `namespace/pod`.
pub fn pod_metrics(items: &[UsageItem]) -> HashMap<String, PodUsage> {
    items
        .iter()
        .map(|item| {
            let mut pod = PodUsage::default();
            for c in &item.containers {
                let used = usage(&c.usage);
                pod.total.add(&used);
                pod.containers.push((c.name.clone(), used));
            }
            let meta = &item.metadata;
            (format!("{}/{}", meta.namespace, meta.name), pod)
        })
        .collect()
}

/// A `NodeMetricsList`'s items, by node name.
pub fn node_metrics(items: &[UsageItem]) -> HashMap<String, Resources> {
    items
        .iter()
        .map(|item| (item.metadata.name.clone(), usage(&item.usage)))
        .collect()
}

fn usage(u: &Quantities) -> Resources {
    Resources {
        cpu_millis: u.cpu.as_deref().and_then(quantity::cpu_millis).unwrap_or(0),
        mem_bytes: u.memory.as_deref().and_then(quantity::bytes).unwrap_or(0),
    }
}
