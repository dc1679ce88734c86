//! Carrying out what the runbook engine asks for, for real: checks read
//! probes, Prometheus, the collectors and the Docker inventory; actions go
//! through the one action path. `runbook` itself stays pure; this is its I/O.

mod actions;
mod collect;
pub mod console;
mod deploys;
pub mod live;
pub mod observed;
mod probe;
mod promql;
pub mod runner;
pub mod runs;
pub mod setup;
mod sql;

use crate::action::ActionEvent;
use crate::config::Config;
use crate::console::reads::LiveRead;
use crate::runbook::engine::StepPlan;
use crate::runbook::judge::{judge, Facts, Verdict};
use crate::runbook::spec::{Action, Check};
use tokio::sync::mpsc;

/// Everything a check or an action needs from the outside: the config
/// (targets, Prometheus servers, collectors) and whether changes are allowed.
#[derive(Clone)]
pub struct Executor {
    config: Config,
    read_only: bool,
    /// A console run reads metrics and workloads from the live Model.
    live: Option<live::LiveReads>,
}

impl Executor {
    pub fn new(config: Config, read_only: bool) -> Self {
        Executor {
            config,
            read_only,
            live: None,
        }
    }

    pub fn with_live(mut self, live: live::LiveReads) -> Self {
        self.live = Some(live);
        self
    }

    /// One read of `check`, judged.
    pub async fn check(&self, check: &Check) -> Verdict {
        judge(check, &self.facts(check).await)
    }

    async fn facts(&self, check: &Check) -> Facts {
        match check {
            Check::Probe(p) => probe::facts(p).await,
            Check::Promql(p) => promql::facts(&self.config, p).await,
            Check::Metric(m) => match &self.live {
                Some(live) => live.read(LiveRead::Metric(m.series.clone())).await,
                None => collect::metric(&self.config, &m.series).await,
            },
            Check::Workload(w) => match &self.live {
                Some(live) => live.read(LiveRead::Workload(w.workload.clone())).await,
                None => collect::workload(&self.config, &w.workload).await,
            },
            Check::RecentDeploy(r) => deploys::last(&self.config, &r.workload).await,
            Check::Sql(s) => sql::facts(&self.config, s).await,
        }
    }

    /// What `action` would change, through the action path's dry run.
    pub async fn plan(&self, action: &Action) -> Result<StepPlan, String> {
        actions::plan(&self.config, action).await
    }

    /// Applies `action` through the action path (audited; refused when
    /// read-only). The person already confirmed `approved`, the plan text;
    /// if the fresh plan differs, nothing is done. Returns whether it
    /// succeeded and what it said.
    pub async fn apply(
        &self,
        action: &Action,
        approved: Option<String>,
        progress: &mpsc::Sender<ActionEvent>,
    ) -> (bool, String) {
        actions::apply(&self.config, self.read_only, action, approved, progress).await
    }
}
