//! What every orchestrator (Docker today, Kubernetes later) offers the one
//! action path. Boxed futures keep the trait object-safe, so the CLI, the TUI
//! and runbooks hold an `Arc<dyn Orchestrator>` without knowing which it is.

use super::{Outcome, Plan, Request};
use crate::model::WorkloadAddr;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

/// What a revision's `at` and `image` mean: who kept the record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevisionSource {
    /// opsdeck's own log: `image` was replaced at `at` by `verb`.
    #[default]
    Replaced,
    /// The platform's record (a ReplicaSet, a ControllerRevision, a
    /// container): `image` has run since `at`, whoever rolled it out.
    Platform,
}

/// One revision of a workload: an image opsdeck replaced, so it can be
/// restored, or one the platform keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub workload: String,
    /// 1 for the first image recorded for this workload, then counting up.
    pub revision: u32,
    pub image: String,
    /// The content id (`sha256:...`) the image name pointed at when replaced.
    pub image_id: String,
    /// RFC 3339, UTC.
    pub at: String,
    /// The verb that replaced it: deploy or rollback.
    pub verb: String,
    /// Kubernetes: the revision's `kubernetes.io/change-cause`, as kubectl shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_cause: Option<String>,
    #[serde(default)]
    pub source: RevisionSource,
    /// Who or what made the change where the platform says
    /// (`app.kubernetes.io/managed-by`, a Compose project).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_by: Option<String>,
}

pub trait Orchestrator: Send + Sync {
    /// Reads the workload and says exactly what `request` would change; changes nothing.
    fn plan<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Plan, String>>;

    /// Carries out a plan made by `plan`, reporting each step on `progress`.
    /// `Ok` with `ok = false` means it ran and did not succeed (e.g. rolled back).
    fn execute<'a>(
        &'a self,
        plan: &'a Plan,
        progress: mpsc::Sender<String>,
    ) -> BoxFuture<'a, Result<Outcome, String>>;

    /// `--dry-run`: asks the target itself whether it would accept `plan`
    /// without persisting anything (Kubernetes' `dryRun=All`), and returns its
    /// verdict in words. `Ok(None)`: this orchestrator has no such check, so a
    /// dry run is the plan alone. `Err`: the target refused the change.
    fn dry_run<'a>(&'a self, _plan: &'a Plan) -> BoxFuture<'a, Result<Option<String>, String>> {
        Box::pin(async { Ok(None) })
    }

    /// The images opsdeck replaced on `workload`, oldest first.
    fn history<'a>(
        &'a self,
        workload: &'a WorkloadAddr,
    ) -> BoxFuture<'a, Result<Vec<Revision>, String>>;

    /// Every change of `workload` known, by whoever made it, oldest first:
    /// the platform's record where it keeps one beside opsdeck's own. By
    /// default the history, where that is the platform's (Kubernetes).
    fn deploys<'a>(
        &'a self,
        workload: &'a WorkloadAddr,
    ) -> BoxFuture<'a, Result<Vec<Revision>, String>> {
        self.history(workload)
    }
}
