//! The Docker orchestrator: Compose services, Swarm services and plain
//! containers on one Docker target. `TARGET/_/NAME` is a plain container
//! (or a Swarm service outside any stack, as the inventory lists one);
//! `TARGET/PROJECT/SERVICE` a Compose service (by its labels), else a Swarm
//! service of stack PROJECT when the engine is a swarm manager.

mod compose;
mod container;
mod deploys;
mod engine;
pub mod health;
mod lifecycle;
mod replica;
mod rolling;
mod swarm;
mod work;

pub use engine::{compose_replicas, labelled};
pub use health::HealthGate;
pub use lifecycle::signal;
pub use replica::{compose_name, Replica};
pub use swarm::{update_for, SwarmUpdate};

use crate::action::revisions::RevisionLog;
use crate::action::{Orchestrator, Outcome, Plan, Request, Revision, Verb};
use crate::config::Config;
use crate::connect::docker::{connect, Endpoint};
use crate::model::{WorkloadAddr, NO_GROUP};
use bollard::Docker;
use futures::future::BoxFuture;
use tokio::sync::mpsc;
use work::{Runner, Work};

/// Where the Docker target named `target` lives: its `[[docker]]` entry, or
/// the local engine (`DOCKER_HOST` or the default socket) as `local` when
/// the config names none.
pub fn endpoint_for(config: &Config, target: &str) -> Result<Endpoint, String> {
    if config.docker.is_empty() {
        return if target == "local" {
            Ok(Endpoint::from_env())
        } else {
            Err(format!(
                "no Docker target `{target}`: the config has no [[docker]] entries, so the only one is `local`"
            ))
        };
    }
    config
        .docker
        .iter()
        .find(|d| d.name.get_ref() == target)
        .map(Endpoint::from_config)
        .ok_or_else(|| {
            let names: Vec<&str> = config
                .docker
                .iter()
                .map(|d| d.name.get_ref().as_str())
                .collect();
            format!(
                "no Docker target `{target}`; configured: {}",
                names.join(", ")
            )
        })
}

pub struct DockerOrchestrator {
    target: String,
    docker: Docker,
    revisions: RevisionLog,
    gate: HealthGate,
}

/// What planning needs from the orchestrator.
pub(crate) struct Ctx<'a> {
    pub docker: &'a Docker,
    pub target: &'a str,
    pub revisions: &'a RevisionLog,
    pub gate: &'a HealthGate,
}

impl DockerOrchestrator {
    pub async fn connect(
        target: &str,
        endpoint: &Endpoint,
        revisions: RevisionLog,
        gate: HealthGate,
    ) -> Result<Self, String> {
        let docker = connect(endpoint).await.map_err(|e| {
            format!(
                "Docker target `{target}` is unreachable: {}",
                crate::base::redact::redact(&e)
            )
        })?;
        Ok(DockerOrchestrator {
            target: target.to_string(),
            docker,
            revisions,
            gate,
        })
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            docker: &self.docker,
            target: &self.target,
            revisions: &self.revisions,
            gate: &self.gate,
        }
    }

    async fn plan_with_work(&self, req: &Request) -> Result<(Plan, Work), String> {
        let addr = &req.workload;
        if addr.target != self.target {
            return Err(format!("{addr} is not on Docker target `{}`", self.target));
        }
        if matches!(req.verb, Verb::Stop | Verb::Start | Verb::Kill { .. }) {
            return self.plan_container_verb(req).await;
        }
        if req.verb.foreign_subject().is_some() {
            return Err(req.verb.not_for_workload(addr));
        }
        if let Verb::Autoscale { .. } = req.verb {
            return Err(Verb::not_autoscaled(addr));
        }
        let ctx = self.ctx();
        if addr.group == NO_GROUP {
            let c = match self.docker.inspect_container(&addr.name, None).await {
                Ok(c) => replica::Replica::from_inspect(c),
                Err(bollard::errors::Error::DockerResponseServerError {
                    status_code: 404, ..
                }) => {
                    // A Swarm service outside any stack is listed as `TARGET/_/NAME` too.
                    if let Some(service) = self.swarm_service(addr).await? {
                        return swarm::plan(req, &service);
                    }
                    return Err(format!(
                        "no container (or Swarm service outside a stack) named `{}` on target {}",
                        addr.name, self.target
                    ));
                }
                Err(e) => return Err(format!("inspecting {}: {e}", addr.name)),
            };
            return container::plan(&ctx, req, c).await;
        }
        let replicas = engine::compose_replicas(&self.docker, &addr.group, &addr.name).await?;
        if !replicas.is_empty() {
            return compose::plan(&ctx, req, &addr.group, &addr.name, replicas).await;
        }
        if let Some(service) = self.swarm_service(addr).await? {
            return swarm::plan(req, &service);
        }
        Err(format!(
            "{addr}: no Compose service `{}` in project `{}` on target {} \
             (and no Swarm service: the engine is not a swarm manager or has none by that name)",
            addr.name, addr.group, self.target
        ))
    }

    /// stop, start and kill act on one container, named as `TARGET/_/NAME`
    /// (a replica of a Compose service too, by its container name).
    async fn plan_container_verb(&self, req: &Request) -> Result<(Plan, Work), String> {
        let addr = &req.workload;
        if addr.group != NO_GROUP {
            return Err(format!(
                "{addr} names a service; {} acts on one container: TARGET/_/CONTAINER (e.g. {}/_/{}_{}_1)",
                req.verb.name(),
                addr.target,
                addr.group,
                addr.name
            ));
        }
        match self.docker.inspect_container(&addr.name, None).await {
            Ok(c) => lifecycle::plan(req, replica::Replica::from_inspect(c)),
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => Err(format!(
                "no container named `{}` on target {}",
                addr.name, self.target
            )),
            Err(e) => Err(format!("inspecting {}: {e}", addr.name)),
        }
    }

    /// The Swarm service `NAME` of stack `GROUP` (`GROUP_NAME`, as `docker stack` names it).
    async fn swarm_service(
        &self,
        addr: &WorkloadAddr,
    ) -> Result<Option<bollard::models::Service>, String> {
        let info = self
            .docker
            .info()
            .await
            .map_err(|e| format!("engine info: {e}"))?;
        let manager = info
            .swarm
            .and_then(|s| s.control_available)
            .unwrap_or(false);
        if !manager {
            return Ok(None);
        }
        let names = if addr.group == NO_GROUP {
            vec![addr.name.clone()]
        } else {
            vec![format!("{}_{}", addr.group, addr.name), addr.name.clone()]
        };
        for name in names {
            if let Ok(s) = self.docker.inspect_service(&name, None).await {
                let stack = s
                    .spec
                    .as_ref()
                    .and_then(|sp| sp.labels.as_ref())
                    .and_then(|l| l.get("com.docker.stack.namespace").cloned());
                if stack.as_deref().is_none_or(|st| st == addr.group) {
                    return Ok(Some(s));
                }
            }
        }
        Ok(None)
    }
}

impl Orchestrator for DockerOrchestrator {
    fn plan<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Plan, String>> {
        Box::pin(async move { self.plan_with_work(request).await.map(|(p, _)| p) })
    }

    fn execute<'a>(
        &'a self,
        plan: &'a Plan,
        progress: mpsc::Sender<String>,
    ) -> BoxFuture<'a, Result<Outcome, String>> {
        Box::pin(async move {
            // Plan again from a fresh reading: if the workload moved since the
            // plan was shown, what was confirmed is no longer what would run.
            let (now, work) = self.plan_with_work(&plan.request).await?;
            plan.still_holds(&now)?;
            let runner = Runner {
                docker: &self.docker,
                revisions: &self.revisions,
                gate: &self.gate,
                progress: engine::Progress(progress),
            };
            runner.run(&plan.request.workload, work).await
        })
    }

    fn history<'a>(
        &'a self,
        workload: &'a WorkloadAddr,
    ) -> BoxFuture<'a, Result<Vec<Revision>, String>> {
        Box::pin(async move { self.revisions.list(workload) })
    }

    /// The engine's record (containers created from a new image, by
    /// anyone) beside opsdeck's own, by time.
    fn deploys<'a>(
        &'a self,
        workload: &'a WorkloadAddr,
    ) -> BoxFuture<'a, Result<Vec<Revision>, String>> {
        Box::pin(async move {
            let mut all = deploys::engine_record(&self.docker, workload).await?;
            all.extend(self.revisions.list(workload)?);
            all.sort_by_key(|r| crate::base::time::unix_secs(&r.at).unwrap_or(0));
            Ok(all)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        toml::from_str(text).expect("config")
    }

    #[test]
    fn targets_come_from_the_config_or_are_the_local_engine() {
        let none = config("");
        assert!(endpoint_for(&none, "local").is_ok());
        assert!(endpoint_for(&none, "prod")
            .unwrap_err()
            .contains("only one is `local`"));
        let two = config(
            "[[docker]]\nname = \"a\"\nhost = \"tcp://10.0.0.1:2375\"\n\
             [[docker]]\nname = \"b\"\nhost = \"unix:///run/b.sock\"\n",
        );
        assert_eq!(endpoint_for(&two, "b").unwrap().host, "unix:///run/b.sock");
        let e = endpoint_for(&two, "local").unwrap_err();
        assert!(e.contains("configured: a, b"), "{e}");
    }
}
