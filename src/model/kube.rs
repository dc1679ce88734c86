//! What a Kubernetes target tells beyond the workloads and instances every
//! orchestrator has: rollout state, pod detail, nodes, requests and limits.

use serde::Serialize;

/// CPU and memory as requests and limits state them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Resources {
    pub cpu_millis: u64,
    pub mem_bytes: u64,
}

impl Resources {
    pub fn add(&mut self, o: &Resources) {
        self.cpu_millis += o.cpu_millis;
        self.mem_bytes += o.mem_bytes;
    }

    pub fn is_zero(&self) -> bool {
        self.cpu_millis == 0 && self.mem_bytes == 0
    }
}

/// A Deployment's, StatefulSet's or DaemonSet's rollout, as `kubectl get` shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rollout {
    pub up_to_date: u32,
    pub available: u32,
    /// `deployment.kubernetes.io/revision`, or the StatefulSet's update revision.
    pub revision: String,
    pub paused: bool,
    /// A condition that is not as it should be, e.g.
    /// `Progressing=False ProgressDeadlineExceeded: ...`.
    pub problem: Option<String>,
    /// The pod template's, times the desired replicas.
    pub requests: Resources,
    pub limits: Resources,
    /// Unix seconds the object was created.
    pub created_at: i64,
    /// The HorizontalPodAutoscaler that sets the replicas, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscaler: Option<Autoscaler>,
}

/// A HorizontalPodAutoscaler (autoscaling/v2), as `kubectl get hpa` shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Autoscaler {
    pub name: String,
    pub min: u32,
    pub max: u32,
    /// From its status; None until the controller has reported.
    pub current: Option<u32>,
    pub desired: Option<u32>,
    /// Each metric it scales on: `cpu`, its target (`70 %`) and current reading.
    pub metrics: Vec<AutoscalerMetric>,
    /// ScalingActive, AbleToScale, ScalingLimited: `ScalingLimited=True TooManyReplicas`.
    pub conditions: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AutoscalerMetric {
    pub name: String,
    pub target: String,
    pub current: Option<String>,
}

impl Autoscaler {
    /// `HPA 2–10 @ cpu 70 %`, and `3→5` when it is scaling.
    pub fn summary(&self) -> String {
        let mut text = format!("HPA {}–{}", self.min, self.max);
        if let Some(m) = self.metrics.first() {
            text.push_str(&format!(" @ {} {}", m.name, m.target));
        }
        if let (Some(c), Some(d)) = (self.current, self.desired) {
            if c != d {
                text.push_str(&format!(" ({c}→{d})"));
            }
        }
        text
    }
}

/// One container of a pod.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PodContainer {
    pub name: String,
    pub ready: bool,
    pub restarts: u32,
    /// running, waiting or terminated.
    pub state: String,
    /// Why it waits or ended now (CrashLoopBackOff, ImagePullBackOff, Completed...).
    pub reason: Option<String>,
    /// Why the previous instance ended (OOMKilled, Error...), with its exit code.
    pub last_termination: Option<String>,
    pub requests: Resources,
    pub limits: Resources,
    /// From metrics.k8s.io, while it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Resources>,
}

/// What a pod adds to its instance.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PodDetail {
    pub namespace: String,
    pub node: String,
    /// Pending, Running, Succeeded, Failed, Unknown.
    pub phase: String,
    pub containers: Vec<PodContainer>,
}

impl PodDetail {
    /// `1/2`, as the READY column of `kubectl get pods`.
    pub fn ready_text(&self) -> String {
        let ready = self.containers.iter().filter(|c| c.ready).count();
        format!("{ready}/{}", self.containers.len())
    }

    /// What an on-call looks for first: the current waiting or terminated
    /// reason, else the last termination's (OOMKilled after a restart).
    pub fn reason(&self) -> Option<&str> {
        let now = self.containers.iter().find_map(|c| c.reason.as_deref());
        now.or_else(|| {
            self.containers
                .iter()
                .find_map(|c| c.last_termination.as_deref())
        })
    }

    pub fn requests(&self) -> Resources {
        let mut r = Resources::default();
        self.containers.iter().for_each(|c| r.add(&c.requests));
        r
    }

    pub fn limits(&self) -> Resources {
        let mut r = Resources::default();
        self.containers.iter().for_each(|c| r.add(&c.limits));
        r
    }
}

/// A node and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeInfo {
    pub name: String,
    pub ready: bool,
    /// MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable when true.
    pub pressure: Vec<String>,
    pub unschedulable: bool,
    pub allocatable: Resources,
    /// From metrics.k8s.io, when served.
    pub usage: Option<Resources>,
    pub kubelet: String,
}
