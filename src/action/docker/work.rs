//! What a Docker plan does once confirmed. Planning reads the engine and
//! returns a `Plan` for people plus this `Work` for the executor; both come
//! from the same reading, so the steps shown are the steps run.

use super::engine::{create_and_start, inspect, Progress};
use super::health::{wait_ready, HealthGate};
use super::replica::{clone_name, scale_clone, Replica};
use super::rolling::{aside_name, remove, replace_all, stop};
use super::swarm::SwarmUpdate;
use crate::action::revisions::RevisionLog;
use crate::action::{Outcome, PlanStep, StepOp};
use crate::model::WorkloadAddr;
use bollard::Docker;

pub enum Work {
    /// Already as asked: nothing to change.
    Nothing(String),
    ScaleUp {
        template: Box<Replica>,
        project: String,
        service: String,
        numbers: Vec<u32>,
    },
    ScaleDown {
        remove: Vec<Replica>,
    },
    Restart {
        replicas: Vec<Replica>,
    },
    Replace {
        replicas: Vec<Replica>,
        /// What to create from: a tag, or an image id when the tag has moved.
        image: String,
        alias: Option<String>,
        verb: &'static str,
    },
    Swarm(Box<SwarmUpdate>),
    /// One container stopped, started or signalled.
    Lifecycle {
        id: String,
        name: String,
        change: super::lifecycle::Change,
        /// When it last started, to see a SIGKILLed container restarted.
        started_at: Option<String>,
    },
}

pub fn step(op: StepOp, subject: &str, detail: impl Into<String>) -> PlanStep {
    PlanStep {
        op,
        subject: subject.to_string(),
        detail: detail.into(),
    }
}

/// The steps of replacing `replicas` with `image`, one at a time.
pub fn replace_steps(replicas: &[Replica], image: &str, gate: &HealthGate) -> Vec<PlanStep> {
    let total = replicas.len();
    let mut steps = Vec::new();
    for (i, r) in replicas.iter().enumerate() {
        let of = format!("replica {} of {total}", i + 1);
        steps.push(step(
            StepOp::Stop,
            &r.name,
            format!("{of}, running {}", r.image),
        ));
        steps.push(step(
            StepOp::Create,
            &r.name,
            format!(
                "image {} → {image}, same config, ports and networks; the old container waits as {}",
                r.image,
                aside_name(r)
            ),
        ));
        steps.push(step(StepOp::Start, &r.name, format!("on {image}")));
        steps.push(step(StepOp::WaitHealthy, &r.name, gate.describe()));
        steps.push(step(
            StepOp::Remove,
            &aside_name(r),
            format!(
                "the old {} ({}), once the new one is healthy",
                r.name, r.image
            ),
        ));
    }
    steps
}

/// The steps of a restart, one replica at a time.
pub fn restart_steps(replicas: &[Replica], gate: &HealthGate) -> Vec<PlanStep> {
    let total = replicas.len();
    replicas
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            [
                step(
                    StepOp::Restart,
                    &r.name,
                    format!("replica {} of {total} ({})", i + 1, r.image),
                ),
                step(StepOp::WaitHealthy, &r.name, gate.describe()),
            ]
        })
        .collect()
}

pub struct Runner<'a> {
    pub docker: &'a Docker,
    pub revisions: &'a RevisionLog,
    pub gate: &'a HealthGate,
    pub progress: Progress,
}

impl Runner<'_> {
    pub async fn run(&self, addr: &WorkloadAddr, work: Work) -> Result<Outcome, String> {
        let ok = |message: String| Outcome {
            ok: true,
            message,
            rolled_back: false,
        };
        match work {
            Work::Nothing(why) => Ok(ok(why)),
            Work::ScaleUp {
                template,
                project,
                service,
                numbers,
            } => {
                let mut started = Vec::new();
                for n in numbers {
                    let name = clone_name(&template, &project, &service, n);
                    let (body, nets) = scale_clone(&template, n, &service);
                    self.progress.say(format!("creating {name}")).await;
                    let id = create_and_start(self.docker, &name, body, nets).await?;
                    started.push((name, id));
                }
                for (name, id) in &started {
                    self.progress
                        .say(format!("waiting for {name} to be healthy"))
                        .await;
                    if let Err(why) = wait_ready(self.docker, id, self.gate).await {
                        return Ok(Outcome {
                            ok: false,
                            message: format!("{name} was created but is not healthy: {why}"),
                            rolled_back: false,
                        });
                    }
                }
                Ok(ok(format!("{addr}: started {}", names(&started))))
            }
            Work::ScaleDown { remove: gone } => {
                for r in &gone {
                    self.progress
                        .say(format!("stopping and removing {}", r.name))
                        .await;
                    stop(self.docker, &r.id).await?;
                    remove(self.docker, &r.id).await?;
                }
                let list: Vec<&str> = gone.iter().map(|r| r.name.as_str()).collect();
                Ok(ok(format!("{addr}: removed {}", list.join(", "))))
            }
            Work::Restart { replicas } => {
                for r in &replicas {
                    self.progress.say(format!("restarting {}", r.name)).await;
                    let opts = bollard::query_parameters::RestartContainerOptionsBuilder::default()
                        .t(super::rolling::STOP_GRACE_SECS)
                        .build();
                    self.docker
                        .restart_container(&r.id, Some(opts))
                        .await
                        .map_err(|e| format!("restarting {}: {e}", r.name))?;
                    if let Err(why) = wait_ready(self.docker, &r.id, self.gate).await {
                        return Ok(Outcome {
                            ok: false,
                            message: format!(
                                "{} restarted but is not healthy: {why}; stopped there",
                                r.name
                            ),
                            rolled_back: false,
                        });
                    }
                }
                Ok(ok(format!(
                    "{addr}: restarted {} replica(s)",
                    replicas.len()
                )))
            }
            Work::Replace {
                replicas,
                image,
                alias,
                verb,
            } => {
                self.replace(addr, &replicas, &image, alias.as_deref(), verb)
                    .await
            }
            Work::Swarm(update) => (*update).run(self.docker, &self.progress).await,
            Work::Lifecycle {
                id,
                name,
                change,
                started_at,
            } => {
                super::lifecycle::run(self.docker, &self.progress, &id, &name, change, started_at)
                    .await
            }
        }
    }

    async fn replace(
        &self,
        addr: &WorkloadAddr,
        replicas: &[Replica],
        image: &str,
        alias: Option<&str>,
        verb: &str,
    ) -> Result<Outcome, String> {
        let before = replicas
            .first()
            .map(|r| (r.image.clone(), r.image_id.clone()));
        let rolled = replace_all(
            self.docker,
            replicas,
            image,
            alias,
            self.gate,
            &self.progress,
        )
        .await?;
        if let Some(why) = rolled.failure {
            return Ok(Outcome {
                ok: false,
                message: format!(
                    "{verb} of {image} failed its health gate ({why}); every replica is back on its previous image"
                ),
                rolled_back: rolled.rolled_back,
            });
        }
        if let Some((old, old_id)) = before {
            let rev = self.revisions.record(addr, &old, &old_id, verb)?;
            self.progress
                .say(format!(
                    "recorded {old} as revision {} of {addr}",
                    rev.revision
                ))
                .await;
        }
        // The replicas' new ids, so the outcome can say what runs now.
        let mut now = Vec::new();
        for name in &rolled.replaced {
            now.push(inspect(self.docker, name).await.map(|r| r.name)?);
        }
        Ok(Outcome {
            ok: true,
            message: format!("{addr}: {} now on {image}", now.join(", ")),
            rolled_back: false,
        })
    }
}

fn names(started: &[(String, String)]) -> String {
    started
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
