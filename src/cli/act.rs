//! The CLI twins of the workload verbs: `scale`, `restart`, `rollback`,
//! `deploy` and `history`. Each goes through `action::perform`, the same
//! path the console and runbooks use.
//!
//! Exit codes: 0 done (or dry run shown); 1 it ran and did not succeed (a
//! deploy that rolled back, a replica that stayed unhealthy) or could not
//! start (another action on the workload is under way); 2 no plan
//! (bad workload, unknown or unreachable target, config error); 3 refused by
//! `--read-only`; 4 not confirmed (answered no, or no terminal and no `--yes`).

use crate::action::docker::HealthGate;
use crate::action::perform::{confirmed, Confirm};
use crate::action::{
    orchestrator_for, perform, Orchestrator, PerformError, PerformOptions, Performed, Plan,
    Request, Verb,
};
use crate::config::Config;
use crate::model::WorkloadAddr;
use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::Duration;

pub const EXIT_FAILED: u8 = 1;
pub const EXIT_NO_PLAN: u8 = 2;
pub const EXIT_READ_ONLY: u8 = 3;
pub const EXIT_NOT_CONFIRMED: u8 = 4;

/// Flags every verb takes.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ActFlags {
    /// Show the plan and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Apply without asking (required when stdin is not a terminal)
    #[arg(long)]
    pub yes: bool,
}

/// `deploy`'s health gate.
#[derive(Debug, Clone, clap::Args)]
pub struct GateFlags {
    /// Also require this http:// URL to answer 2xx before a new replica counts as
    /// healthy; it must reach the new replica (e.g. through its fixed host port)
    #[arg(long, value_name = "URL")]
    pub health_url: Option<String>,
    /// How long a new replica has to turn healthy before the deploy rolls back
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub health_timeout: Duration,
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    crate::base::duration::HumanDuration::parse(s).map(|d| d.0)
}

async fn orchestrator(
    config: &Config,
    addr: &WorkloadAddr,
    gate: HealthGate,
) -> Result<std::sync::Arc<dyn Orchestrator>, String> {
    orchestrator_for(config, &addr.target, gate).await
}

/// Runs one verb on one workload and prints what happened.
pub async fn run(
    config: &Config,
    read_only: bool,
    request: Request,
    flags: &ActFlags,
    gate: HealthGate,
) -> ExitCode {
    let orch = match orchestrator(config, &request.workload, gate).await {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_NO_PLAN);
        }
    };
    run_on(orch.as_ref(), read_only, request, flags).await
}

/// Runs one verb through `orch` and prints what happened.
pub(crate) async fn run_on(
    orch: &dyn Orchestrator,
    read_only: bool,
    request: Request,
    flags: &ActFlags,
) -> ExitCode {
    let opts = PerformOptions::new(read_only, flags.dry_run);
    let confirm = if flags.yes {
        with_plan_shown(confirmed())
    } else {
        ask_on_terminal()
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let printer = tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            if let crate::action::ActionEvent::Progress(line) = event {
                eprintln!("  → {line}");
            }
        }
    });
    let result = perform(orch, &request, &opts, confirm, &tx).await;
    drop(tx);
    let _ = printer.await;
    report(result, flags.yes)
}

fn report(result: Result<Performed, PerformError>, yes: bool) -> ExitCode {
    match result {
        Ok(Performed::DryRun(plan, verdict)) => {
            print_plan(&plan);
            if let Some(verdict) = verdict {
                println!("server: {verdict}");
            }
            println!("dry run: nothing was changed");
            ExitCode::SUCCESS
        }
        Ok(Performed::Declined(_)) => {
            if !yes {
                eprintln!("not applied: nothing was changed");
            }
            ExitCode::from(EXIT_NOT_CONFIRMED)
        }
        Ok(Performed::Done(_, outcome)) => {
            let word = match (outcome.ok, outcome.rolled_back) {
                (true, _) => "done",
                (false, true) => "rolled back",
                (false, false) => "failed",
            };
            println!("{word}: {}", outcome.message);
            ExitCode::from(if outcome.ok { 0 } else { EXIT_FAILED })
        }
        Err(e) => report_error(e),
    }
}

/// Says why an action did not run and picks its exit code.
pub(crate) fn report_error(e: PerformError) -> ExitCode {
    match e {
        PerformError::ReadOnly(plan) => {
            print_plan(&plan);
            eprintln!("error: {}", PerformError::ReadOnly(plan.clone()));
            ExitCode::from(EXIT_READ_ONLY)
        }
        PerformError::DryRunRefused(plan, why) => {
            print_plan(&plan);
            eprintln!("error: {}", PerformError::DryRunRefused(plan.clone(), why));
            ExitCode::from(EXIT_FAILED)
        }
        e @ PerformError::Plan(_) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_NO_PLAN)
        }
        e => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

pub fn print_plan(plan: &Plan) {
    println!("plan: {}", plan.summary);
    if plan.steps.is_empty() {
        println!("  (nothing to change)");
    }
    for (i, s) in plan.steps.iter().enumerate() {
        let op = serde_json::to_value(s.op)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        println!("  {:>2}. {op:<12} {:<32} {}", i + 1, s.subject, s.detail);
    }
}

pub(crate) fn with_plan_shown(inner: Confirm) -> Confirm {
    Box::new(move |plan| {
        print_plan(plan);
        inner(plan)
    })
}

/// Shows the plan and asks `Apply? [y/N]`; without a terminal on stdin
/// there is no one to ask, so the answer is no.
pub(crate) fn ask_on_terminal() -> Confirm {
    Box::new(|plan| {
        print_plan(plan);
        let destructive = plan.destructive;
        Box::pin(async move {
            if !std::io::stdin().is_terminal() {
                eprintln!(
                    "refusing: stdin is not a terminal, so no one can confirm; pass --yes to apply"
                );
                return false;
            }
            let question = if destructive {
                "This stops or replaces something that is running. Apply? [y/N] "
            } else {
                "Apply? [y/N] "
            };
            tokio::task::spawn_blocking(move || {
                eprint!("{question}");
                let _ = std::io::stderr().flush();
                let mut line = String::new();
                std::io::stdin().read_line(&mut line).is_ok()
                    && matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
            })
            .await
            .unwrap_or(false)
        })
    })
}

/// `opsdeck history W [--json]`.
pub async fn history(config: &Config, addr: &WorkloadAddr, json: bool) -> ExitCode {
    let orch = match orchestrator(config, addr, HealthGate::default()).await {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_NO_PLAN);
        }
    };
    let revs = match orch.history(addr).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_FAILED);
        }
    };
    if json {
        match serde_json::to_string_pretty(&revs) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_FAILED);
            }
        }
    } else if revs.is_empty() {
        println!("{addr}: no recorded revisions (opsdeck records the image each deploy or rollback replaces)");
    } else if revs.iter().any(|r| r.change_cause.is_some()) {
        // Kubernetes keeps the revisions itself; show them as `kubectl rollout history` does.
        println!(
            "{:>8}  {:<32} {:<26} CHANGE-CAUSE",
            "REVISION", "IMAGE", "CREATED"
        );
        for r in &revs {
            let cause = r.change_cause.as_deref().filter(|c| !c.is_empty());
            println!(
                "{:>8}  {:<32} {:<26} {}",
                r.revision,
                r.image,
                r.at,
                cause.unwrap_or("<none>")
            );
        }
    } else {
        println!(
            "{:>4}  {:<32} {:<20} {:<26} VERB",
            "REV", "IMAGE", "IMAGE ID", "REPLACED AT"
        );
        for r in &revs {
            let short = r.image_id.trim_start_matches("sha256:");
            println!(
                "{:>4}  {:<32} {:<20} {:<26} {}",
                r.revision,
                r.image,
                &short[..short.len().min(12)],
                r.at,
                r.verb
            );
        }
    }
    if !json && revs.iter().all(|r| r.change_cause.is_none()) {
        engine_record(orch.as_ref(), addr).await;
    }
    ExitCode::SUCCESS
}

/// What the platform itself saw change (Docker: containers created from a
/// new image, by anyone), after opsdeck's own record, whose numbers
/// `rollback --to` takes.
async fn engine_record(orch: &dyn crate::action::Orchestrator, addr: &WorkloadAddr) {
    let seen = match orch.deploys(addr).await {
        Ok(all) => all
            .into_iter()
            .filter(|r| r.source == crate::action::RevisionSource::Platform)
            .collect::<Vec<_>>(),
        Err(e) => {
            println!("\nthe engine's record could not be read: {e}");
            return;
        }
    };
    if seen.is_empty() {
        return;
    }
    println!("\nseen by the engine (containers created from a new image, by anyone):");
    println!("{:>4}  {:<32} {:<26} MADE BY", "#", "IMAGE", "CREATED");
    for r in &seen {
        println!(
            "{:>4}  {:<32} {:<26} {}",
            r.revision,
            r.image,
            r.at,
            r.made_by.as_deref().unwrap_or("-")
        );
    }
}

/// The request for a verb, with its workload parsed.
pub fn request(workload: &WorkloadAddr, verb: Verb) -> Request {
    Request {
        workload: workload.clone(),
        verb,
    }
}
