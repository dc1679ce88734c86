//! A pod as an instance: the READY, STATUS and RESTARTS `kubectl get pods`
//! prints, the node, and each container's reason and requests and limits.

use crate::model::{
    Instance, InstanceHealth, PodContainer, PodDetail, Resources, Usage, WorkloadAddr,
};
use crate::source::kube::pod_record::{ContainerRecord, ContainerStatusRecord, PodRecord};
use crate::source::kube::quantity;
use k8s_openapi::api::core::v1::ResourceRequirements;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::collections::BTreeMap;

pub fn instance(pod: &PodRecord, workload: WorkloadAddr, usage: Option<Resources>) -> Instance {
    let meta = &pod.metadata;
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let statuses: &[ContainerStatusRecord] = status
        .and_then(|s| s.container_statuses.as_deref())
        .unwrap_or_default();
    let containers: Vec<PodContainer> = spec
        .map(|s| s.containers.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|c| container(c, statuses.iter().find(|s| s.name == c.name)))
        .collect();
    let phase = status
        .and_then(|s| s.phase.clone())
        .unwrap_or_else(|| "Pending".into());
    let detail = PodDetail {
        namespace: meta.namespace.clone().unwrap_or_default(),
        node: spec.and_then(|s| s.node_name.clone()).unwrap_or_default(),
        phase: phase.clone(),
        containers,
    };
    let ready = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True");
    let state = pod_state(pod, &detail);
    let running = state == "running";
    let health = running.then_some(if ready {
        InstanceHealth::Healthy
    } else {
        InstanceHealth::Unhealthy
    });
    let limits = detail.limits();
    Instance {
        id: meta.uid.clone().unwrap_or_default(),
        name: meta.name.clone().unwrap_or_default(),
        workload,
        image: spec
            .and_then(|s| s.containers.first())
            .and_then(|c| c.image.clone())
            .unwrap_or_default(),
        image_id: statuses
            .first()
            .map(|s| s.image_id.clone())
            .unwrap_or_default(),
        exit_code: statuses
            .iter()
            .find_map(|s| s.last_state.as_ref()?.terminated.as_ref())
            .map(|t| i64::from(t.exit_code)),
        health,
        restart_count: detail.containers.iter().map(|c| c.restarts).sum(),
        // As the kubelet words it: the container ended, now or last time, OOMKilled.
        oom_killed: detail.containers.iter().any(|c| {
            c.reason.as_deref() == Some("OOMKilled")
                || c.last_termination
                    .as_deref()
                    .is_some_and(|t| t.starts_with("OOMKilled"))
        }),
        ports: ports(spec.map(|s| s.containers.as_slice()).unwrap_or_default()),
        created_at: meta
            .creation_timestamp
            .as_ref()
            .map_or(0, |t| t.0.as_second()),
        started_at: status
            .and_then(|s| s.start_time.as_ref())
            .map(|t| t.0.as_second())
            .filter(|_| running),
        usage: usage.filter(|_| running).map(|u| Usage {
            cpu_percent: u.cpu_millis as f64 / 10.0,
            mem_bytes: u.mem_bytes,
            mem_limit_bytes: limits.mem_bytes,
            cpu_limit_percent: limits.cpu_millis as f64 / 10.0,
            ..Usage::default()
        }),
        state,
        pod: Some(Box::new(detail)),
    }
}

/// The STATUS column's word, lower-cased where it is a phase so that
/// `Instance::is_running` holds for a running pod: a terminating pod, a
/// container's waiting or terminated reason (CrashLoopBackOff, OOMKilled), else the phase.
fn pod_state(pod: &PodRecord, detail: &PodDetail) -> String {
    if pod.metadata.deletion_timestamp.is_some() {
        return "terminating".into();
    }
    if let Some(reason) = detail.containers.iter().find_map(|c| c.reason.as_deref()) {
        return reason.to_string();
    }
    if let Some(reason) = pod.status.as_ref().and_then(|s| s.reason.as_deref()) {
        return reason.to_string();
    }
    detail.phase.to_lowercase()
}

fn container(c: &ContainerRecord, status: Option<&ContainerStatusRecord>) -> PodContainer {
    let state = status.and_then(|s| s.state.as_ref());
    let (state_word, reason) = match state {
        Some(s) if s.waiting.is_some() => {
            ("waiting", s.waiting.as_ref().and_then(|w| w.reason.clone()))
        }
        Some(s) if s.terminated.is_some() => {
            let t = s.terminated.as_ref().expect("checked");
            (
                "terminated",
                Some(
                    t.reason
                        .clone()
                        .unwrap_or_else(|| format!("exit {}", t.exit_code)),
                ),
            )
        }
        Some(s) if s.running.is_some() => ("running", None),
        _ => ("waiting", Some("ContainerCreating".into())),
    };
    let last_termination = status
        .and_then(|s| s.last_state.as_ref()?.terminated.as_ref())
        .map(|t| {
            let reason = t.reason.as_deref().unwrap_or("Error");
            format!("{reason} (exit {})", t.exit_code)
        });
    let (requests, limits) = resources(c.resources.as_ref());
    PodContainer {
        name: c.name.clone(),
        ready: status.is_some_and(|s| s.ready),
        restarts: status.map_or(0, |s| s.restart_count.max(0) as u32),
        state: state_word.into(),
        reason,
        last_termination,
        requests,
        limits,
        usage: None,
    }
}

/// A container's requests and limits; a limit with no request requests the limit, as the API defaults it.
pub fn resources(r: Option<&ResourceRequirements>) -> (Resources, Resources) {
    let read = |m: Option<&BTreeMap<String, Quantity>>| Resources {
        cpu_millis: m
            .and_then(|m| m.get("cpu"))
            .and_then(|q| quantity::cpu_millis(&q.0))
            .unwrap_or(0),
        mem_bytes: m
            .and_then(|m| m.get("memory"))
            .and_then(|q| quantity::bytes(&q.0))
            .unwrap_or(0),
    };
    let limits = read(r.and_then(|r| r.limits.as_ref()));
    let mut requests = read(r.and_then(|r| r.requests.as_ref()));
    if requests.cpu_millis == 0 {
        requests.cpu_millis = limits.cpu_millis;
    }
    if requests.mem_bytes == 0 {
        requests.mem_bytes = limits.mem_bytes;
    }
    (requests, limits)
}

/// As `docker ps` writes them, for the one PORTS column: `8080/TCP`.
fn ports(containers: &[ContainerRecord]) -> Vec<String> {
    containers
        .iter()
        .flat_map(|c| c.ports.as_deref().unwrap_or_default())
        .map(|p| {
            format!(
                "{}/{}",
                p.container_port,
                p.protocol.as_deref().unwrap_or("TCP")
            )
        })
        .collect()
}
