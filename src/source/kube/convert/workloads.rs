//! Deployments, StatefulSets and DaemonSets as workloads, with their pods'
//! counts and usage and the rollout columns `kubectl get deploy` prints.

use super::pods::resources;
use crate::model::{Instance, Resources, Rollout, Usage, Workload, WorkloadAddr, WorkloadKind};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// The pieces every kind has, read out of its own types.
struct Shape<'a> {
    kind: WorkloadKind,
    meta: &'a ObjectMeta,
    template: Option<&'a PodTemplateSpec>,
    desired: u32,
    ready: u32,
    rollout: Rollout,
}

pub fn deployment(target: &str, d: &Deployment, pods: &[&Instance]) -> Workload {
    let spec = &d.spec;
    let status = d.status.clone().unwrap_or_default();
    let problem = status
        .conditions
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find_map(|c| {
            let (kind, state) = (c.type_.as_deref()?, c.status.as_deref()?);
            let bad = matches!(
                (kind, state),
                ("Progressing" | "Available", "False") | ("ReplicaFailure", "True")
            );
            bad.then(|| {
                let reason = c.reason.as_deref().unwrap_or(kind);
                match c.message.as_deref() {
                    Some(m) if !m.is_empty() => format!("{reason}: {m}"),
                    _ => reason.to_string(),
                }
            })
        });
    let rollout = Rollout {
        up_to_date: count(status.updated_replicas),
        available: count(status.available_replicas),
        revision: annotation(&d.metadata, "deployment.kubernetes.io/revision"),
        paused: spec.paused.unwrap_or(false),
        problem,
        ..Rollout::default()
    };
    build(
        target,
        Shape {
            kind: WorkloadKind::Deployment,
            meta: &d.metadata,
            template: Some(&spec.template),
            desired: count(spec.replicas.or(Some(1))),
            ready: count(status.ready_replicas),
            rollout,
        },
        pods,
    )
}

pub fn statefulset(target: &str, s: &StatefulSet, pods: &[&Instance]) -> Workload {
    let spec = &s.spec;
    let status = s.status.clone().unwrap_or_default();
    let rollout = Rollout {
        up_to_date: count(status.updated_replicas),
        available: count(status.available_replicas),
        revision: status.update_revision.clone().unwrap_or_default(),
        ..Rollout::default()
    };
    build(
        target,
        Shape {
            kind: WorkloadKind::StatefulSet,
            meta: &s.metadata,
            template: Some(&spec.template),
            desired: count(spec.replicas.or(Some(1))),
            ready: count(status.ready_replicas),
            rollout,
        },
        pods,
    )
}

pub fn daemonset(target: &str, d: &DaemonSet, pods: &[&Instance]) -> Workload {
    let status = d.status.clone().unwrap_or_default();
    let rollout = Rollout {
        up_to_date: count(status.updated_number_scheduled),
        available: count(status.number_available),
        revision: String::new(),
        ..Rollout::default()
    };
    build(
        target,
        Shape {
            kind: WorkloadKind::DaemonSet,
            meta: &d.metadata,
            template: Some(&d.spec.template),
            desired: count(Some(status.desired_number_scheduled)),
            ready: count(Some(status.number_ready)),
            rollout,
        },
        pods,
    )
}

fn build(target: &str, shape: Shape, pods: &[&Instance]) -> Workload {
    let Shape {
        kind,
        meta,
        template,
        desired,
        ready,
        mut rollout,
    } = shape;
    let containers = template
        .and_then(|t| t.spec.as_ref())
        .map(|s| s.containers.as_slice())
        .unwrap_or_default();
    let (mut requests, mut limits) = (Resources::default(), Resources::default());
    for c in containers {
        let (r, l) = resources(c.resources.as_ref());
        requests.add(&r);
        limits.add(&l);
    }
    let times = |r: Resources| Resources {
        cpu_millis: r.cpu_millis * u64::from(desired),
        mem_bytes: r.mem_bytes * u64::from(desired),
    };
    rollout.requests = times(requests);
    rollout.limits = times(limits);
    rollout.created_at = meta
        .creation_timestamp
        .as_ref()
        .map_or(0, |t| t.0.as_second());
    let mut usage = Usage::default();
    for u in pods.iter().filter_map(|p| p.usage.as_ref()) {
        usage.add(u);
    }
    Workload {
        addr: WorkloadAddr::new(
            target,
            meta.namespace.as_deref().unwrap_or_default(),
            meta.name.as_deref().unwrap_or_default(),
        ),
        kind,
        desired: Some(desired),
        running: pods.iter().filter(|p| p.is_running()).count() as u32,
        ready,
        images: containers.iter().filter_map(|c| c.image.clone()).collect(),
        usage,
        restarts: pods.iter().map(|p| p.restart_count).sum(),
        rollout: Some(Box::new(rollout)),
    }
}

fn count(n: Option<i32>) -> u32 {
    n.unwrap_or(0).max(0) as u32
}

fn annotation(meta: &ObjectMeta, key: &str) -> String {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(key))
        .cloned()
        .unwrap_or_default()
}
