//! A capacity run as one action: the stages run one after the other through
//! the same runner as `opsdeck load` (so a stage's throughput is the
//! single-URL figure at that level), each judged when it ends. Stages above
//! a failed one are not run unless asked, so a run that has found the limit
//! stops pushing past it.

use super::bottleneck;
use super::infra::{fold, Beside, InfraSample, StageInfra};
use super::spec::CapacitySpec;
use super::threshold::Extra;
use super::verdict::{verdict, StageRow, Verdict};
use crate::action::{Orchestrator, Outcome, Plan, Request, Revision};
use crate::load::runner;
use crate::load::stats::LoadFigures;
use crate::model::WorkloadAddr;
use crate::runbook::spec::Runbook;
use std::time::Duration;
use tokio::time::Instant;

/// How often the infrastructure beside a stage is read.
pub const SAMPLE_EVERY: Duration = Duration::from_secs(1);
use futures::future::BoxFuture;
use tokio::sync::{mpsc, watch};

/// Where the run is: the stages judged so far, the one running, and at the
/// end the verdict.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    pub rows: Vec<StageRow>,
    /// Index of the stage running now.
    pub current: Option<usize>,
    pub verdict: Option<Verdict>,
    /// The run was stopped before its stages were through (Ctrl-C, `x`).
    pub stopped: bool,
}

impl Progress {
    /// The verdict as the run ends it, saying when it was stopped early; None
    /// until the run is over.
    pub fn verdict_line(&self) -> Option<String> {
        let v = self.verdict.as_ref()?;
        Some(format!(
            "{}{}",
            v.line,
            if self.stopped { " (stopped early)" } else { "" }
        ))
    }
}

pub struct CapacityOrchestrator {
    spec: CapacitySpec,
    beside: Option<Box<dyn Beside>>,
    /// The judgement a failed stage's readings go through.
    runbook: Option<Runbook>,
    figures: watch::Sender<Option<LoadFigures>>,
    progress: watch::Sender<Progress>,
    abort: watch::Receiver<bool>,
}

/// The caller's side: the running stage's figures, the run's progress, and
/// a way to stop early.
pub struct Live {
    pub figures: watch::Receiver<Option<LoadFigures>>,
    pub progress: watch::Receiver<Progress>,
    pub abort: watch::Sender<bool>,
}

impl CapacityOrchestrator {
    pub fn new(spec: CapacitySpec) -> (Self, Live) {
        let (figures_tx, figures) = watch::channel(None);
        let (progress_tx, progress) = watch::channel(Progress::default());
        let (abort_tx, abort) = watch::channel(false);
        (
            CapacityOrchestrator {
                spec,
                beside: None,
                runbook: None,
                figures: figures_tx,
                progress: progress_tx,
                abort,
            },
            Live {
                figures,
                progress,
                abort: abort_tx,
            },
        )
    }

    pub fn spec(&self) -> &CapacitySpec {
        &self.spec
    }

    /// Reads `beside` every [`SAMPLE_EVERY`] while a stage runs, and names a
    /// failed stage's bottleneck with `runbook`'s judgement.
    pub fn watching(mut self, beside: Box<dyn Beside>, runbook: Option<Runbook>) -> Self {
        self.beside = Some(beside);
        self.runbook = runbook;
        self
    }

    /// One stage through the runner, with readings beside it when watched.
    async fn stage(&self, i: usize) -> Result<(LoadFigures, Option<StageInfra>), String> {
        let spec = self.spec.stage_spec(i);
        let stage = self.spec.stages[i];
        let load = async {
            match (&self.spec.scenario, stage.level) {
                (Some(sc), super::stages::Level::Users(n)) => {
                    runner::run_scenario(
                        &spec,
                        sc.clone(),
                        n,
                        stage.hold,
                        &self.figures,
                        self.abort.clone(),
                    )
                    .await
                }
                _ => runner::run(&spec, &self.figures, self.abort.clone()).await,
            }
        };
        let Some(beside) = &self.beside else {
            return Ok((load.await?, None));
        };
        tokio::pin!(load);
        let mut samples: Vec<InfraSample> = Vec::new();
        // No reading at the very start: the stats it would see belong to
        // the stage before (a spike's peak would land in its recovery).
        let mut tick = tokio::time::interval_at(Instant::now() + SAMPLE_EVERY, SAMPLE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let figures = loop {
            tokio::select! {
                done = &mut load => break done?,
                _ = tick.tick() => {
                    // A slow reading must not hold the stage open past its end.
                    tokio::select! {
                        s = beside.sample() => samples.push(s),
                        done = &mut load => break done?,
                    }
                }
            }
        };
        Ok((figures, Some(fold(&samples))))
    }

    async fn run_stages(&self) -> Result<Vec<StageRow>, String> {
        let mut rows: Vec<StageRow> = Vec::with_capacity(self.spec.stages.len());
        let mut failed = false;
        for (i, stage) in self.spec.stages.iter().enumerate() {
            if *self.abort.borrow() {
                rows.push(StageRow::not_run(*stage, "stopped early"));
                continue;
            }
            if failed && !self.spec.keep_going {
                rows.push(StageRow::not_run(*stage, "an earlier stage failed"));
                continue;
            }
            self.progress.send_modify(|p| {
                p.current = Some(i);
            });
            let (mut figures, infra) = self.stage(i).await?;
            // A stage's rate is over its whole hold: a schedule's last request
            // can finish well before the stage ends.
            if *self.abort.borrow() {
                // Part of a stage is not the stage: its figures are kept, not judged.
                rows.push(StageRow {
                    figures: Some(figures),
                    infra,
                    ..StageRow::not_run(*stage, "stopped during the stage")
                });
                continue;
            }
            let secs = figures.elapsed_s.max(stage.hold.as_secs_f64());
            figures.rps = figures.requests as f64 / secs;
            let figures_checks = figures.check_failures;
            let mut row = StageRow::judge(
                *stage,
                figures,
                Extra {
                    check_failures: figures_checks,
                },
                &self.spec.thresholds,
            );
            if let (Some(infra), Some(rb), false) = (&infra, &self.runbook, row.passed()) {
                row.bottleneck = bottleneck::judge(rb, &row, infra);
            }
            row.infra = infra;
            failed |= !row.passed();
            rows.push(row.clone());
            self.progress.send_modify(|p| p.rows.push(row));
        }
        Ok(rows)
    }
}

impl Orchestrator for CapacityOrchestrator {
    fn plan<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Plan, String>> {
        Box::pin(async move {
            if request.workload != self.spec.base.address() {
                return Err(format!(
                    "{} is not the endpoint this capacity run was set up for",
                    request.workload
                ));
            }
            let mut plan = self.spec.plan();
            if let Some(b) = &self.beside {
                plan.steps.push(crate::action::PlanStep {
                    op: crate::action::StepOp::Load,
                    subject: "beside each stage".into(),
                    detail: format!(
                        "read every {}: {}",
                        crate::base::duration::HumanDuration(SAMPLE_EVERY),
                        b.describe()
                    ),
                });
            }
            Ok(plan)
        })
    }

    fn execute<'a>(
        &'a self,
        plan: &'a Plan,
        progress: mpsc::Sender<String>,
    ) -> BoxFuture<'a, Result<Outcome, String>> {
        Box::pin(async move {
            let _ = progress.send(format!("sending: {}", plan.summary)).await;
            let rows = self.run_stages().await?;
            let v = verdict(&rows, self.spec.target);
            let stopped = *self.abort.borrow();
            let ok = v.target_passed;
            self.progress.send_modify(|p| {
                p.rows = rows;
                p.current = None;
                p.verdict = Some(v);
                p.stopped = stopped;
            });
            let message = self.progress.borrow().verdict_line().unwrap_or_default();
            let _ = progress.send(message.clone()).await;
            Ok(Outcome {
                ok,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::{Request, Verb};
    use crate::load::capacity::stages::parse_stages;
    use crate::load::capacity::verdict::Outcome;
    use crate::load::{Endpoint, LoadSpec, Profile, Stop};

    /// A loopback port nothing listens on: every request is a connect error.
    fn refused() -> CapacitySpec {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/");
        let base = LoadSpec {
            endpoint: Endpoint::parse(&url).unwrap(),
            url,
            method: hyper::Method::GET,
            headers: vec![],
            body: vec![],
            connections: 2,
            stop: Stop::After(Duration::from_secs(1)),
            profile: Profile::Max,
            http2: false,
            timeout: Duration::from_secs(1),
        };
        let stages = parse_stages("5/s:1s,10/s:1s").unwrap();
        CapacitySpec::new(base, stages, &[], None, false).unwrap()
    }

    async fn run(spec: CapacitySpec) -> (crate::action::Outcome, Progress) {
        let request = spec.request();
        let (orch, live) = CapacityOrchestrator::new(spec);
        let plan = orch.plan(&request).await.unwrap();
        let (tx, _rx) = mpsc::channel(16);
        let out = orch.execute(&plan, tx).await.unwrap();
        let done = live.progress.borrow().clone();
        (out, done)
    }

    #[tokio::test]
    async fn a_silent_server_fails_the_first_stage_and_the_rest_are_not_run() {
        let (out, done) = run(refused()).await;
        assert!(!out.ok);
        assert_eq!(done.rows[0].outcome, Outcome::NothingAnswered);
        assert_eq!(
            done.rows[1].outcome,
            Outcome::NotRun {
                why: "an earlier stage failed".into()
            }
        );
        let v = done.verdict.unwrap();
        assert!(!v.target_passed);
        assert!(
            v.line
                .starts_with("holds no stage; fails at 5/s: nothing answered (connect "),
            "{}",
            v.line
        );
        assert_eq!(out.message, v.line);
    }

    #[tokio::test]
    async fn stopping_ends_the_stage_running_judges_nothing_of_it_and_runs_no_other() {
        let stages = parse_stages("5/s:30s,10/s:30s").unwrap();
        let spec = CapacitySpec::new(refused().base, stages, &[], None, false).unwrap();
        let request = spec.request();
        let (orch, live) = CapacityOrchestrator::new(spec);
        let Live {
            mut progress,
            abort,
            ..
        } = live;
        let plan = orch.plan(&request).await.unwrap();
        let (tx, _rx) = mpsc::channel(16);
        let stop = async {
            progress.wait_for(|p| p.current == Some(0)).await.unwrap();
            abort.send(true).unwrap();
        };
        let (out, ()) = tokio::join!(orch.execute(&plan, tx), stop);
        let out = out.unwrap();
        let done = progress.borrow().clone();
        assert!(!out.ok);
        assert!(done.stopped);
        assert_eq!(
            done.rows[0].outcome,
            Outcome::NotRun {
                why: "stopped during the stage".into()
            }
        );
        assert!(done.rows[0].figures.is_some(), "what was sent is kept");
        assert_eq!(
            done.rows[1].outcome,
            Outcome::NotRun {
                why: "stopped early".into()
            }
        );
        assert!(
            out.message
                .starts_with("holds no stage; stopped at 5/s: not run: stopped during the stage;"),
            "{}",
            out.message
        );
        assert!(out.message.ends_with(" (stopped early)"), "{}", out.message);
        assert_eq!(done.verdict_line().as_deref(), Some(out.message.as_str()));
    }

    #[tokio::test]
    async fn keep_going_runs_every_stage_and_a_foreign_request_gets_no_plan() {
        let mut spec = refused();
        spec.keep_going = true;
        let (_, done) = run(spec.clone()).await;
        assert!(done
            .rows
            .iter()
            .all(|r| r.outcome == Outcome::NothingAnswered));
        let (orch, _live) = CapacityOrchestrator::new(spec);
        let other = Request {
            workload: "load/_/example.org:80".parse().unwrap(),
            verb: Verb::Load {
                url: "http://example.org/".into(),
                profile: "x".into(),
            },
        };
        assert!(orch.plan(&other).await.is_err());
    }
}
