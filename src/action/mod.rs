//! Every change to the outside world goes through here: plan (a preview of
//! exactly what changes) → refuse if read-only → audit intent → execute → audit
//! outcome. The TUI, the CLI twins and runbooks all use this one path
//! ([`perform::perform`], or [`perform::spawn`] from the app loop).

mod actor;
pub mod alertmanager;
pub mod audit;
pub mod docker;
pub mod kube;
mod lock;
mod orchestrator;
pub mod perform;
mod plan;
pub mod postgres;
pub mod redis;
pub mod revisions;
pub mod shell;

pub use actor::Actor;
pub use orchestrator::{Orchestrator, Revision, RevisionSource};
pub use perform::{perform, PerformError, PerformOptions, Performed};
pub use plan::{shown_command, ActionEvent, Outcome, Plan, PlanStep, Request, StepOp, Verb};

/// The orchestrator for a subject's target, by what the target is configured
/// as: an `[[alertmanager]]` (its silences), a `[[postgres]]` target (its
/// backends), else the Docker target of that name (or `local` when the
/// config names none), with revisions in the data dir. A Kubernetes target
/// (`[[kubernetes]]` or the current kubeconfig context) comes before Docker.
pub async fn orchestrator_for(
    config: &crate::config::Config,
    target: &str,
    gate: docker::HealthGate,
) -> Result<std::sync::Arc<dyn Orchestrator>, String> {
    if let Some(am) = alertmanager::AlertmanagerOrchestrator::from_config(config, target) {
        return Ok(std::sync::Arc::new(am?));
    }
    if let Some(pg) = config.postgres.iter().find(|p| p.name.get_ref() == target) {
        let dsn = crate::connect::postgres::Dsn::of(pg)?;
        return Ok(std::sync::Arc::new(
            postgres::PostgresOrchestrator::new(target, dsn)
                .with_dumps(postgres::dump_place(config, target)),
        ));
    }
    if let Some(cache) = redis::RedisOrchestrator::from_config(config, target) {
        return Ok(std::sync::Arc::new(cache?));
    }
    if let Some(k8s) = kube::KubeOrchestrator::from_config(config, target).await {
        return Ok(std::sync::Arc::new(k8s?));
    }
    let endpoint = docker::endpoint_for(config, target)?;
    let orch = docker::DockerOrchestrator::connect(
        target,
        &endpoint,
        revisions::RevisionLog::in_data_dir(),
        gate,
    )
    .await?;
    Ok(std::sync::Arc::new(orch))
}
