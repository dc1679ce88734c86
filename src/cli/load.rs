//! `opsdeck load URL`: a load run from the command line, through the one
//! action path (plan → `--read-only` refusal → confirmation → audit), with a
//! live progress line on a terminal and a summary (text or `--json`) at the end.
//!
//! Exit codes as for every action: 0 ran and something answered; 1 nothing
//! answered; 2 bad arguments; 3 refused by `--read-only`; 4 not confirmed.

use super::act::{self, ActFlags, EXIT_FAILED, EXIT_NOT_CONFIRMED, EXIT_NO_PLAN};
use crate::action::{perform, PerformOptions, Performed};
use crate::load::report::{progress_line, summary};
use crate::load::spec::parse_header;
use crate::load::{Endpoint, LoadOrchestrator, LoadSpec, Profile, Stop};
use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProfileKind {
    Constant,
    Ramp,
    Spike,
}

#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    /// The http:// or https:// URL to send requests to (TLS is verified)
    pub url: String,
    /// Connections (HTTP/1.1), or concurrent streams on one connection (--http2)
    #[arg(short = 'c', long = "connections", default_value_t = 50)]
    pub connections: usize,
    /// How long to send (default 10s unless -n is given)
    #[arg(short = 'd', long, value_parser = parse_duration, conflicts_with = "requests")]
    pub duration: Option<Duration>,
    /// How many requests to send
    #[arg(short = 'n', long)]
    pub requests: Option<u64>,
    /// Requests per second, on a schedule (open model; latency counts from each
    /// request's scheduled time). Without it, as fast as the connections allow.
    /// The spike profile's baseline.
    #[arg(long, value_name = "R")]
    pub rate: Option<f64>,
    #[arg(long, value_enum, default_value = "constant")]
    pub profile: ProfileKind,
    /// Ramp: starting rate (default 0)
    #[arg(long, value_name = "R")]
    pub from: Option<f64>,
    /// Ramp: final rate
    #[arg(long, value_name = "R")]
    pub to: Option<f64>,
    /// Ramp: how long the climb takes (default: the whole run)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub over: Option<Duration>,
    /// Spike: the multiple of --rate during the spike
    #[arg(long = "spike-x", value_name = "N", default_value_t = 10.0)]
    pub spike_x: f64,
    /// Spike: when it starts (default: a third into the run)
    #[arg(long = "spike-at", value_name = "DURATION", value_parser = parse_duration)]
    pub spike_at: Option<Duration>,
    /// Spike: how long it lasts (default: a third of the run)
    #[arg(long = "spike-for", value_name = "DURATION", value_parser = parse_duration)]
    pub spike_for: Option<Duration>,
    #[arg(short = 'm', long, default_value = "GET")]
    pub method: String,
    /// A request header, `Name: value`; repeatable. Values never appear in plans or the audit log.
    #[arg(short = 'H', long = "header", value_name = "'NAME: VALUE'")]
    pub headers: Vec<String>,
    /// The request body: TEXT, or @FILE to read it from a file
    #[arg(long, value_name = "TEXT|@FILE")]
    pub body: Option<String>,
    /// HTTP/2 (h2 over TLS, prior knowledge over http://): streams share one connection
    #[arg(long)]
    pub http2: bool,
    /// A request without a complete answer this long counts as a timeout
    #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Print the summary as JSON on stdout
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub flags: ActFlags,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    crate::base::duration::parse(s)
}

impl LoadArgs {
    /// The run these flags ask for, or what is wrong with them.
    pub fn spec(&self) -> Result<LoadSpec, String> {
        let stop = match (self.duration, self.requests) {
            (_, Some(n)) => Stop::Count(n),
            (Some(d), None) => Stop::After(d),
            (None, None) => Stop::After(Duration::from_secs(10)),
        };
        let run_length = match stop {
            Stop::After(d) => Some(d),
            Stop::Count(_) => None,
        };
        // Whole milliseconds: a third of 8s reads 2.667s, not 2s666ms666us666ns.
        let third = || {
            run_length
                .map(|d| Duration::from_millis((d / 3).as_millis() as u64))
                .ok_or_else(|| "with -n, give --spike-at and --spike-for".to_string())
        };
        let profile = match self.profile {
            ProfileKind::Constant => match self.rate {
                Some(rate) => Profile::Constant { rate },
                None => Profile::Max,
            },
            ProfileKind::Ramp => Profile::Ramp {
                from: self.from.unwrap_or(0.0),
                to: self
                    .to
                    .ok_or("the ramp profile needs --to R (and --from R, --over DURATION)")?,
                over: match self.over.or(run_length) {
                    Some(d) => d,
                    None => return Err("with -n, the ramp profile needs --over".into()),
                },
            },
            ProfileKind::Spike => Profile::Spike {
                base: self
                    .rate
                    .ok_or("the spike profile needs --rate R, its baseline")?,
                times: self.spike_x,
                at: match self.spike_at {
                    Some(d) => d,
                    None => third()?,
                },
                hold: match self.spike_for {
                    Some(d) => d,
                    None => third()?,
                },
            },
        };
        let method = hyper::Method::from_bytes(self.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| format!("-m {}: not an HTTP method", self.method))?;
        let headers = self
            .headers
            .iter()
            .map(|h| parse_header(h))
            .collect::<Result<Vec<_>, _>>()?;
        let body = match self.body.as_deref() {
            None => Vec::new(),
            Some(b) => match b.strip_prefix('@') {
                Some(path) => std::fs::read(path)
                    .map_err(|e| format!("--body @{path}: cannot read the file: {e}"))?,
                None => b.as_bytes().to_vec(),
            },
        };
        let spec = LoadSpec {
            endpoint: Endpoint::parse(&self.url)?,
            url: self.url.clone(),
            method,
            headers,
            body,
            connections: self.connections,
            stop,
            profile,
            http2: self.http2,
            timeout: self.timeout,
        };
        spec.validate()?;
        Ok(spec)
    }
}

pub async fn run(args: &LoadArgs, read_only: bool) -> ExitCode {
    let spec = match args.spec() {
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
    let confirm = match (args.flags.yes, args.json) {
        // The plan would spoil the JSON on stdout.
        (true, true) => crate::action::perform::confirmed(),
        (true, false) => act::with_plan_shown(crate::action::perform::confirmed()),
        (false, _) => act::ask_on_terminal(),
    };
    let abort = live.abort.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nstopping: the summary covers what was sent so far");
            let _ = abort.send(true);
        }
    });
    let progress = std::io::stderr()
        .is_terminal()
        .then(|| tokio::spawn(show_progress(live.figures.clone())));
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let result = perform(&orch, &request, &opts, confirm, &tx).await;
    drop(tx);
    let _ = drain.await;
    ctrl_c.abort();
    if let Some(p) = progress {
        p.abort();
        let _ = p.await;
        eprintln!();
    }
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

async fn show_progress(mut figures: tokio::sync::watch::Receiver<Option<crate::load::Snapshot>>) {
    while figures.changed().await.is_ok() {
        if let Some(s) = figures.borrow_and_update().as_ref() {
            eprint!("\r{}\x1b[K", progress_line(s));
        }
    }
}

/// `opsdeck load`'s flags read from the console's `:load URL ...` line, so the
/// console and the CLI accept the same words (split at spaces: write headers
/// as `-H Name:value`).
#[derive(Debug, clap::Parser)]
#[command(name = ":load", no_binary_name = true, disable_help_flag = true)]
struct LoadLine {
    #[command(flatten)]
    args: LoadArgs,
}

pub fn parse_line(line: &str) -> Result<LoadSpec, String> {
    use clap::Parser as _;
    let parsed = LoadLine::try_parse_from(line.split_whitespace()).map_err(|e| {
        // clap's first line names the problem; the rest is usage for a shell.
        let text = e.to_string();
        let first = text.lines().next().unwrap_or_default();
        first.trim_start_matches("error: ").to_string()
    })?;
    parsed.args.spec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_line_reads_like_the_command() {
        let spec = parse_line(
            "http://127.0.0.1:8080/work -c 4 -d 30s --rate 50 --profile spike --spike-x 3",
        )
        .unwrap();
        assert_eq!(spec.connections, 4);
        assert_eq!(spec.stop, Stop::After(Duration::from_secs(30)));
        assert_eq!(
            spec.profile,
            Profile::Spike {
                base: 50.0,
                times: 3.0,
                at: Duration::from_secs(10),
                hold: Duration::from_secs(10)
            }
        );
        let spec = parse_line("http://h/ -d 8s --rate 5 --profile spike").unwrap();
        assert!(
            spec.plan().summary.contains("at 2s666ms for 2s666ms"),
            "{}",
            spec.plan().summary
        );
        let e = parse_line("http://h/ --profile ramp").unwrap_err();
        assert!(e.contains("--to"), "{e}");
        let e = parse_line("http://h/ --bogus").unwrap_err();
        assert!(e.contains("--bogus"), "{e}");
        assert!(parse_line("").is_err());
    }
}
