//! One session in a container, as the CLI's `exec` and the console's `s`
//! both run it: the command filled in from the config when none was asked
//! for, then the action path with the exec orchestrator. Where it runs is
//! said on stderr before the command starts; nothing asks for a yes, as
//! opening a shell changes nothing by itself (the audit log still has it).

use crate::action::shell::{command_for, ExecOrchestrator};
use crate::action::{perform, PerformError, PerformOptions, Performed, Request, Verb};
use crate::config::Config;

/// How a session went: the action's result, and the command's exit code
/// when it ran (or the engine's, when it could not start).
pub struct Session {
    pub result: Result<Performed, PerformError>,
    pub exit: Option<i64>,
}

/// Runs `request` (an exec) on the terminal (`terminal`) or on pipes.
pub async fn run(
    config: &Config,
    read_only: bool,
    mut request: Request,
    terminal: bool,
) -> Session {
    if let Verb::Exec { command, .. } = &mut request.verb {
        match command_for(command, config) {
            Ok(c) => *command = c,
            Err(e) => {
                return Session {
                    result: Err(PerformError::Plan(e)),
                    exit: None,
                }
            }
        }
    }
    let orch = match ExecOrchestrator::connect(config, &request.workload.target, terminal).await {
        Ok(o) => o,
        Err(e) => {
            return Session {
                result: Err(PerformError::Plan(e)),
                exit: None,
            }
        }
    };
    let opts = PerformOptions::new(read_only, false);
    let confirm: crate::action::perform::Confirm = Box::new(|plan| {
        eprintln!("opsdeck: {}", plan.summary);
        Box::pin(async { true })
    });
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let result = perform(&orch, &request, &opts, confirm, &tx).await;
    drop(tx);
    let _ = drain.await;
    Session {
        result,
        exit: orch.exit_code(),
    }
}

impl Session {
    /// One line for the console's message: how it ended, or why it did not run.
    pub fn describe(&self) -> Result<String, String> {
        match &self.result {
            Ok(Performed::Done(_, outcome)) => Ok(outcome.message.clone()),
            Ok(Performed::DryRun(..) | Performed::Declined(_)) => {
                Err("the session did not run".into())
            }
            Err(PerformError::Execute(e)) => Err(e.clone()),
            Err(e) => Err(e.to_string()),
        }
    }
}
