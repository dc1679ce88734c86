//! What an action will do, before it does it.

use crate::model::{WorkloadAddr, WorkloadKind};
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verb", rename_all = "lowercase")]
pub enum Verb {
    Scale {
        replicas: u32,
    },
    Restart,
    /// To the previous recorded revision, or the one named.
    Rollback {
        to: Option<String>,
    },
    Deploy {
        image: String,
    },
    /// New bounds for the HorizontalPodAutoscaler that manages a Kubernetes
    /// workload (its minReplicas, maxReplicas); None keeps a bound.
    Autoscale {
        #[serde(skip_serializing_if = "Option::is_none")]
        min: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        max: Option<u32>,
    },
    /// An Alertmanager silence (`AM/silence/new`) over these matchers.
    Silence {
        matchers: Vec<crate::alertmanager::Matcher>,
        #[serde(serialize_with = "crate::base::duration::serialize")]
        duration: std::time::Duration,
        comment: String,
    },
    /// Ends an Alertmanager silence (`AM/silence/ID`) now.
    Expire,
    /// A PostgreSQL backend: cancel its running query (`pg_cancel_backend`).
    Cancel,
    /// A PostgreSQL backend: end the session (`pg_terminate_backend`).
    Terminate,
    /// A load run against an endpoint (`load/_/HOST:PORT`); `url` is redacted
    /// and `profile` the rate schedule in words.
    Load {
        url: String,
        profile: String,
    },
    /// A Kubernetes pod (`TARGET/NAMESPACE/POD`): delete it so its
    /// controller replaces it; a pod no controller owns only with `force`.
    DeletePod {
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        force: bool,
    },
    /// A Docker container (`TARGET/_/CONTAINER`): `docker stop`.
    Stop,
    /// A Docker container: `docker start`.
    Start,
    /// A Docker container: `docker kill --signal SIGNAL`.
    Kill {
        signal: String,
    },
    /// A shell or a command in one running container (`opsdeck exec`, `s`):
    /// `container` names it when the address is a workload (a pod's
    /// container, a Compose replica); None takes the workload's first
    /// running one. What is typed into it is never recorded.
    Exec {
        #[serde(skip_serializing_if = "Option::is_none")]
        container: Option<String>,
        command: Vec<String>,
    },
    /// A Redis server's `maxmemory` (`CACHE/config/maxmemory`), raised to `bytes`.
    Maxmemory {
        bytes: u64,
    },
    /// A restore drill of a `[[backup]]` (`BACKUP/restore/newest`): its
    /// newest dump restored into a scratch database, checked, dropped.
    Verify,
    /// A `pg_dump` of a PostgreSQL target's database (`DB/dump/new`) into
    /// the directory of the `[[backup]]` that protects it.
    Dump,
}

impl Verb {
    pub fn name(&self) -> &'static str {
        match self {
            Verb::Scale { .. } => "scale",
            Verb::Restart => "restart",
            Verb::Rollback { .. } => "rollback",
            Verb::Deploy { .. } => "deploy",
            Verb::Autoscale { .. } => "autoscale",
            Verb::Silence { .. } => "silence",
            Verb::Expire => "expire",
            Verb::Cancel => "cancel",
            Verb::Terminate => "terminate",
            Verb::Load { .. } => "load",
            Verb::DeletePod { .. } => "delete-pod",
            Verb::Stop => "stop",
            Verb::Start => "start",
            Verb::Kill { .. } => "kill",
            Verb::Exec { .. } => "exec",
            Verb::Maxmemory { .. } => "maxmemory",
            Verb::Verify => "verify",
            Verb::Dump => "dump",
        }
    }
}

impl Verb {
    /// Why a silence verb cannot be asked of a workload.
    /// What the verb acts on, when that is not a workload: the address it takes.
    pub fn foreign_subject(&self) -> Option<&'static str> {
        match self {
            Verb::Scale { .. }
            | Verb::Restart
            | Verb::Rollback { .. }
            | Verb::Deploy { .. }
            | Verb::Autoscale { .. } => None,
            Verb::Silence { .. } | Verb::Expire => Some("Alertmanager silences (AM/silence/ID)"),
            Verb::Cancel | Verb::Terminate => Some("PostgreSQL backends (DB/backend/PID)"),
            Verb::Load { .. } => Some("HTTP endpoints, through `opsdeck load`"),
            Verb::DeletePod { .. } => Some("Kubernetes pods (TARGET/NAMESPACE/POD)"),
            Verb::Stop | Verb::Start | Verb::Kill { .. } => {
                Some("Docker containers (TARGET/_/CONTAINER)")
            }
            Verb::Exec { .. } => Some("a running container or pod, through `opsdeck exec`"),
            Verb::Maxmemory { .. } => Some("Redis targets (CACHE/config/maxmemory)"),
            Verb::Verify => Some("backups, through `opsdeck backup verify`"),
            Verb::Dump => Some("PostgreSQL databases (DB/dump/new)"),
        }
    }

    /// Whether the action holds the workload's lock while it runs. A shell
    /// changes nothing a plan describes and may stay open for hours: holding
    /// the lock would refuse a restart from another terminal for that long.
    pub fn holds_lock(&self) -> bool {
        !matches!(self, Verb::Exec { .. })
    }

    /// The refusal of `autoscale` where there is no HorizontalPodAutoscaler.
    pub fn not_autoscaled(addr: &WorkloadAddr) -> String {
        format!(
            "{addr} is not a Kubernetes workload: autoscale changes the bounds of the HorizontalPodAutoscaler that manages a Deployment or StatefulSet; use scale"
        )
    }

    /// The refusal of a verb made for another kind of subject.
    pub fn not_for_workload(&self, addr: &WorkloadAddr) -> String {
        format!(
            "{addr} is a workload; {} applies to {}",
            self.name(),
            self.foreign_subject().unwrap_or("workloads")
        )
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verb::Scale { replicas } => write!(f, "scale to {replicas}"),
            Verb::Restart => f.write_str("restart"),
            Verb::Rollback { to: None } => f.write_str("rollback to the previous revision"),
            Verb::Rollback { to: Some(r) } => write!(f, "rollback to {r}"),
            Verb::Deploy { image } => write!(f, "deploy {image}"),
            Verb::Autoscale { min, max } => {
                f.write_str("autoscale")?;
                if let Some(n) = min {
                    write!(f, " min {n}")?;
                }
                if let Some(n) = max {
                    write!(f, " max {n}")?;
                }
                Ok(())
            }
            Verb::Silence {
                matchers,
                duration,
                comment,
            } => write!(
                f,
                "silence {} for {}: {comment}",
                crate::alertmanager::matcher::list(matchers),
                crate::base::duration::format(*duration)
            ),
            Verb::Expire => f.write_str("expire the silence"),
            Verb::Cancel => f.write_str("cancel the running query"),
            Verb::Terminate => f.write_str("terminate the session"),
            Verb::Load { url, profile } => write!(f, "load {url} ({profile})"),
            Verb::DeletePod { force: false } => f.write_str("delete the pod"),
            Verb::DeletePod { force: true } => f.write_str("delete the pod (forced)"),
            Verb::Stop => f.write_str("stop the container"),
            Verb::Start => f.write_str("start the container"),
            Verb::Kill { signal } => write!(f, "kill the container with {signal}"),
            Verb::Exec { container, command } => {
                write!(f, "exec {}", shown_command(command))?;
                match container {
                    Some(c) => write!(f, " in container {c}"),
                    None => Ok(()),
                }
            }
            Verb::Maxmemory { bytes } => {
                write!(
                    f,
                    "set maxmemory to {}",
                    crate::base::units::bytes(*bytes as f64)
                )
            }
            Verb::Verify => {
                f.write_str("restore the newest dump into a scratch database and check it")
            }
            Verb::Dump => f.write_str("dump the database (pg_dump, custom format)"),
        }
    }
}

/// A command as a person would type it: words joined by spaces, a word
/// with a space or a quote in it quoted as a shell reads it.
pub fn shown_command(command: &[String]) -> String {
    shlex::try_join(command.iter().map(String::as_str)).unwrap_or_else(|_| command.join(" "))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    pub workload: WorkloadAddr,
    #[serde(flatten)]
    pub verb: Verb,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepOp {
    Create,
    Start,
    Stop,
    Remove,
    Restart,
    Update,
    WaitHealthy,
    /// An alert a new silence would mute.
    Mute,
    /// An alert an expired silence would stop muting.
    Unmute,
    Expire,
    /// `pg_cancel_backend`.
    Cancel,
    /// `pg_terminate_backend`.
    Terminate,
    /// Read back until the change shows.
    Verify,
    /// Send requests at an endpoint.
    Load,
    /// Delete an object (a pod its controller replaces).
    Delete,
    /// Send a signal to a container's main process.
    Kill,
    /// Run a command (a shell) in a container.
    Exec,
    /// Restore a dump (`pg_restore`).
    Restore,
    /// Run a check on what was restored.
    Check,
}

/// One thing the plan will do to one object, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanStep {
    pub op: StepOp,
    /// The container, service or object the step touches.
    pub subject: String,
    /// What changes: `image shop-api:v1 → shop-api:v2`, `replica 3 of 3`.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub request: Request,
    pub kind: WorkloadKind,
    /// One line for a confirmation prompt: `scale local/shop/api 1 → 3`.
    pub summary: String,
    pub steps: Vec<PlanStep>,
    /// True when the plan stops or removes something that is serving.
    pub destructive: bool,
}

impl Plan {
    /// Execute plans again from a fresh reading: if `now` differs from what
    /// was shown and confirmed, nothing may run.
    pub fn still_holds(&self, now: &Plan) -> Result<(), String> {
        if now.steps == self.steps {
            Ok(())
        } else {
            Err(format!(
                "{} changed since it was planned; nothing was done, plan again",
                self.request.workload
            ))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub ok: bool,
    pub message: String,
    /// True when a deploy failed its health gate and was undone.
    pub rolled_back: bool,
}

/// What an action running on behalf of the TUI reports back to the app loop.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionEvent {
    Planned(Result<Plan, String>),
    Progress(String),
    Done(Result<Outcome, String>),
}
