//! The CLI twins of the console's object keys: `describe` and `get` (`d`
//! and `y`), `delete-pod` (Ctrl-D), `stop`, `start` and `kill` (Ctrl-K).
//! The verbs go through `act::run`, the one action path.

use super::{act, load_config, read_only, runtime, Cli};
use crate::action::docker::HealthGate;
use crate::action::Verb;
use crate::model::{WorkloadAddr, NO_GROUP};
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum ObjectCommand {
    /// What kubectl describe / docker inspect say, ordered for an incident:
    /// status and conditions, recent events, containers, labels and annotations
    Describe(super::describe::DescribeArgs),
    /// The raw object: YAML for Kubernetes, JSON for Docker, with Secret
    /// values and credential-looking env values masked
    Get(super::describe::GetArgs),
    /// Delete a Kubernetes pod so its controller replaces it (as kubectl delete pod)
    DeletePod {
        /// TARGET/NAMESPACE/POD, as kubectl get pods names it
        pod: WorkloadAddr,
        /// Delete a pod no controller owns (nothing will replace it)
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        flags: act::ActFlags,
    },
    /// Stop a Docker container (as docker stop: its stop signal, SIGKILL after the grace period)
    Stop {
        /// TARGET/CONTAINER or TARGET/_/CONTAINER (a Compose replica by its container name)
        #[arg(value_parser = container)]
        container: WorkloadAddr,
        #[command(flatten)]
        flags: act::ActFlags,
    },
    /// Start a stopped Docker container (as docker start)
    Start {
        /// TARGET/CONTAINER or TARGET/_/CONTAINER
        #[arg(value_parser = container)]
        container: WorkloadAddr,
        #[command(flatten)]
        flags: act::ActFlags,
    },
    /// Send a signal to a Docker container's main process (as docker kill)
    Kill {
        /// TARGET/CONTAINER or TARGET/_/CONTAINER
        #[arg(value_parser = container)]
        container: WorkloadAddr,
        /// The signal: a name (SIGKILL, TERM, HUP) or a number
        #[arg(long, short = 's', default_value = "SIGKILL", value_parser = crate::action::docker::signal)]
        signal: String,
        #[command(flatten)]
        flags: act::ActFlags,
    },
}

/// A container's address: `TARGET/CONTAINER` as `opsdeck logs` takes it, or
/// `TARGET/_/CONTAINER` as the workloads list names a plain container.
pub fn container(s: &str) -> Result<WorkloadAddr, String> {
    let parts: Vec<&str> = s.split('/').collect();
    match parts.as_slice() {
        [t, c] if !t.is_empty() && !c.is_empty() => Ok(WorkloadAddr::new(t, NO_GROUP, c)),
        [_, g, _] if *g == NO_GROUP => s.parse(),
        [t, g, n] => Err(format!(
            "`{s}` names a service; these verbs act on one container: {t}/CONTAINER \
             (a replica of {g}/{n} by its container name, as docker ps shows it)"
        )),
        _ => Err(format!(
            "`{s}` is not a container: TARGET/CONTAINER or TARGET/_/CONTAINER, such as local/web-1"
        )),
    }
}

pub fn run(cli: &Cli, command: &ObjectCommand) -> color_eyre::Result<ExitCode> {
    let Some(loaded) = load_config(cli) else {
        return Ok(ExitCode::from(2));
    };
    let config = &loaded.config;
    let (addr, verb, flags) = match command {
        ObjectCommand::Describe(args) => {
            return Ok(runtime()?.block_on(super::describe::describe(config, args)))
        }
        ObjectCommand::Get(args) => {
            return Ok(runtime()?.block_on(super::describe::get(config, args)))
        }
        ObjectCommand::DeletePod { pod, force, flags } => {
            (pod, Verb::DeletePod { force: *force }, flags)
        }
        ObjectCommand::Stop { container, flags } => (container, Verb::Stop, flags),
        ObjectCommand::Start { container, flags } => (container, Verb::Start, flags),
        ObjectCommand::Kill {
            container,
            signal,
            flags,
        } => (
            container,
            Verb::Kill {
                signal: signal.clone(),
            },
            flags,
        ),
    };
    Ok(runtime()?.block_on(act::run(
        config,
        read_only(cli, config),
        act::request(addr, verb),
        flags,
        HealthGate::default(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_are_named_with_or_without_the_group() {
        assert_eq!(
            container("local/web-1").unwrap().to_string(),
            "local/_/web-1"
        );
        assert_eq!(
            container("local/_/web-1").unwrap().to_string(),
            "local/_/web-1"
        );
        let e = container("local/shop/api").unwrap_err();
        assert!(e.contains("names a service"), "{e}");
        assert!(container("local").is_err());
    }
}
