//! Cancel and terminate on a PostgreSQL backend, addressed `TARGET/backend/PID`.
//! The plan reads the backend and says exactly whose query stops; execute
//! reads it again (a different query by now is not what was confirmed), calls
//! the function and reads back until the query or the session is gone.

use super::{Orchestrator, Outcome, Plan, PlanStep, Request, Revision, StepOp, Verb};
use crate::connect::postgres::{connect, describe, Dsn};
use crate::model::database::shorten_query;
use crate::model::{WorkloadAddr, WorkloadKind};
use futures::future::BoxFuture;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_postgres::Client;

/// The group of a backend's address: `main-db/backend/12345`.
pub const BACKEND: &str = "backend";
/// How long execute reads back for the change before calling it failed.
const VERIFY_FOR: Duration = Duration::from_secs(10);
const VERIFY_EVERY: Duration = Duration::from_millis(200);
/// Query text in a plan: enough to recognise it on a confirmation line.
const PLAN_QUERY_CHARS: usize = 100;

const BACKEND_ROW: &str = "select coalesce(usename::text, ''), coalesce(application_name, ''), \
    coalesce(state, ''), \
    coalesce(to_char(query_start at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS'), ''), \
    coalesce(query, ''), pid = pg_backend_pid() \
    from pg_stat_activity where pid = $1";

pub struct PostgresOrchestrator {
    target: String,
    dsn: Dsn,
}

/// What the plan saw of the backend; execute compares a fresh one with it.
#[derive(Debug, Clone, PartialEq)]
struct Backend {
    user: String,
    application: String,
    state: String,
    /// UTC, to the second: a different query has a different start.
    query_start: String,
    query: String,
    is_self: bool,
}

/// The backend a request addresses, as a PID.
pub fn backend_pid(addr: &WorkloadAddr) -> Result<i32, String> {
    if addr.group != BACKEND {
        return Err(format!(
            "{addr} is not a PostgreSQL backend: expected TARGET/backend/PID"
        ));
    }
    match addr.name.parse::<i32>() {
        Ok(pid) if pid > 0 => Ok(pid),
        _ => Err(format!("{:?} is not a backend PID", addr.name)),
    }
}

impl PostgresOrchestrator {
    pub fn new(target: &str, dsn: Dsn) -> Self {
        PostgresOrchestrator {
            target: target.to_string(),
            dsn,
        }
    }

    async fn client(&self) -> Result<Client, String> {
        connect(&self.dsn)
            .await
            .map_err(|e| format!("{}: {e}", self.target))
    }

    async fn backend(&self, client: &Client, pid: i32) -> Result<Option<Backend>, String> {
        let row = client
            .query_opt(BACKEND_ROW, &[&pid])
            .await
            .map_err(|e| self.dsn.scrub(&describe(&e)))?;
        Ok(row.map(|r| Backend {
            user: r.get(0),
            application: r.get(1),
            state: r.get(2),
            query_start: r.get(3),
            query: r.get(4),
            is_self: r.get(5),
        }))
    }

    async fn plan_on(&self, client: &Client, req: &Request) -> Result<Plan, String> {
        let addr = &req.workload;
        if addr.target != self.target {
            return Err(format!(
                "{addr} is not on PostgreSQL target `{}`",
                self.target
            ));
        }
        let pid = backend_pid(addr)?;
        let (op, what) = match req.verb {
            Verb::Cancel => (StepOp::Cancel, "pg_cancel_backend"),
            Verb::Terminate => (StepOp::Terminate, "pg_terminate_backend"),
            ref other => {
                return Err(format!(
                    "{} does not apply to a PostgreSQL backend; cancel or terminate do",
                    other.name()
                ))
            }
        };
        let b = self
            .backend(client, pid)
            .await?
            .ok_or_else(|| format!("no backend with PID {pid} on {}", self.target))?;
        if b.is_self {
            return Err(format!("PID {pid} is opsdeck's own session"));
        }
        let query = shorten_query(&b.query, PLAN_QUERY_CHARS);
        let since = if b.query_start.is_empty() {
            String::new()
        } else {
            format!(", query started {} UTC", b.query_start)
        };
        let who = format!(
            "user {}, application {:?}, {}{since}",
            b.user,
            b.application,
            if b.state.is_empty() {
                "state hidden"
            } else {
                &b.state
            }
        );
        let (summary, verify) = match req.verb {
            Verb::Cancel if b.state != "active" => {
                return Err(format!(
                    "backend {pid} on {} runs no query now ({}); terminate ends the session",
                    self.target,
                    if b.state.is_empty() { "state hidden" } else { &b.state }
                ))
            }
            Verb::Cancel => (
                format!(
                    "cancel the query of backend {pid} on {} ({who}); the session stays connected",
                    self.target
                ),
                "the backend is no longer running that query".to_string(),
            ),
            _ => (
                format!(
                    "terminate backend {pid} on {} ({who}); its open transaction rolls back and the client is disconnected",
                    self.target
                ),
                "the backend is gone".to_string(),
            ),
        };
        Ok(Plan {
            request: req.clone(),
            kind: WorkloadKind::Backend,
            summary,
            steps: vec![
                PlanStep {
                    op,
                    subject: addr.to_string(),
                    detail: format!("{what}({pid}): {query}"),
                },
                PlanStep {
                    op: StepOp::Verify,
                    subject: addr.to_string(),
                    detail: verify,
                },
            ],
            destructive: true,
        })
    }

    /// Reads the backend until `done` says the change shows, or gives up.
    async fn verify(
        &self,
        client: &Client,
        pid: i32,
        before: &Backend,
        terminate: bool,
    ) -> Result<bool, String> {
        let deadline = tokio::time::Instant::now() + VERIFY_FOR;
        loop {
            let now = self.backend(client, pid).await?;
            let done = match &now {
                None => true,
                Some(_) if terminate => false,
                Some(b) => b.state != "active" || b.query_start != before.query_start,
            };
            if done {
                return Ok(true);
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(false);
            }
            tokio::time::sleep(VERIFY_EVERY).await;
        }
    }
}

impl Orchestrator for PostgresOrchestrator {
    fn plan<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Plan, String>> {
        Box::pin(async move {
            let client = self.client().await?;
            self.plan_on(&client, request).await
        })
    }

    fn execute<'a>(
        &'a self,
        plan: &'a Plan,
        progress: mpsc::Sender<String>,
    ) -> BoxFuture<'a, Result<Outcome, String>> {
        Box::pin(async move {
            let client = self.client().await?;
            // Another query by now (or another backend with the PID) is not what was confirmed.
            plan.still_holds(&self.plan_on(&client, &plan.request).await?)?;
            let pid = backend_pid(&plan.request.workload)?;
            let before = self
                .backend(&client, pid)
                .await?
                .ok_or_else(|| format!("backend {pid} ended before it was signalled"))?;
            let terminate = plan.request.verb == Verb::Terminate;
            let call = if terminate {
                "select pg_terminate_backend($1)"
            } else {
                "select pg_cancel_backend($1)"
            };
            let _ = progress.send(format!("{call} with {pid}")).await;
            let signalled: bool = client
                .query_one(call, &[&pid])
                .await
                .map_err(|e| self.dsn.scrub(&describe(&e)))?
                .get(0);
            if !signalled {
                return Ok(Outcome {
                    ok: false,
                    message: format!("PostgreSQL did not signal backend {pid} (it had ended?)"),
                    rolled_back: false,
                });
            }
            let _ = progress
                .send(format!("signalled; reading back backend {pid}"))
                .await;
            let ok = self.verify(&client, pid, &before, terminate).await?;
            let message = match (ok, terminate) {
                (true, true) => format!("backend {pid} on {} is gone", self.target),
                (true, false) => format!(
                    "the query of backend {pid} on {} stopped; the session is still connected",
                    self.target
                ),
                (false, true) => format!(
                    "backend {pid} was signalled but is still there after {}s",
                    VERIFY_FOR.as_secs()
                ),
                (false, false) => format!(
                    "backend {pid} was signalled but still runs the query after {}s; terminate it",
                    VERIFY_FOR.as_secs()
                ),
            };
            Ok(Outcome {
                ok,
                message,
                rolled_back: false,
            })
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_are_addressed_by_pid() {
        let addr: WorkloadAddr = "main-db/backend/4242".parse().unwrap();
        assert_eq!(backend_pid(&addr), Ok(4242));
        let e = backend_pid(&"main-db/shop/api".parse().unwrap()).unwrap_err();
        assert!(e.contains("TARGET/backend/PID"), "{e}");
        let e = backend_pid(&"main-db/backend/abc".parse().unwrap()).unwrap_err();
        assert!(e.contains("not a backend PID"), "{e}");
    }
}
