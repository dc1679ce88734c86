//! Swarm services: each verb is one service update that the swarm carries
//! out itself (rolling, with its own update and rollback config). The
//! request building is pure, so it is tested without a swarm.

use super::engine::Progress;
use super::work::{step, Work};
use crate::action::{Outcome, Plan, Request, StepOp, Verb};
use crate::model::WorkloadKind;
use bollard::models::{Service, ServiceSpec, ServiceSpecMode, ServiceSpecModeReplicated};
use bollard::query_parameters::UpdateServiceOptionsBuilder;
use bollard::Docker;

/// One `POST /services/{id}/update`.
#[derive(Debug, Clone, PartialEq)]
pub struct SwarmUpdate {
    pub service: String,
    pub version: i32,
    pub spec: ServiceSpec,
    /// `rollback=previous`: the swarm restores the spec before the last update.
    pub rollback: bool,
}

impl SwarmUpdate {
    pub async fn run(self, docker: &Docker, progress: &Progress) -> Result<Outcome, String> {
        let mut opts = UpdateServiceOptionsBuilder::default().version(self.version);
        if self.rollback {
            opts = opts.rollback("previous");
        }
        progress
            .say(format!("updating service {}", self.service))
            .await;
        let resp = docker
            .update_service(&self.service, self.spec, opts.build(), None)
            .await
            .map_err(|e| format!("updating service {}: {e}", self.service))?;
        let warnings = resp.warnings.unwrap_or_default();
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
    let detail = match verb {
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
            format!("image {before} → {image}, rolled out by the swarm's update config")
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
