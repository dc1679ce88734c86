//! `opsdeck load URL --stages ...`: a capacity run from the command line,
//! through the one action path, with the running stage on a terminal's
//! stderr, a table of the stages and the verdict at the end.
//!
//! Exit codes: 0 the target stage passed its thresholds; 1 it did not (or
//! was not reached); 2 bad arguments; 3 refused by `--read-only`; 4 not confirmed.

use super::act::{self, EXIT_FAILED, EXIT_NOT_CONFIRMED, EXIT_NO_PLAN};
use super::load::LoadArgs;
use crate::action::{PerformOptions, Performed};
use crate::exec::capacity::{judgement, Watch};
use crate::load::capacity::run::{CapacityOrchestrator, Progress};
use crate::load::capacity::{markdown, table};
use crate::load::report::progress_line;
use crate::load::LoadFigures;
use serde_json::json;
use std::io::IsTerminal as _;
use std::process::ExitCode;
use tokio::sync::watch;

pub async fn run(args: &LoadArgs, read_only: bool, config: &crate::config::Config) -> ExitCode {
    let current = match &args.capacity.from_current {
        None => None,
        Some(service) => match current_rps(config, service).await {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("error: --from-current {service}: {e}");
                return ExitCode::from(EXIT_NO_PLAN);
            }
        },
    };
    let spec = match args.capacity.spec(&args.load, current) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_NO_PLAN);
        }
    };
    let request = spec.request();
    let stage_labels: Vec<String> = spec.stages.iter().map(|s| s.label()).collect();
    let endpoint = spec.base.endpoint.clone();
    let watch = match Watch::prepare(config, &endpoint, args.capacity.workload.clone()).await {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_NO_PLAN);
        }
    };
    let (orch, live) = CapacityOrchestrator::new(spec);
    let orch = match watch {
        Some(w) => orch.watching(Box::new(w), judgement()),
        None => orch,
    };
    let opts = PerformOptions::new(read_only, args.flags.dry_run);
    let confirm = super::load::confirmation(&args.flags, args.json);
    let progress = std::io::stderr().is_terminal().then(|| {
        tokio::spawn(show_progress(
            live.figures.clone(),
            live.progress.clone(),
            stage_labels,
        ))
    });
    let started = crate::base::time::now_rfc3339();
    let stopping = "stopping: the stages run so far are judged, the rest are not run";
    let result = super::load::perform_run(
        &orch,
        &request,
        &opts,
        confirm,
        &live.abort,
        stopping,
        progress,
    )
    .await;
    match result {
        Ok(Performed::Done(_, outcome)) => {
            let done = live.progress.borrow().clone();
            print_result(&done, args.json, &outcome.message);
            let written = match (&args.capacity.report, &done.verdict) {
                (Some(path), Some(v)) => {
                    match markdown::write(path, orch.spec(), &done.rows, v, &started) {
                        Ok(()) => {
                            eprintln!("report written to {}", path.display());
                            true
                        }
                        Err(e) => {
                            eprintln!("error: {e}");
                            false
                        }
                    }
                }
                _ => true,
            };
            // A report asked for and not written is a failed run: its reader has nothing.
            ExitCode::from(if outcome.ok && written {
                0
            } else {
                EXIT_FAILED
            })
        }
        Ok(Performed::DryRun(plan, _)) => {
            act::print_plan(&plan);
            println!("dry run: nothing was sent");
            ExitCode::SUCCESS
        }
        Ok(Performed::Declined(_)) => {
            eprintln!("not started: nothing was sent");
            ExitCode::from(EXIT_NOT_CONFIRMED)
        }
        Err(e) => act::report_error(e),
    }
}

fn print_result(done: &Progress, as_json: bool, message: &str) {
    if as_json {
        let value = json!({ "stages": done.rows, "verdict": done.verdict });
        match serde_json::to_string_pretty(&value) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("error: {e}"),
        }
        return;
    }
    print!("{}", table::text(&done.rows));
    print!("{}", table::beside(&done.rows));
    println!("verdict: {message}");
}

async fn show_progress(
    mut figures: watch::Receiver<Option<LoadFigures>>,
    progress: watch::Receiver<Progress>,
    labels: Vec<String>,
) {
    while figures.changed().await.is_ok() {
        let current = progress.borrow().current;
        if let (Some(s), Some(i)) = (figures.borrow_and_update().as_ref(), current) {
            eprint!(
                "\rstage {}/{} {}: {}\x1b[K",
                i + 1,
                labels.len(),
                labels[i],
                progress_line(s)
            );
        }
    }
}

/// SERVICE's requests/s now, after two readings of every target.
async fn current_rps(config: &crate::config::Config, service: &str) -> Result<f64, String> {
    let (model, _) = super::status::collect(config, true, None).await;
    crate::console::services::requests_per_second(&model, service)
}
