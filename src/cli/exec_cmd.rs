//! `opsdeck exec ADDRESS [-- CMD...]`: a shell (or CMD) in a running
//! container or pod, through the action path (plan → `--read-only` refusal →
//! audit). On a terminal the session gets a TTY sized to it and follows
//! its resizes; on pipes, stdin and stdout are passed through as they are.
//!
//! Exit codes: the command's own; 2 no plan (bad address, unknown or
//! unreachable target, no such running container); 3 refused by
//! `--read-only`; 1 the session failed, or the engine's own code (126,
//! 127) when the command could not be started.

use super::act::{self, EXIT_FAILED};
use crate::action::shell::request;
use crate::action::{PerformError, Performed};
use crate::config::Config;
use std::io::IsTerminal as _;
use std::process::ExitCode;

#[derive(Debug, Clone, clap::Args)]
pub struct ExecArgs {
    /// A container (TARGET/CONTAINER, e.g. local/web-1), a Compose service
    /// (TARGET/PROJECT/SERVICE: its first running container) or a pod
    /// (TARGET/NAMESPACE/POD)
    pub address: String,
    /// Docker: a Compose service's replica instead of the first running
    /// one; Kubernetes: the pod's container (default: its only one)
    #[arg(long, short = 'c', value_name = "NAME")]
    pub container: Option<String>,
    /// What to run (default: exec_command in the config, else /bin/sh)
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

pub async fn run(config: &Config, read_only: bool, args: &ExecArgs) -> ExitCode {
    let request = match request(&args.address, args.container.clone(), args.command.clone()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(act::EXIT_NO_PLAN);
        }
    };
    let terminal = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let session = crate::exec::shell::run(config, read_only, request, terminal).await;
    match session.result {
        Ok(Performed::Done(..)) => exit_code(session.exit),
        Ok(Performed::DryRun(..) | Performed::Declined(_)) => ExitCode::from(EXIT_FAILED),
        Err(PerformError::Execute(e)) => {
            eprintln!("error: {e}");
            match session.exit {
                Some(code) if code != 0 => exit_code(Some(code)),
                _ => ExitCode::from(EXIT_FAILED),
            }
        }
        Err(e) => act::report_error(e),
    }
}

/// The command's exit code as ours: 0–255 as they are, anything else 1.
fn exit_code(code: Option<i64>) -> ExitCode {
    match code.map(u8::try_from) {
        Some(Ok(c)) => ExitCode::from(c),
        _ => ExitCode::from(EXIT_FAILED),
    }
}
