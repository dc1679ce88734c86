//! A container, as the engine lists or inspects it, becomes an `Instance` of
//! the workload its labels say it belongs to.

use crate::model::{Instance, InstanceHealth, WorkloadAddr, WorkloadKind, NO_GROUP};
use bollard::models::{
    ContainerInspectResponse, ContainerSummary, HealthStatusEnum, PortMap, PortSummary,
};
use std::collections::HashMap;

pub const COMPOSE_PROJECT: &str = "com.docker.compose.project";
pub const COMPOSE_SERVICE: &str = "com.docker.compose.service";
pub const STACK_NAMESPACE: &str = "com.docker.stack.namespace";
pub const SWARM_SERVICE: &str = "com.docker.swarm.service.name";

/// Which workload a container belongs to, read from its labels: a Compose
/// service, a Swarm service (grouped by stack), or the container alone.
pub fn workload_of(
    target: &str,
    container_name: &str,
    labels: &HashMap<String, String>,
) -> (WorkloadAddr, WorkloadKind) {
    let label = |k: &str| labels.get(k).map(String::as_str).filter(|v| !v.is_empty());
    if let Some(service) = label(SWARM_SERVICE) {
        let stack = label(STACK_NAMESPACE).unwrap_or(NO_GROUP);
        return (
            WorkloadAddr::new(target, stack, service),
            WorkloadKind::SwarmService,
        );
    }
    if let (Some(project), Some(service)) = (label(COMPOSE_PROJECT), label(COMPOSE_SERVICE)) {
        return (
            WorkloadAddr::new(target, project, service),
            WorkloadKind::ComposeService,
        );
    }
    (
        WorkloadAddr::new(target, NO_GROUP, container_name),
        WorkloadKind::Container,
    )
}

/// An instance with the kind of workload its labels put it in.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub instance: Instance,
    pub kind: WorkloadKind,
    /// Whether it has a memory limit of its own; None when not known (a listing).
    pub mem_limited: Option<bool>,
    /// Its CPU limit in percent of one core; 0 unlimited, None when not known.
    pub cpu_limit_percent: Option<f64>,
}

impl Container {
    /// Usage from stats, with the limit 0 when the container has none: the
    /// engine reports the host's memory then.
    pub fn with_usage(mut self, u: Option<crate::model::Usage>) -> Self {
        self.instance.usage = u.map(|mut u| {
            if self.mem_limited == Some(false) {
                u.mem_limit_bytes = 0;
            }
            u.cpu_limit_percent = self.cpu_limit_percent.unwrap_or(0.0);
            u
        });
        self
    }
}

/// The engine names containers `/name`; people do not.
pub fn container_name(raw: &str) -> String {
    raw.trim_start_matches('/').to_string()
}

/// From `GET /containers/json`. The summary carries no restart count and, on
/// older engines, no health; the collector inspects for those.
pub fn instance_from_summary(target: &str, c: &ContainerSummary) -> Container {
    let name = c
        .names
        .as_ref()
        .and_then(|n| n.first())
        .map(|n| container_name(n))
        .unwrap_or_default();
    let empty = HashMap::new();
    let labels = c.labels.as_ref().unwrap_or(&empty);
    let state = c.state.map(|s| s.to_string()).unwrap_or_default();
    let (workload, kind) = workload_of(target, &name, labels);
    let instance = Instance {
        id: c.id.clone().unwrap_or_default(),
        workload,
        name,
        image: c.image.clone().unwrap_or_default(),
        image_id: c.image_id.clone().unwrap_or_default(),
        exit_code: None,
        health: c
            .health
            .as_ref()
            .and_then(|h| h.status)
            .and_then(|s| health_verdict(s.as_ref())),
        restart_count: 0,
        oom_killed: false,
        ports: ports_from_summary(c.ports.as_deref().unwrap_or_default()),
        created_at: c.created.unwrap_or(0),
        started_at: None,
        usage: None,
        pod: None,
        state,
    };
    Container {
        instance,
        kind,
        mem_limited: None,
        cpu_limit_percent: None,
    }
}

/// From `GET /containers/ID/json`: everything the summary has, plus restart
/// count, health, exit code and start time.
pub fn instance_from_inspect(target: &str, c: &ContainerInspectResponse) -> Container {
    let name = container_name(c.name.as_deref().unwrap_or_default());
    let config = c.config.as_ref();
    let empty = HashMap::new();
    let labels = config.and_then(|c| c.labels.as_ref()).unwrap_or(&empty);
    let st = c.state.as_ref();
    let state = st
        .and_then(|s| s.status)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let running = state == "running" || state == "restarting" || state == "paused";
    let exit_code = st
        .and_then(|s| s.exit_code)
        .filter(|_| state == "exited" || state == "dead");
    let health = st
        .and_then(|s| s.health.as_ref())
        .and_then(|h| h.status)
        .and_then(|s| match s {
            HealthStatusEnum::STARTING => Some(InstanceHealth::Starting),
            HealthStatusEnum::HEALTHY => Some(InstanceHealth::Healthy),
            HealthStatusEnum::UNHEALTHY => Some(InstanceHealth::Unhealthy),
            HealthStatusEnum::NONE | HealthStatusEnum::EMPTY => None,
        });
    let ports = c
        .network_settings
        .as_ref()
        .and_then(|n| n.ports.as_ref())
        .map(ports_from_map)
        .unwrap_or_default();
    let (workload, kind) = workload_of(target, &name, labels);
    let instance = Instance {
        id: c.id.clone().unwrap_or_default(),
        workload,
        name,
        image: config.and_then(|c| c.image.clone()).unwrap_or_default(),
        image_id: c.image.clone().unwrap_or_default(),
        state,
        exit_code,
        health,
        restart_count: c.restart_count.unwrap_or(0).clamp(0, i64::from(u32::MAX)) as u32,
        oom_killed: st.and_then(|s| s.oom_killed).unwrap_or(false),
        ports,
        created_at: c.created.as_deref().and_then(unix_secs).unwrap_or(0),
        started_at: if running {
            st.and_then(|s| s.started_at.as_deref()).and_then(unix_secs)
        } else {
            None
        },
        usage: None,
        pod: None,
    };
    let host = c.host_config.as_ref();
    let memory = host.and_then(|h| h.memory).unwrap_or(0);
    Container {
        instance,
        kind,
        mem_limited: Some(memory > 0),
        cpu_limit_percent: Some(host.map_or(0.0, cpu_limit_percent)),
    }
}

/// `--cpus` (NanoCpus) or `--cpu-quota`/`--cpu-period`, in percent of one core.
fn cpu_limit_percent(h: &bollard::models::HostConfig) -> f64 {
    match (h.nano_cpus, h.cpu_quota, h.cpu_period) {
        (Some(n), _, _) if n > 0 => n as f64 / 1e7,
        (_, Some(q), Some(p)) if q > 0 && p > 0 => q as f64 * 100.0 / p as f64,
        _ => 0.0,
    }
}

/// The engine's health words; anything else (none, empty) is no verdict.
pub fn health_verdict(word: &str) -> Option<InstanceHealth> {
    match word.trim() {
        "starting" => Some(InstanceHealth::Starting),
        "healthy" => Some(InstanceHealth::Healthy),
        "unhealthy" => Some(InstanceHealth::Unhealthy),
        _ => None,
    }
}

/// RFC 3339 (the engine writes nanoseconds) to unix seconds; the engine's
/// zero time (`0001-01-01T00:00:00Z`, "never") is None.
pub fn unix_secs(s: &str) -> Option<i64> {
    unix_nanos(s).map(|n| n.div_euclid(1_000_000_000))
}

pub use crate::base::time::unix_nanos;

/// `docker ps` style: `127.0.0.1:49153->8080/tcp`, `[::]:80->80/tcp`, `9000/tcp`.
fn format_port(ip: Option<&str>, public: Option<u16>, private: u16, proto: &str) -> String {
    let proto = if proto.is_empty() { "tcp" } else { proto };
    match public {
        Some(public) if public != 0 => {
            let ip = ip.unwrap_or("");
            let host = if ip.contains(':') {
                format!("[{ip}]")
            } else {
                ip.to_string()
            };
            format!("{host}:{public}->{private}/{proto}")
        }
        _ => format!("{private}/{proto}"),
    }
}

fn ports_from_summary(ports: &[PortSummary]) -> Vec<String> {
    let mut keyed: Vec<(u16, String)> = ports
        .iter()
        .map(|p| {
            let proto = p.typ.map(|t| t.to_string()).unwrap_or_default();
            let text = format_port(p.ip.as_deref(), p.public_port, p.private_port, &proto);
            (p.private_port, text)
        })
        .collect();
    sorted_unique(&mut keyed)
}

fn ports_from_map(map: &PortMap) -> Vec<String> {
    let mut keyed = Vec::new();
    for (spec, bindings) in map {
        let (port, proto) = spec.split_once('/').unwrap_or((spec, "tcp"));
        let Ok(private) = port.parse::<u16>() else {
            continue;
        };
        match bindings.as_deref() {
            Some(list) if !list.is_empty() => {
                for b in list {
                    let public = b.host_port.as_deref().and_then(|p| p.parse().ok());
                    let ip = b.host_ip.as_deref().filter(|i| !i.is_empty());
                    keyed.push((private, format_port(ip, public, private, proto)));
                }
            }
            _ => keyed.push((private, format_port(None, None, private, proto))),
        }
    }
    sorted_unique(&mut keyed)
}

/// Ordered by container port, then text, so the same container always reads the same.
fn sorted_unique(keyed: &mut [(u16, String)]) -> Vec<String> {
    keyed.sort();
    let mut out: Vec<String> = keyed.iter().map(|(_, t)| t.clone()).collect();
    out.dedup();
    out
}
