//! Swarm services: each verb is one service update that the swarm carries
//! out itself (rolling, with its own update and rollback config). The
//! request building is pure, so it is tested without a swarm.

use super::engine::Progress;
use super::work::{step, Work};
use crate::action::{Outcome, Plan, Request, StepOp, Verb};
use crate::model::WorkloadKind;
use bollard::models::{
    Service, ServiceSpec, ServiceSpecMode, ServiceSpecModeReplicated,
    ServiceSpecUpdateConfigFailureActionEnum as FailureAction,
    ServiceUpdateStatusStateEnum as UpdateState,
};
use bollard::query_parameters::UpdateServiceOptionsBuilder;
use bollard::Docker;
use std::time::{Duration, Instant};

/// Hang guard for a deploy's rollout: the swarm's own monitor decides when a
/// task has failed, opsdeck only waits for its verdict.
const ROLLOUT_WITHIN: Duration = Duration::from_secs(600);
const ROLLOUT_TICK: Duration = Duration::from_secs(1);

/// One `POST /services/{id}/update`.
#[derive(Debug, Clone, PartialEq)]
pub struct SwarmUpdate {
    pub service: String,
    pub version: i32,
    pub spec: ServiceSpec,
    /// `rollback=previous`: the swarm restores the spec before the last update.
    pub rollback: bool,
    /// Wait for the swarm's verdict on the rollout (a deploy is health-gated).
    pub await_rollout: bool,
}

impl SwarmUpdate {
    pub async fn run(self, docker: &Docker, progress: &Progress) -> Result<Outcome, String> {
        let mut opts = UpdateServiceOptionsBuilder::default().version(self.version);
        if self.rollback {
            opts = opts.rollback("previous");
        }
        // An earlier rollout's verdict stays until the swarm starts this one.
        let earlier = match self.await_rollout {
            true => started_at(docker, &self.service).await?,
            false => None,
        };
        progress
            .say(format!("updating service {}", self.service))
            .await;
        let resp = docker
            .update_service(&self.service, self.spec, opts.build(), None)
            .await
            .map_err(|e| format!("updating service {}: {e}", self.service))?;
        let warnings = resp.warnings.unwrap_or_default();
        if self.await_rollout {
            return rollout_verdict(docker, &self.service, earlier, progress).await;
        }
        Ok(Outcome {
            ok: true,
            message: if warnings.is_empty() {
                format!("service {} updated; the swarm rolls it out", self.service)
            } else {
                format!(
                    "service {} updated with warnings: {}",
                    self.service,
                    warnings.join("; ")
                )
            },
            rolled_back: false,
        })
    }
}

type Started = Option<bollard::models::BollardDate>;

async fn started_at(docker: &Docker, service: &str) -> Result<Started, String> {
    let s = docker
        .inspect_service(service, None)
        .await
        .map_err(|e| format!("inspecting service {service}: {e}"))?;
    Ok(s.update_status.and_then(|u| u.started_at))
}

/// The update status the swarm reaches once this rollout is over: one that
/// started at a time other than `earlier`'s.
async fn rollout_verdict(
    docker: &Docker,
    service: &str,
    earlier: Started,
    progress: &Progress,
) -> Result<Outcome, String> {
    progress
        .say(format!("waiting for the swarm to roll out {service}"))
        .await;
    let deadline = Instant::now() + ROLLOUT_WITHIN;
    loop {
        let s = docker
            .inspect_service(service, None)
            .await
            .map_err(|e| format!("inspecting service {service}: {e}"))?;
        let mut status = s.update_status.unwrap_or_default();
        if status.started_at.is_none() || status.started_at == earlier {
            status.state = None;
        }
        let said = status.message.unwrap_or_default();
        let outcome = |ok, rolled_back, message: String| {
            Ok(Outcome {
                ok,
                message,
                rolled_back,
            })
        };
        match status.state {
            Some(UpdateState::COMPLETED) => {
                return outcome(true, false, format!("service {service} rolled out"))
            }
            Some(UpdateState::ROLLBACK_COMPLETED) => {
                return outcome(
                    false,
                    true,
                    format!("service {service} failed its rollout; the swarm rolled it back: {said}"),
                )
            }
            Some(UpdateState::PAUSED | UpdateState::ROLLBACK_PAUSED) => {
                return outcome(
                    false,
                    false,
                    format!("the swarm paused the rollout of {service}: {said}"),
                )
            }
            _ if Instant::now() > deadline => {
                return outcome(
                    false,
                    false,
                    format!(
                        "service {service} still rolling out after {}s; see `docker service ps {service}`",
                        ROLLOUT_WITHIN.as_secs()
                    ),
                )
            }
            _ => tokio::time::sleep(ROLLOUT_TICK).await,
        }
    }
}

fn replicas_of(spec: &ServiceSpec) -> Option<i64> {
    spec.mode.as_ref()?.replicated.as_ref()?.replicas
}

fn image_of(spec: &ServiceSpec) -> String {
    spec.task_template
        .as_ref()
        .and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.image.clone())
        .unwrap_or_default()
}

/// The update a verb makes to `service`, and the words for its plan step.
pub fn update_for(service: &Service, verb: &Verb) -> Result<(SwarmUpdate, String), String> {
    let name = service
        .spec
        .as_ref()
        .and_then(|s| s.name.clone())
        .or_else(|| service.id.clone())
        .unwrap_or_default();
    let version = service
        .version
        .as_ref()
        .and_then(|v| v.index)
        .ok_or_else(|| format!("service {name} has no version index"))? as i32;
    let mut spec = service.spec.clone().unwrap_or_default();
    let mut rollback = false;
    let mut await_rollout = false;
    let detail = match verb {
        // Refused before planning (`plan_with_work`); here for completeness.
        Verb::Silence { .. }
        | Verb::Expire
        | Verb::Cancel
        | Verb::Terminate
        | Verb::Load { .. }
        | Verb::DeletePod { .. }
        | Verb::Stop
        | Verb::Start
        | Verb::Kill { .. }
        | Verb::Exec { .. }
        | Verb::Maxmemory { .. }
        | Verb::Verify
        | Verb::Dump => {
            return Err(format!(
                "service {name}: {} applies to {}",
                verb.name(),
                verb.foreign_subject().unwrap_or("workloads")
            ))
        }
        Verb::Autoscale { .. } => {
            return Err(format!(
                "service {name} is a Swarm service: autoscale changes the bounds of a Kubernetes HorizontalPodAutoscaler; use scale"
            ))
        }
        Verb::Scale { replicas } => {
            let before = replicas_of(&spec).ok_or_else(|| {
                format!("service {name} is global, not replicated: it runs one task per node and cannot be scaled")
            })?;
            spec.mode = Some(ServiceSpecMode {
                replicated: Some(ServiceSpecModeReplicated {
                    replicas: Some(*replicas as i64),
                }),
                ..Default::default()
            });
            format!("replicas {before} → {replicas}")
        }
        Verb::Restart => {
            let t = spec.task_template.get_or_insert_with(Default::default);
            let before = t.force_update.unwrap_or(0);
            t.force_update = Some(before + 1);
            format!(
                "force update {before} → {}: every task is replaced, rolling",
                before + 1
            )
        }
        Verb::Deploy { image } => {
            let before = image_of(&spec);
            let t = spec.task_template.get_or_insert_with(Default::default);
            t.container_spec.get_or_insert_with(Default::default).image = Some(image.clone());
            // A deploy rolls back by itself when a new task fails; the swarm's
            // default is to pause there, with the failed tasks in place.
            let u = spec.update_config.get_or_insert_with(Default::default);
            let rolls_back = u.failure_action == Some(FailureAction::ROLLBACK);
            u.failure_action = Some(FailureAction::ROLLBACK);
            await_rollout = true;
            format!(
                "image {before} → {image}, rolled out by the swarm's update config{}",
                if rolls_back {
                    ""
                } else {
                    "; its failure action becomes rollback"
                }
            )
        }
        Verb::Rollback { to: Some(_) } => {
            return Err(format!(
                "service {name}: a Swarm service rolls back only to its previous spec; drop --to"
            ))
        }
        Verb::Rollback { to: None } => {
            rollback = true;
            format!(
                "rollback=previous: the swarm restores the spec before its last update (image now {})",
                image_of(&spec)
            )
        }
    };
    Ok((
        SwarmUpdate {
            service: name,
            version,
            spec,
            rollback,
            await_rollout,
        },
        detail,
    ))
}

pub fn plan(req: &Request, service: &Service) -> Result<(Plan, Work), String> {
    let (update, detail) = update_for(service, &req.verb)?;
    let plan = Plan {
        request: req.clone(),
        kind: WorkloadKind::SwarmService,
        summary: format!("{} {}: service update", req.verb, req.workload),
        steps: vec![step(StepOp::Update, &update.service, detail)],
        destructive: !matches!(req.verb, Verb::Scale { .. }),
    };
    Ok((plan, Work::Swarm(Box::new(update))))
}

#[cfg(test)]
#[path = "swarm_tests.rs"]
mod tests;
