//! A load run as an action: the plan states what will be sent, `execute`
//! runs it. The live figures cannot go through the action's progress lines
//! (strings, for every verb), so the orchestrator owns a second channel,
//! [`Live`], that the CLI's progress line and the console's view read.

use super::report::outcome_line;
use super::runner;
use super::spec::LoadSpec;
use super::stats::LoadFigures;
use crate::action::{Orchestrator, Outcome, Plan, Request, Revision};
use crate::model::WorkloadAddr;
use futures::future::BoxFuture;
use tokio::sync::{mpsc, watch};

pub struct LoadOrchestrator {
    spec: LoadSpec,
    live: watch::Sender<Option<LoadFigures>>,
    abort: watch::Receiver<bool>,
}

/// The caller's side: the figures as they come, and a way to stop early.
pub struct Live {
    pub figures: watch::Receiver<Option<LoadFigures>>,
    pub abort: watch::Sender<bool>,
}

impl LoadOrchestrator {
    pub fn new(spec: LoadSpec) -> (Self, Live) {
        let (live, figures) = watch::channel(None);
        let (abort_tx, abort) = watch::channel(false);
        (
            LoadOrchestrator { spec, live, abort },
            Live {
                figures,
                abort: abort_tx,
            },
        )
    }

    pub fn spec(&self) -> &LoadSpec {
        &self.spec
    }
}

impl Orchestrator for LoadOrchestrator {
    fn plan<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Plan, String>> {
        Box::pin(async move {
            if request.workload != self.spec.address() {
                return Err(format!(
                    "{} is not the endpoint this load run was set up for",
                    request.workload
                ));
            }
            self.spec.validate()?;
            Ok(self.spec.plan())
        })
    }

    fn execute<'a>(
        &'a self,
        plan: &'a Plan,
        progress: mpsc::Sender<String>,
    ) -> BoxFuture<'a, Result<Outcome, String>> {
        Box::pin(async move {
            let _ = progress.send(format!("sending: {}", plan.summary)).await;
            let last = runner::run(&self.spec, &self.live, self.abort.clone()).await?;
            let stopped = *self.abort.borrow();
            let message = format!(
                "{}{}",
                outcome_line(&last),
                if stopped { " (stopped early)" } else { "" }
            );
            let _ = progress.send(message.clone()).await;
            Ok(Outcome {
                // It ran; it failed when nothing at all answered.
                ok: last.answers > 0,
                message,
                rolled_back: false,
            })
        })
    }

    fn history<'a>(
        &'a self,
        _workload: &'a WorkloadAddr,
    ) -> BoxFuture<'a, Result<Vec<Revision>, String>> {
        Box::pin(async { Ok(Vec::new()) })
    }
}
