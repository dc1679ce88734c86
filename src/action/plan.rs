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
    /// A load run against an endpoint (`load/_/HOST:PORT`); `url` is redacted
    /// and `profile` the rate schedule in words.
    Load {
        url: String,
        profile: String,
    },
}

impl Verb {
    pub fn name(&self) -> &'static str {
        match self {
            Verb::Scale { .. } => "scale",
            Verb::Restart => "restart",
            Verb::Rollback { .. } => "rollback",
            Verb::Deploy { .. } => "deploy",
            Verb::Load { .. } => "load",
        }
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
            Verb::Load { url, profile } => write!(f, "load {url} ({profile})"),
        }
    }
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
    /// Send requests at an endpoint.
    Load,
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
