//! `opsdeck load URL`: a load run from the command line, through the one
//! action path (plan → `--read-only` refusal → confirmation → audit), with a
//! live progress line on a terminal and a summary (text or `--json`) at the end.
//!
//! Exit codes as for every action: 0 ran and something answered; 1 nothing
//! answered; 2 bad arguments; 3 refused by `--read-only`; 4 not confirmed.

use super::act::{self, ActFlags, EXIT_FAILED, EXIT_NOT_CONFIRMED, EXIT_NO_PLAN};
use crate::action::perform::Confirm;
use crate::action::{perform, Orchestrator, PerformError, PerformOptions, Performed, Request};
use crate::load::args::LoadFlags;
use crate::load::capacity::flags::CapacityFlags;
use crate::load::report::{progress_line, summary};
use crate::load::LoadOrchestrator;
use std::io::IsTerminal as _;
use std::process::ExitCode;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// `opsdeck load`: the run's flags, and how the result is printed and confirmed.
#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    #[command(flatten)]
    pub load: LoadFlags,
    #[command(flatten)]
    pub capacity: CapacityFlags,
    /// Print the summary as JSON on stdout
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub flags: ActFlags,
}

pub async fn run(args: &LoadArgs, read_only: bool, config: &crate::config::Config) -> ExitCode {
    if args.capacity.is_capacity() {
        return super::capacity::run(args, read_only, config).await;
    }
    let spec = match args.load.spec() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_NO_PLAN);
        }
    };
    let open = spec.profile.is_open();
    let request = spec.request();
    let (orch, live) = LoadOrchestrator::new(spec);
    let opts = PerformOptions::new(read_only, args.flags.dry_run);
    let confirm = confirmation(&args.flags, args.json);
    let progress = std::io::stderr()
        .is_terminal()
        .then(|| tokio::spawn(show_progress(live.figures.clone())));
    let stopping = "stopping: the summary covers what was sent so far";
    let result = perform_run(
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
            let last = live.figures.borrow().clone();
            match (last, args.json) {
                (Some(s), true) => match serde_json::to_string_pretty(&s) {
                    Ok(text) => println!("{text}"),
                    Err(e) => eprintln!("error: {e}"),
                },
                (Some(s), false) => print!("{}", summary(&s, open)),
                (None, _) => println!("{}", outcome.message),
            }
            ExitCode::from(if outcome.ok { 0 } else { EXIT_FAILED })
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

/// How a run is confirmed: `--yes` with `--json` shows no plan, which would
/// spoil the JSON on stdout.
pub(super) fn confirmation(flags: &ActFlags, json: bool) -> Confirm {
    match (flags.yes, json) {
        (true, true) => crate::action::perform::confirmed(),
        (true, false) => act::with_plan_shown(crate::action::perform::confirmed()),
        (false, _) => act::ask_on_terminal(),
    }
}

/// Performs a run through the action path: Ctrl-C sends `abort` (saying
/// `stopping` on stderr), and `progress`, drawing on stderr meanwhile, is
/// stopped and its line ended when the run is.
pub(super) async fn perform_run(
    orch: &dyn Orchestrator,
    request: &Request,
    opts: &PerformOptions,
    confirm: Confirm,
    abort: &watch::Sender<bool>,
    stopping: &'static str,
    progress: Option<JoinHandle<()>>,
) -> Result<Performed, PerformError> {
    let abort = abort.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\n{stopping}");
            let _ = abort.send(true);
        }
    });
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let result = perform(orch, request, opts, confirm, &tx).await;
    drop(tx);
    let _ = drain.await;
    ctrl_c.abort();
    if let Some(p) = progress {
        p.abort();
        let _ = p.await;
        eprintln!();
    }
    result
}

async fn show_progress(
    mut figures: tokio::sync::watch::Receiver<Option<crate::load::LoadFigures>>,
) {
    while figures.changed().await.is_ok() {
        if let Some(s) = figures.borrow_and_update().as_ref() {
            eprint!("\r{}\x1b[K", progress_line(s));
        }
    }
}
