//! A shell (or any command) in a running container, as an action: the plan
//! names the container and the command, `--read-only` refuses it, and the
//! audit log records who opened which command where and how it ended —
//! never what was typed. The CLI (`opsdeck exec`) and the console (`s`)
//! both come through [`ExecOrchestrator`] and `perform`.

mod docker;
mod kube;
mod local;

use local::Local;

use super::{
    shown_command, Orchestrator, Outcome, Plan, PlanStep, Request, Revision, StepOp, Verb,
};
use crate::config::Config;
use crate::model::{WorkloadAddr, WorkloadKind};
use futures::future::BoxFuture;
use std::sync::Mutex;
use tokio::sync::mpsc;

/// How a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// The command ran and exited with this code.
    Exited(i64),
    /// The command could not be started (not in the image, not executable);
    /// the engine's words, and the exit code it gives (126/127).
    NotStarted(String, Option<i64>),
}

/// What runs when nothing else is asked for (`exec_command` in the config,
/// `:exec CMD` or `-- CMD` ask otherwise).
pub const DEFAULT_COMMAND: &str = "/bin/sh";

/// The command a session runs: the one asked for, else the config's
/// `exec_command`, else [`DEFAULT_COMMAND`].
pub fn command_for(asked: &[String], config: &Config) -> Result<Vec<String>, String> {
    if !asked.is_empty() {
        return Ok(asked.to_vec());
    }
    match &config.exec_command {
        Some(line) => crate::config::split_command(line.get_ref())
            .map_err(|e| format!("exec_command in the config: {e}")),
        None => Ok(vec![DEFAULT_COMMAND.to_string()]),
    }
}

pub struct ExecOrchestrator {
    target: String,
    backend: Backend,
    /// Run on a terminal (raw mode, a TTY in the container) or on pipes.
    terminal: bool,
    /// The command's exit code, once it has run.
    exit: Mutex<Option<i64>>,
}

/// Where the containers are: a Docker engine, or a Kubernetes cluster's pods.
enum Backend {
    Docker(bollard::Docker),
    Kube(::kube::Client),
}

impl ExecOrchestrator {
    /// For `target`: a Docker target of that name (or `local`), else a
    /// Kubernetes target (a Docker target of the name wins, as for logs).
    pub async fn connect(config: &Config, target: &str, terminal: bool) -> Result<Self, String> {
        let is_docker = crate::connect::docker::targets(config)
            .iter()
            .any(|(n, _)| n == target);
        let kube_target = crate::connect::kube::targets(config)
            .into_iter()
            .find(|t| t.name == target && !is_docker);
        let backend =
            match kube_target {
                Some(t) => Backend::Kube(crate::connect::kube::client(&t).await.map_err(|e| {
                    format!(
                        "Kubernetes target `{target}`: {}",
                        crate::base::redact::redact(&e)
                    )
                })?),
                None => {
                    let endpoint = super::docker::endpoint_for(config, target)?;
                    Backend::Docker(crate::connect::docker::connect(&endpoint).await.map_err(
                        |e| {
                            format!(
                                "Docker target `{target}` is unreachable: {}",
                                crate::base::redact::redact(&e)
                            )
                        },
                    )?)
                }
            };
        Ok(ExecOrchestrator {
            target: target.to_string(),
            backend,
            terminal,
            exit: Mutex::new(None),
        })
    }

    /// The exit code of the command, when it ran (also when it could not start
    /// and the engine gave one).
    pub fn exit_code(&self) -> Option<i64> {
        *self.exit.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn place(&self) -> &'static str {
        match self.backend {
            Backend::Docker(_) => "container",
            Backend::Kube(_) => "pod",
        }
    }

    fn parts(request: &Request) -> Result<(Option<&str>, &[String]), String> {
        match &request.verb {
            Verb::Exec { container, command } if !command.is_empty() => {
                Ok((container.as_deref(), command))
            }
            Verb::Exec { .. } => Err("no command to run".into()),
            other => Err(format!("{} is not run here: only exec is", other.name())),
        }
    }
}

impl Orchestrator for ExecOrchestrator {
    fn plan<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Plan, String>> {
        Box::pin(async move {
            let addr = &request.workload;
            if addr.target != self.target {
                return Err(format!("{addr} is not on target `{}`", self.target));
            }
            let (container, command) = Self::parts(request)?;
            let subject = match &self.backend {
                Backend::Docker(d) => docker::resolve(d, addr, container).await?.name,
                Backend::Kube(client) => {
                    kube::check_pod(client, &addr.group, &addr.name).await?;
                    match container {
                        Some(c) => format!("{}/{} container {c}", addr.group, addr.name),
                        None => format!("{}/{}", addr.group, addr.name),
                    }
                }
            };
            let how = if self.terminal {
                "interactive, on a TTY sized to this terminal"
            } else {
                "standard input and output as pipes"
            };
            let place = self.place();
            Ok(Plan {
                request: request.clone(),
                kind: WorkloadKind::Container,
                summary: format!(
                    "exec {} in {place} {subject} ({addr})",
                    shown_command(command),
                ),
                steps: vec![PlanStep {
                    op: StepOp::Exec,
                    subject,
                    detail: format!("{} ({how})", shown_command(command)),
                }],
                destructive: false,
            })
        })
    }

    fn execute<'a>(
        &'a self,
        plan: &'a Plan,
        _progress: mpsc::Sender<String>,
    ) -> BoxFuture<'a, Result<Outcome, String>> {
        Box::pin(async move {
            let (container, command) = Self::parts(&plan.request)?;
            let name = plan
                .steps
                .first()
                .map(|s| s.subject.clone())
                .ok_or("the plan names no container")?;
            let addr = &plan.request.workload;
            let mut local;
            let ended = match &self.backend {
                Backend::Docker(d) => {
                    // The container the plan named, as it is now (it may have stopped).
                    let named = WorkloadAddr::new(&self.target, crate::model::NO_GROUP, &name);
                    let found = docker::resolve(d, &named, None).await?;
                    local = Local::open(self.terminal)?;
                    docker::session(d, &found, command, &mut local).await
                }
                Backend::Kube(client) => {
                    local = Local::open(self.terminal)?;
                    kube::session(
                        client,
                        &addr.group,
                        &addr.name,
                        container,
                        command,
                        &mut local,
                    )
                    .await
                }
            };
            drop(local);
            let shown = shown_command(command);
            match ended? {
                Ended::Exited(code) => {
                    *self.exit.lock().unwrap_or_else(|e| e.into_inner()) = Some(code);
                    Ok(Outcome {
                        ok: code == 0,
                        message: format!("{shown} in {name} exited with {code}"),
                        rolled_back: false,
                    })
                }
                Ended::NotStarted(why, code) => {
                    *self.exit.lock().unwrap_or_else(|e| e.into_inner()) = code;
                    Err(format!(
                        "{shown} could not be started in {} {name}: {why} \
                         (the image may have no such command: name another after --, or with :exec CMD)",
                        self.place()
                    ))
                }
            }
        })
    }

    fn history<'a>(
        &'a self,
        _workload: &'a WorkloadAddr,
    ) -> BoxFuture<'a, Result<Vec<Revision>, String>> {
        Box::pin(async { Ok(Vec::new()) })
    }
}

/// The request for a session: `TARGET/CONTAINER` is read as `TARGET/_/CONTAINER`.
pub fn request(
    address: &str,
    container: Option<String>,
    command: Vec<String>,
) -> Result<Request, String> {
    let parts: Vec<&str> = address.split('/').collect();
    let workload = match parts.as_slice() {
        [t, c] if !t.is_empty() && !c.is_empty() => WorkloadAddr::new(t, crate::model::NO_GROUP, c),
        [_, _, _] => address.parse()?,
        _ => {
            return Err(format!(
                "`{address}` is neither a container (TARGET/CONTAINER, such as local/web-1) \
                 nor a workload (TARGET/GROUP/NAME, such as local/shop/api)"
            ))
        }
    };
    Ok(Request {
        workload,
        verb: Verb::Exec { container, command },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_name_a_container_or_a_workload() {
        let sh = vec!["/bin/sh".to_string()];
        let r = request("local/web-1", None, sh.clone()).unwrap();
        assert_eq!(r.workload, WorkloadAddr::new("local", "_", "web-1"));
        let r = request("local/shop/api", None, sh.clone()).unwrap();
        assert_eq!(r.workload, WorkloadAddr::new("local", "shop", "api"));
        let e = request("web-1", None, sh).unwrap_err();
        assert!(e.contains("TARGET/CONTAINER"), "{e}");
    }

    #[test]
    fn the_command_is_the_one_asked_then_the_configs_then_sh() {
        let mut config = Config::default();
        assert_eq!(command_for(&[], &config).unwrap(), vec!["/bin/sh"]);
        let text = "exec_command = \"bash -l\"\n";
        config = toml::from_str(text).unwrap();
        assert_eq!(command_for(&[], &config).unwrap(), vec!["bash", "-l"]);
        assert_eq!(command_for(&["ls".into()], &config).unwrap(), vec!["ls"]);
        config = toml::from_str("exec_command = \"sh -c 'x\"\n").unwrap();
        let e = command_for(&[], &config).unwrap_err();
        assert!(e.contains("unclosed quote"), "{e}");
    }
}
