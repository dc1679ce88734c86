//! `opsdeck runbook list | show ID | lint [FILE...] | run ID ...`: the
//! catalogue, the linter and the headless runner.
//!
//! `run` exits 0 when the runbook completes (or a `--plan` run reaches its
//! end), 1 when it fails, aborts or rolls back, and 2 when it cannot start
//! (unknown runbook or run id, bad params). `lint` exits 1 on any problem.

use super::runbook_term::{Printer, Terminal};
use crate::config::Config;
use crate::exec::runbook::runner::drive;
use crate::exec::runbook::runs;
use crate::exec::runbook::setup::{prepare, Prepared, Start};
use crate::exec::runbook::Executor;
use crate::runbook::catalog::{Catalog, Origin};
use crate::runbook::status::RunMode;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

const EXIT_FAILED: u8 = 1;
const EXIT_CANNOT_START: u8 = 2;

#[derive(Debug, clap::Subcommand)]
pub enum RunbookAction {
    /// Every runbook: the built-ins and those in `runbook_dirs`
    List,
    /// Print a runbook file as written
    Show { id: String },
    /// Check runbook files (default: every runbook in the catalogue); errors as file:line:col
    Lint { files: Vec<PathBuf> },
    /// Run a runbook headless, printing each step as it happens
    Run(RunArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The runbook id (see `opsdeck runbook list`); not needed with --resume
    #[arg(required_unless_present = "resume")]
    pub id: Option<String>,
    /// A param value, e.g. --param workload=local/shop/api (repeatable); with
    /// --resume, only a param the timeline withheld for its credentials
    #[arg(long = "param", value_name = "K=V")]
    pub params: Vec<String>,
    /// Run checks for real and only show what each action would change
    #[arg(long)]
    pub plan: bool,
    /// Apply actions without asking (required to apply when stdin is not a terminal)
    #[arg(long)]
    pub yes: bool,
    /// Write the Markdown incident report to FILE when the run ends
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Continue the run RUN_ID (printed when it started) from the step it failed on
    #[arg(long, value_name = "RUN_ID")]
    pub resume: Option<String>,
}

/// Dispatches `opsdeck runbook ...`.
pub fn command(cli: &super::Cli, action: &RunbookAction) -> color_eyre::Result<ExitCode> {
    // Linting named files needs no config: a broken config must not hide them.
    if let RunbookAction::Lint { files } = action {
        if !files.is_empty() {
            return Ok(lint(None, files));
        }
    }
    let Some(loaded) = super::load_config(cli) else {
        return Ok(ExitCode::from(EXIT_CANNOT_START));
    };
    let config = &loaded.config;
    Ok(match action {
        RunbookAction::List => list(config),
        RunbookAction::Show { id } => show(config, id),
        RunbookAction::Lint { files } => lint(Some(config), files),
        RunbookAction::Run(args) => {
            super::runtime()?.block_on(run(config, super::read_only(cli, config), args))
        }
    })
}

fn catalog(config: &Config) -> Catalog {
    let (catalog, errors) = crate::exec::files::load_catalog(&config.runbook_dirs);
    for e in &errors {
        eprintln!("warning: {e} (runbook left out)");
    }
    catalog
}

fn list(config: &Config) -> ExitCode {
    let catalog = catalog(config);
    println!("{:<24} {:<9} {:<32} TRIGGERS", "ID", "SEVERITY", "TITLE");
    for e in catalog.entries() {
        let rb = &e.runbook;
        let triggers: Vec<&str> = rb.triggers.iter().map(|t| t.alert.as_str()).collect();
        let source = match &e.origin {
            Origin::Builtin(_) => String::new(),
            Origin::File(p) => format!("  ({})", p.display()),
        };
        println!(
            "{:<24} {:<9} {:<32} {}{source}",
            rb.id,
            rb.severity.to_string(),
            rb.title,
            triggers.join(", ")
        );
    }
    ExitCode::SUCCESS
}

fn show(config: &Config, id: &str) -> ExitCode {
    let catalog = catalog(config);
    match catalog.get(id) {
        Some(e) => {
            let origin = match &e.origin {
                Origin::Builtin(name) => format!("built in ({name})"),
                Origin::File(p) => p.display().to_string(),
            };
            println!("# {origin}");
            print!("{}", e.text);
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("error: {}", catalog.not_found(id));
            ExitCode::from(EXIT_CANNOT_START)
        }
    }
}

/// Lints the files given, or with none the whole catalogue.
fn lint(config: Option<&Config>, files: &[PathBuf]) -> ExitCode {
    let errors = crate::exec::files::lint_runbooks(config, files);
    for e in &errors {
        println!("{e}");
    }
    if errors.is_empty() {
        println!("ok: no problems found");
        ExitCode::SUCCESS
    } else {
        eprintln!("{} problem(s)", errors.len());
        ExitCode::from(EXIT_FAILED)
    }
}

async fn run(config: &Config, read_only: bool, args: &RunArgs) -> ExitCode {
    let catalog = catalog(config);
    let mode = if args.plan {
        RunMode::Plan
    } else {
        RunMode::Run
    };
    let given = match parse_params(&args.params) {
        Ok(given) => given,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_CANNOT_START);
        }
    };
    let start = match &args.resume {
        Some(run_id) => Start::Resume {
            run_id: run_id.clone(),
            id: args.id.clone(),
            given,
        },
        None => Start::New {
            id: args.id.clone().unwrap_or_default(),
            given,
            labels: BTreeMap::new(),
            alert: None,
        },
    };
    let Prepared {
        run_id,
        runbook: rb,
        engine,
        mut timeline,
    } = match prepare(&catalog, start, mode) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_CANNOT_START);
        }
    };
    let path = timeline.path().to_path_buf();
    println!("run {run_id} (timeline {})", path.display());
    let exec = Arc::new(Executor::new(config.clone(), read_only));
    let person = Arc::new(Terminal::new(args.yes));
    let mut printer = Printer::new(rb.clone());
    let outcome = drive(engine, exec, person, &mut timeline, &mut printer).await;
    if let Some(report) = &args.report {
        match runs::write_report(&rb, &path, report) {
            Ok(()) => println!("report written to {}", report.display()),
            Err(e) => eprintln!("error: report: {e}"),
        }
    }
    match outcome {
        Ok(o) if o.is_clean() => ExitCode::SUCCESS,
        Ok(o) => {
            if o.resume_step().is_some() {
                eprintln!("continue with: opsdeck runbook run --resume {run_id}");
            }
            ExitCode::from(EXIT_FAILED)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

fn parse_params(raw: &[String]) -> Result<BTreeMap<String, String>, String> {
    raw.iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
            _ => Err(format!("--param `{kv}`: expected NAME=VALUE")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_name_equals_value() {
        let p = parse_params(&["workload=local/shop/api".into(), "q=a=b".into()]).unwrap();
        assert_eq!(p["workload"], "local/shop/api");
        assert_eq!(p["q"], "a=b");
        assert!(parse_params(&["novalue".into()]).is_err());
        assert!(parse_params(&["=x".into()]).is_err());
    }
}
