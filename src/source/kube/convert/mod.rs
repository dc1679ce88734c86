//! Kubernetes objects to the model: pure functions over what the watches hold,
//! tested on objects shaped as the API server sends them.

pub mod autoscalers;
mod cluster;
mod pods;
#[cfg(test)]
pub(crate) mod tests;
mod workloads;

pub use cluster::{
    event, event_nanos, node, node_metrics, pod_metrics, PodUsage, UsageItem, UsageList,
};
pub use pods::instance;

use super::pod_record::PodRecord;
use crate::model::{Instance, Inventory, Resources, WorkloadAddr};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::HashMap;
use std::sync::Arc;

/// What the watches hold at one moment.
#[derive(Default)]
pub struct Objects {
    pub deployments: Vec<Arc<Deployment>>,
    pub statefulsets: Vec<Arc<StatefulSet>>,
    pub daemonsets: Vec<Arc<DaemonSet>>,
    pub replicasets: Vec<Arc<ReplicaSet>>,
    pub pods: Vec<Arc<PodRecord>>,
    pub nodes: Vec<Arc<Node>>,
}

/// Usage from metrics.k8s.io; empty when it is not served.
#[derive(Default)]
pub struct Metrics {
    /// By `namespace/pod`.
    pub pods: HashMap<String, PodUsage>,
    pub nodes: HashMap<String, Resources>,
}

/// Which workload owns what: a ReplicaSet's Deployment, a pod's controller,
/// each by `namespace/name`.
pub struct Owners {
    target: String,
    replicaset_owner: HashMap<String, String>,
    pod_owner: HashMap<String, WorkloadAddr>,
}

impl Owners {
    pub fn new(target: &str, replicasets: &[Arc<ReplicaSet>], pods: &[Arc<PodRecord>]) -> Self {
        let replicaset_owner = replicasets
            .iter()
            .filter_map(|rs| {
                let owner = controller(&rs.metadata)?;
                (owner.0 == "Deployment").then(|| (key(&rs.metadata), owner.1.to_string()))
            })
            .collect();
        let mut owners = Owners {
            target: target.to_string(),
            replicaset_owner,
            pod_owner: HashMap::new(),
        };
        owners.pod_owner = pods
            .iter()
            .map(|p| (key(&p.metadata), owners.pod_workload(p)))
            .collect();
        owners
    }

    /// The workload an object of `kind` belongs to: a pod's controller (a
    /// ReplicaSet's Deployment), or the workload itself.
    pub fn workload_of(&self, kind: &str, ns: &str, name: &str) -> Option<WorkloadAddr> {
        let addr = |n: &str| Some(WorkloadAddr::new(&self.target, ns, n));
        match kind {
            "Deployment" | "StatefulSet" | "DaemonSet" => addr(name),
            "ReplicaSet" => self
                .replicaset_owner
                .get(&format!("{ns}/{name}"))
                .and_then(|d| addr(d)),
            "Pod" => self.pod_owner.get(&format!("{ns}/{name}")).cloned(),
            _ => None,
        }
    }

    fn pod_workload(&self, pod: &PodRecord) -> WorkloadAddr {
        let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
        let own = controller(&pod.metadata).and_then(|(kind, name)| {
            self.workload_of(kind, ns, name).or_else(|| {
                // A Job's or a bare ReplicaSet's pods still group under their controller.
                Some(WorkloadAddr::new(&self.target, ns, name))
            })
        });
        own.unwrap_or_else(|| {
            WorkloadAddr::new(
                &self.target,
                ns,
                pod.metadata.name.as_deref().unwrap_or_default(),
            )
        })
    }
}

fn controller(meta: &ObjectMeta) -> Option<(&str, &str)> {
    meta.owner_references
        .as_deref()?
        .iter()
        .find(|o| o.controller == Some(true))
        .map(|o| (o.kind.as_str(), o.name.as_str()))
}

fn key(meta: &ObjectMeta) -> String {
    format!(
        "{}/{}",
        meta.namespace.as_deref().unwrap_or_default(),
        meta.name.as_deref().unwrap_or_default()
    )
}

/// The whole inventory, workloads sorted by address and pods by workload then name.
pub fn inventory(target: &str, o: &Objects, metrics: &Metrics, owners: &Owners) -> Inventory {
    let mut instances: Vec<Instance> = o
        .pods
        .iter()
        .map(|p| {
            let pod = key(&p.metadata);
            let usage = metrics.pods.get(&pod);
            let workload = owners.pod_owner.get(&pod).cloned();
            let workload = workload.unwrap_or_else(|| owners.pod_workload(p));
            let mut i = instance(p, workload, usage.map(|u| u.total));
            if let (Some(d), Some(u)) = (i.pod.as_mut().filter(|_| i.usage.is_some()), usage) {
                for c in &mut d.containers {
                    c.usage = u
                        .containers
                        .iter()
                        .find(|(n, _)| *n == c.name)
                        .map(|(_, r)| *r);
                }
            }
            i
        })
        .collect();
    instances.sort_by(|a, b| (&a.workload, &a.name).cmp(&(&b.workload, &b.name)));
    let mut by_workload: HashMap<&WorkloadAddr, Vec<&Instance>> = HashMap::new();
    for i in &instances {
        by_workload.entry(&i.workload).or_default().push(i);
    }
    let pods_of = |meta: &ObjectMeta| {
        let addr = WorkloadAddr::new(
            target,
            meta.namespace.as_deref().unwrap_or_default(),
            meta.name.as_deref().unwrap_or_default(),
        );
        by_workload.get(&addr).cloned().unwrap_or_default()
    };
    let mut workloads: Vec<_> = o
        .deployments
        .iter()
        .map(|d| workloads::deployment(target, d, &pods_of(&d.metadata)))
        .chain(
            o.statefulsets
                .iter()
                .map(|s| workloads::statefulset(target, s, &pods_of(&s.metadata))),
        )
        .chain(
            o.daemonsets
                .iter()
                .map(|d| workloads::daemonset(target, d, &pods_of(&d.metadata))),
        )
        .collect();
    workloads.sort_by(|a, b| a.addr.cmp(&b.addr));
    let mut nodes: Vec<_> = o
        .nodes
        .iter()
        .map(|n| {
            let name = n.metadata.name.as_deref().unwrap_or_default();
            node(n, metrics.nodes.get(name).copied())
        })
        .collect();
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    Inventory {
        instances,
        workloads,
        nodes,
        namespaces: Vec::new(),
        notes: Vec::new(),
    }
}
