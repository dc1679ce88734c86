//! Workloads and their instances, as every orchestrator reports them: a Compose
//! service, a Swarm service, a plain container, a Kubernetes Deployment.

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Engine events kept for the events pane, newest last; a feed keeps no more unreported.
pub const EVENTS_KEPT: usize = 1000;

/// `TARGET/GROUP/NAME`; group is `_` when there is none (a plain container).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkloadAddr {
    pub target: String,
    pub group: String,
    pub name: String,
}

/// Group of a workload that belongs to no project, stack or namespace.
pub const NO_GROUP: &str = "_";

impl WorkloadAddr {
    pub fn new(target: &str, group: &str, name: &str) -> Self {
        let group = if group.is_empty() { NO_GROUP } else { group };
        WorkloadAddr {
            target: target.to_string(),
            group: group.to_string(),
            name: name.to_string(),
        }
    }
}

impl fmt::Display for WorkloadAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.target, self.group, self.name)
    }
}

impl Serialize for WorkloadAddr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl FromStr for WorkloadAddr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [t, g, n] if !t.is_empty() && !g.is_empty() && !n.is_empty() => {
                Ok(WorkloadAddr::new(t, g, n))
            }
            _ => Err(format!(
                "`{s}` is not a workload address: expected TARGET/GROUP/NAME, \
                 such as local/shop/api (GROUP is `_` for a plain container)"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkloadKind {
    ComposeService,
    SwarmService,
    Container,
    Deployment,
    StatefulSet,
    DaemonSet,
    /// Not a workload: an Alertmanager silence, addressed `AM/silence/ID`.
    Silence,
    /// A PostgreSQL backend (`TARGET/backend/PID`), the subject of cancel and terminate.
    Backend,
    /// An HTTP endpoint a load run is aimed at.
    Endpoint,
    /// A Kubernetes pod (`TARGET/NAMESPACE/POD`), the subject of delete-pod.
    Pod,
    /// A Redis server's configuration (`CACHE/config/maxmemory`).
    CacheConfig,
    /// A `[[backup]]` (`BACKUP/restore/newest`), the subject of a restore drill.
    Backup,
}

impl WorkloadKind {
    pub fn label(self) -> &'static str {
        match self {
            WorkloadKind::ComposeService => "compose",
            WorkloadKind::SwarmService => "swarm",
            WorkloadKind::Container => "container",
            WorkloadKind::Deployment => "deployment",
            WorkloadKind::StatefulSet => "statefulset",
            WorkloadKind::DaemonSet => "daemonset",
            WorkloadKind::Silence => "silence",
            WorkloadKind::Backend => "backend",
            WorkloadKind::Endpoint => "endpoint",
            WorkloadKind::Pod => "pod",
            WorkloadKind::CacheConfig => "cache config",
            WorkloadKind::Backup => "backup",
        }
    }
}

/// The health check's verdict, where the instance has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InstanceHealth {
    Starting,
    Healthy,
    Unhealthy,
}

/// Resource use of one instance, or summed over a workload's instances.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Usage {
    /// Percent of one core, as `docker stats` shows it (200 = two cores busy).
    pub cpu_percent: f64,
    pub mem_bytes: u64,
    /// 0 when unlimited.
    pub mem_limit_bytes: u64,
    /// The CPU limit in percent of one core (150 = 1.5 cores); 0 when unlimited.
    #[serde(default)]
    pub cpu_limit_percent: f64,
    pub net_rx_bytes_per_sec: f64,
    pub net_tx_bytes_per_sec: f64,
    pub blk_read_bytes_per_sec: f64,
    pub blk_write_bytes_per_sec: f64,
}

impl Usage {
    pub fn add(&mut self, o: &Usage) {
        self.cpu_percent += o.cpu_percent;
        self.mem_bytes += o.mem_bytes;
        self.mem_limit_bytes += o.mem_limit_bytes;
        self.cpu_limit_percent += o.cpu_limit_percent;
        self.net_rx_bytes_per_sec += o.net_rx_bytes_per_sec;
        self.net_tx_bytes_per_sec += o.net_tx_bytes_per_sec;
        self.blk_read_bytes_per_sec += o.blk_read_bytes_per_sec;
        self.blk_write_bytes_per_sec += o.blk_write_bytes_per_sec;
    }
}

/// One running unit of a workload: a container or a pod.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instance {
    pub id: String,
    pub name: String,
    pub workload: WorkloadAddr,
    pub image: String,
    /// The content digest or image id it runs, for rollback.
    pub image_id: String,
    /// The orchestrator's word: running, exited, restarting, paused, created, dead...
    pub state: String,
    pub exit_code: Option<i64>,
    pub health: Option<InstanceHealth>,
    pub restart_count: u32,
    /// The last exit was the kernel's OOM kill (Docker's `State.OOMKilled`;
    /// a pod's containers say so in their last termination).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub oom_killed: bool,
    /// As `docker ps` prints them: `0.0.0.0:8080->8080/tcp`.
    pub ports: Vec<String>,
    pub created_at: i64,
    /// Unix seconds it last started; None when not running.
    pub started_at: Option<i64>,
    /// None until the first stats reading arrives (or when not running).
    pub usage: Option<Usage>,
    /// A Kubernetes pod's node, phase, containers and their reasons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod: Option<Box<super::kube::PodDetail>>,
}

impl Instance {
    pub fn is_running(&self) -> bool {
        self.state == "running"
    }

    /// Running and, where there is a health check, healthy.
    pub fn is_ready(&self) -> bool {
        self.is_running()
            && !matches!(
                self.health,
                Some(InstanceHealth::Starting | InstanceHealth::Unhealthy)
            )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workload {
    pub addr: WorkloadAddr,
    pub kind: WorkloadKind,
    /// What the orchestrator wants; None where it has no such notion (Compose).
    pub desired: Option<u32>,
    pub running: u32,
    pub ready: u32,
    /// Distinct images across the instances, most common first.
    pub images: Vec<String>,
    pub usage: Usage,
    pub restarts: u32,
    /// A Kubernetes workload's rollout: up-to-date, available, revision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollout: Option<Box<super::kube::Rollout>>,
}

/// Something the engine reported happening: die, oom, health_status, start, stop, kill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EngineEvent {
    /// Unix nanoseconds, as the engine stamps them.
    pub at_nanos: i64,
    pub target: String,
    pub action: String,
    pub instance: String,
    pub workload: Option<WorkloadAddr>,
    /// Exit code, signal or health verdict, where the event carries one.
    pub detail: String,
    /// Something went wrong (an OOM kill, a Kubernetes Warning event); listed first.
    pub warning: bool,
}

/// All a Docker or Kubernetes target knows at one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Inventory {
    pub instances: Vec<Instance>,
    pub workloads: Vec<Workload>,
    /// A Kubernetes cluster's nodes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<super::kube::NodeInfo>,
    /// A Kubernetes cluster's namespaces (those the target watches).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// What the target could not read while the rest worked: metrics.k8s.io
    /// not served, a resource the credentials may not list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Inventory {
    /// How many replicas `w` wants: what its orchestrator says, else (Compose,
    /// plain containers) every instance except one that finished cleanly
    /// (exit 0) and a plain container never started.
    pub fn wanted(&self, w: &Workload) -> u32 {
        w.desired.unwrap_or_else(|| {
            self.instances
                .iter()
                .filter(|i| i.workload == w.addr)
                .filter(|i| !(i.state == "exited" && i.exit_code == Some(0)))
                .filter(|i| !(w.kind == WorkloadKind::Container && i.state == "created"))
                .count() as u32
        })
    }
}

/// One line of a container's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    pub at_nanos: i64,
    pub instance: String,
    pub stderr: bool,
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip_and_explain_mistakes() {
        let a: WorkloadAddr = "local/shop/api".parse().unwrap();
        assert_eq!(a, WorkloadAddr::new("local", "shop", "api"));
        assert_eq!(a.to_string(), "local/shop/api");
        assert_eq!(WorkloadAddr::new("local", "", "web").group, "_");
        let e = "local/api".parse::<WorkloadAddr>().unwrap_err();
        assert!(e.contains("TARGET/GROUP/NAME"), "{e}");
        assert!("a//b".parse::<WorkloadAddr>().is_err());
    }
}
