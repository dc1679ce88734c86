//! Cancel and terminate on PostgreSQL backends, addressed `TARGET/backend/PID`
//! (several: `TARGET/backend/PID,PID`). Everything goes through the target's
//! one session, between the collector's polls, so it works on a server with
//! no connection slot left. The plan reads the backends and the blocking
//! graph and says exactly whose query stops and how many waiting sessions
//! that releases; execute reads them again (a different query by now is not
//! what was confirmed), calls the function and reads back until the query or
//! the session is gone.

mod backends;
mod dump;
mod words;

pub use backends::{backend_pids, backends_addr, BACKEND};
pub use dump::{dump_addr, dump_place, DumpPlace};

use super::{Orchestrator, Outcome, Plan, PlanStep, Request, Revision, StepOp, Verb};
use crate::connect::postgres::{session, Dsn, Session};
use crate::model::{WorkloadAddr, WorkloadKind};
use backends::{said, Backend};
use futures::future::BoxFuture;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long execute reads back for the change before calling it failed.
const VERIFY_FOR: Duration = Duration::from_secs(10);
const VERIFY_EVERY: Duration = Duration::from_millis(200);

pub struct PostgresOrchestrator {
    target: String,
    session: Session,
    /// Where a dump of this target goes (`dump_place`), when a backup says.
    dumps: Option<DumpPlace>,
}

impl PostgresOrchestrator {
    pub fn new(target: &str, dsn: Dsn) -> Self {
        PostgresOrchestrator {
            target: target.to_string(),
            session: session(target, &dsn),
            dumps: None,
        }
    }

    pub fn with_dumps(mut self, place: Option<DumpPlace>) -> Self {
        self.dumps = place;
        self
    }

    fn fail(&self, e: &tokio_postgres::Error) -> String {
        said(self.session.dsn(), e)
    }

    async fn plan_on(
        &self,
        client: &tokio_postgres::Client,
        req: &Request,
    ) -> Result<Plan, String> {
        let addr = &req.workload;
        if addr.target != self.target {
            return Err(format!(
                "{addr} is not on PostgreSQL target `{}`",
                self.target
            ));
        }
        if req.verb == Verb::Dump {
            return dump::plan(
                &self.target,
                client,
                &self.session,
                self.dumps.as_ref(),
                req,
            )
            .await;
        }
        let pids = backend_pids(addr)?;
        let (op, function) = match req.verb {
            Verb::Cancel => (StepOp::Cancel, "pg_cancel_backend"),
            Verb::Terminate => (StepOp::Terminate, "pg_terminate_backend"),
            ref other => {
                return Err(format!(
                    "{} does not apply to a PostgreSQL backend; cancel or terminate do",
                    other.name()
                ))
            }
        };
        let found = backends::read(client, &pids)
            .await
            .map_err(|e| self.fail(&e))?;
        for pid in &pids {
            let Some(b) = found.iter().find(|b| b.pid == *pid) else {
                return Err(format!("no backend with PID {pid} on {}", self.target));
            };
            if b.is_self {
                return Err(format!("PID {pid} is opsdeck's own session"));
            }
            if req.verb == Verb::Cancel && b.state != "active" {
                return Err(format!(
                    "backend {pid} on {} runs no query now ({}); terminate ends the session",
                    self.target,
                    words::state(b)
                ));
            }
        }
        let chains = backends::chains(client).await.map_err(|e| self.fail(&e))?;
        let summary = words::summary(&self.target, &req.verb, &found, &chains);
        let mut steps: Vec<PlanStep> = found
            .iter()
            .map(|b| PlanStep {
                op,
                subject: backends_addr(&self.target, &[b.pid]).to_string(),
                detail: format!("{function}({}): {}", b.pid, words::query(b)),
            })
            .collect();
        steps.push(PlanStep {
            op: StepOp::Verify,
            subject: addr.to_string(),
            detail: match (req.verb == Verb::Terminate, found.len()) {
                (true, 1) => "the backend is gone".into(),
                (true, _) => "the backends are gone".into(),
                (false, 1) => "the backend is no longer running that query".into(),
                (false, _) => "the backends are no longer running those queries".into(),
            },
        });
        Ok(Plan {
            request: req.clone(),
            kind: WorkloadKind::Backend,
            summary,
            steps,
            destructive: true,
        })
    }

    /// Reads the backends until the change shows on every one, or gives up.
    /// The session is taken for each reading only, so polls go on between.
    async fn verify(&self, before: &[Backend], terminate: bool) -> Result<Vec<i32>, String> {
        let pids: Vec<i32> = before.iter().map(|b| b.pid).collect();
        let deadline = tokio::time::Instant::now() + VERIFY_FOR;
        loop {
            let now = {
                let held = self.session.lock().await?;
                backends::read(&held, &pids)
                    .await
                    .map_err(|e| self.fail(&e))?
            };
            let left: Vec<i32> = before
                .iter()
                .filter(|b| match now.iter().find(|n| n.pid == b.pid) {
                    None => false,
                    Some(_) if terminate => true,
                    Some(n) => n.state == "active" && n.query_start == b.query_start,
                })
                .map(|b| b.pid)
                .collect();
            if left.is_empty() || tokio::time::Instant::now() >= deadline {
                return Ok(left);
            }
            tokio::time::sleep(VERIFY_EVERY).await;
        }
    }

    async fn run(&self, plan: &Plan, progress: mpsc::Sender<String>) -> Result<Outcome, String> {
        if plan.request.verb == Verb::Dump {
            return dump::run(
                &self.target,
                &self.session,
                self.dumps.as_ref(),
                plan,
                progress,
            )
            .await;
        }
        let terminate = plan.request.verb == Verb::Terminate;
        let call = if terminate {
            "select pg_terminate_backend($1)"
        } else {
            "select pg_cancel_backend($1)"
        };
        let (before, released, signalled, refused) = {
            let held = self.session.lock().await?;
            // Another query by now (or another backend with the PID) is not what was confirmed.
            plan.still_holds(&self.plan_on(&held, &plan.request).await?)?;
            let pids = backend_pids(&plan.request.workload)?;
            let before = backends::read(&held, &pids)
                .await
                .map_err(|e| self.fail(&e))?;
            let released = backends::chains(&held)
                .await
                .map_err(|e| self.fail(&e))?
                .released_by(&pids);
            let mut signalled = Vec::new();
            let mut refused = Vec::new();
            for b in &before {
                let _ = progress.send(format!("{call} with {}", b.pid)).await;
                match held.query_one(call, &[&b.pid]).await {
                    Ok(row) if row.get::<_, bool>(0) => signalled.push(b.clone()),
                    Ok(_) => refused.push(format!("{}: not signalled (it had ended?)", b.pid)),
                    Err(e) => refused.push(format!("{}: {}", b.pid, self.fail(&e))),
                }
            }
            (before, released, signalled, refused)
        };
        if before.is_empty() {
            return Err("the backends ended before they were signalled".into());
        }
        if signalled.is_empty() {
            return match refused.as_slice() {
                [one] if before.len() == 1 => {
                    let text = one.split_once(": ").map_or(one.as_str(), |(_, t)| t);
                    if text.starts_with("not signalled") {
                        Ok(Outcome {
                            ok: false,
                            message: format!(
                                "PostgreSQL did not signal backend {} (it had ended?)",
                                before[0].pid
                            ),
                            rolled_back: false,
                        })
                    } else {
                        Err(text.to_string())
                    }
                }
                _ => Err(format!("no backend was signalled: {}", refused.join("; "))),
            };
        }
        let _ = progress
            .send(format!(
                "signalled; reading back {}",
                words::pids(&signalled.iter().map(|b| b.pid).collect::<Vec<_>>())
            ))
            .await;
        let left = self.verify(&signalled, terminate).await?;
        let still_waiting = if left.is_empty() && !released.is_empty() {
            let held = self.session.lock().await?;
            let now = backends::chains(&held).await.map_err(|e| self.fail(&e))?;
            released
                .iter()
                .copied()
                .filter(|p| now.waits.contains_key(p))
                .collect()
        } else {
            Vec::new()
        };
        Ok(words::outcome(
            &self.target,
            terminate,
            &signalled,
            &left,
            &refused,
            &released,
            &still_waiting,
            VERIFY_FOR,
        ))
    }
}

impl Orchestrator for PostgresOrchestrator {
    fn plan<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Plan, String>> {
        Box::pin(async move {
            let held = self.session.lock().await?;
            self.plan_on(&held, request).await
        })
    }

    fn execute<'a>(
        &'a self,
        plan: &'a Plan,
        progress: mpsc::Sender<String>,
    ) -> BoxFuture<'a, Result<Outcome, String>> {
        Box::pin(self.run(plan, progress))
    }

    fn history<'a>(
        &'a self,
        workload: &'a WorkloadAddr,
    ) -> BoxFuture<'a, Result<Vec<Revision>, String>> {
        Box::pin(async move {
            Err(format!(
                "{workload} is a PostgreSQL backend: it has no image history"
            ))
        })
    }
}
