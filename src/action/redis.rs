//! A Redis target's `maxmemory` through the one action path
//! (`CACHE/config/maxmemory`, `Verb::Maxmemory`): the plan reads the
//! current limit and memory used and refuses anything but a raise within
//! the target's `max_maxmemory`; execution runs `CONFIG SET maxmemory` and
//! reads it back. The server's config file is left alone (no `CONFIG
//! REWRITE`), which the plan says: a restart goes back to it.

use super::{Orchestrator, Outcome, Plan, PlanStep, Request, Revision, StepOp, Verb};
use crate::base::units::bytes;
use crate::connect::redis::{describe, RedisUrl};
use crate::model::{WorkloadAddr, WorkloadKind};
use futures::future::BoxFuture;
use tokio::sync::mpsc;

/// The address group and name of a cache's settings: `CACHE/config/maxmemory`.
pub const CONFIG_GROUP: &str = "config";
pub const MAXMEMORY: &str = "maxmemory";

pub fn maxmemory_addr(cache: &str) -> WorkloadAddr {
    WorkloadAddr::new(cache, CONFIG_GROUP, MAXMEMORY)
}

pub struct RedisOrchestrator {
    name: String,
    url: RedisUrl,
    /// `max_maxmemory` of the target, in bytes.
    bound: Option<u64>,
}

impl RedisOrchestrator {
    /// The `[[redis]]` of that name, if the config has one.
    pub fn from_config(config: &crate::config::Config, name: &str) -> Option<Result<Self, String>> {
        let r = config.redis.iter().find(|r| r.name.get_ref() == name)?;
        let made = (|| {
            let bound = r
                .max_maxmemory
                .as_ref()
                .map(|m| crate::base::units::parse_bytes(m.get_ref()))
                .transpose()?;
            Ok(RedisOrchestrator {
                name: name.to_string(),
                url: RedisUrl::of(r)?,
                bound,
            })
        })();
        Some(made)
    }

    /// maxmemory and used_memory now.
    async fn read(&self) -> Result<(u64, u64), String> {
        let mut conn = self.url.connect().await?;
        let fail = |what: &str, e: redis::RedisError| {
            self.url.scrub(&format!(
                "{}: {what}: {}",
                self.url.describe(),
                describe(&e)
            ))
        };
        let max: Vec<String> = redis::cmd("CONFIG")
            .arg("GET")
            .arg("maxmemory")
            .query_async(&mut conn)
            .await
            .map_err(|e| fail("CONFIG GET maxmemory", e))?;
        let max = max.get(1).and_then(|v| v.parse().ok()).ok_or_else(|| {
            format!(
                "{}: CONFIG GET maxmemory gave no number",
                self.url.describe()
            )
        })?;
        let info: String = redis::cmd("INFO")
            .arg("memory")
            .query_async(&mut conn)
            .await
            .map_err(|e| fail("INFO memory", e))?;
        let used = info
            .lines()
            .find_map(|l| l.trim_end().strip_prefix("used_memory:"))
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{}: INFO memory has no used_memory", self.url.describe()))?;
        Ok((max, used))
    }

    async fn plan_maxmemory(&self, request: &Request, want: u64) -> Result<Plan, String> {
        if request.workload != maxmemory_addr(&self.name) {
            return Err(format!(
                "maxmemory is addressed {}, not {}",
                maxmemory_addr(&self.name),
                request.workload
            ));
        }
        let Some(bound) = self.bound else {
            return Err(format!(
                "{}: no max_maxmemory in its [[redis]] table, so opsdeck raises nothing: \
                 it cannot know how much memory the host can spare. Set max_maxmemory = \"4gb\" (say) there",
                self.name
            ));
        };
        if want > bound {
            return Err(format!(
                "{} is above {}'s max_maxmemory of {}; nothing planned",
                bytes(want as f64),
                self.name,
                bytes(bound as f64)
            ));
        }
        let (now, used) = self.read().await?;
        if now == 0 {
            return Err(format!(
                "{} has no maxmemory (it may use all the host's memory); setting one would be a limit, not a raise: do it by hand",
                self.name
            ));
        }
        if want <= now {
            return Err(format!(
                "{} is not above the current maxmemory of {} ({} used): only raises are planned (a lower limit evicts at once)",
                bytes(want as f64),
                bytes(now as f64),
                bytes(used as f64)
            ));
        }
        Ok(Plan {
            summary: format!(
                "raise maxmemory of {} from {} to {} (bound {}, {} used)",
                self.name,
                bytes(now as f64),
                bytes(want as f64),
                bytes(bound as f64),
                bytes(used as f64)
            ),
            request: request.clone(),
            kind: WorkloadKind::CacheConfig,
            steps: vec![
                PlanStep {
                    op: StepOp::Update,
                    subject: request.workload.to_string(),
                    detail: format!(
                        "CONFIG SET maxmemory {want} on {} ({} → {}); its config file keeps its own value, so a restart goes back to it",
                        self.url.describe(),
                        bytes(now as f64),
                        bytes(want as f64)
                    ),
                },
                PlanStep {
                    op: StepOp::Verify,
                    subject: request.workload.to_string(),
                    detail: "CONFIG GET maxmemory reads the new value".into(),
                },
            ],
            destructive: false,
        })
    }
}

impl Orchestrator for RedisOrchestrator {
    fn plan<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Plan, String>> {
        Box::pin(async move {
            match &request.verb {
                Verb::Maxmemory { bytes } => self.plan_maxmemory(request, *bytes).await,
                other => Err(format!(
                    "{} is a Redis target's setting; {} does not apply to it",
                    request.workload,
                    other.name()
                )),
            }
        })
    }

    fn execute<'a>(
        &'a self,
        plan: &'a Plan,
        progress: mpsc::Sender<String>,
    ) -> BoxFuture<'a, Result<Outcome, String>> {
        Box::pin(async move {
            let Verb::Maxmemory { bytes: want } = plan.request.verb else {
                return Err("not a maxmemory plan".into());
            };
            // What was confirmed must still be what is there.
            plan.still_holds(&self.plan_maxmemory(&plan.request, want).await?)?;
            let mut conn = self.url.connect().await?;
            let _ = progress
                .send(format!("CONFIG SET maxmemory {want} on {}", self.name))
                .await;
            let () = redis::cmd("CONFIG")
                .arg("SET")
                .arg("maxmemory")
                .arg(want)
                .query_async(&mut conn)
                .await
                .map_err(|e| {
                    self.url
                        .scrub(&format!("CONFIG SET maxmemory: {}", describe(&e)))
                })?;
            let (now, _) = self.read().await?;
            Ok(Outcome {
                ok: now == want,
                message: if now == want {
                    format!("maxmemory of {} is now {}", self.name, bytes(now as f64))
                } else {
                    format!(
                        "maxmemory of {} reads {} after setting {}",
                        self.name,
                        bytes(now as f64),
                        bytes(want as f64)
                    )
                },
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
