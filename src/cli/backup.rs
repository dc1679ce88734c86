//! `opsdeck backup status [NAME] [--json]`: each `[[backup]]` read once and
//! judged as the Database view and the built-in rules judge it.
//!
//! Exit 0 when every backup is fresh and whole, 1 when one is over its
//! `max_age` or shrunk, or cannot be read, 2 when one is over twice its
//! `max_age` or WAL archiving is failing (as `opsdeck status`: 1 warning,
//! 2 critical); 2 also when no such backup is configured.
//!
//! `--json` prints an array, one object per backup: `name`, `postgres` (the
//! target it protects), `max_age_secs`, `level` (ok, warning, critical),
//! `reading` (as `model::backup::BackupReading` serialises, absent when
//! unreadable), `error` (why it could not be read), `findings` (each with
//! `level` and `text`) and `series` (the `backup:NAME:*` values, with
//! `last_verified`, `restore_seconds` and `last_drill_ok` once `backup verify` ran).

use crate::base::time::unix_now;
use crate::config::Config;
use crate::model::backup::Finding;
use crate::model::Severity;
use crate::source::backup::{BackupSource, COMMAND_TIMEOUT};
use serde::Serialize;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, clap::Subcommand)]
pub enum BackupAction {
    /// Each [[backup]]'s newest backup: age against max_age, size against the previous, WAL archiving
    Status {
        /// Only this [[backup]]
        name: Option<String>,
        /// Print JSON (shape documented in src/cli/backup.rs)
        #[arg(long)]
        json: bool,
    },
    /// A restore drill: the newest dump restored into a scratch database on the
    /// backup's restore_to target, checked, timed, dropped (through the action path)
    Verify {
        /// The [[backup]] (a `path` one, with restore_to)
        name: String,
        #[command(flatten)]
        flags: super::act::ActFlags,
    },
}

#[derive(Serialize)]
struct Report {
    name: String,
    postgres: String,
    max_age_secs: u64,
    level: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    reading: Option<crate::model::backup::BackupReading>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    findings: Vec<Finding>,
    series: BTreeMap<String, f64>,
}

pub async fn run(config: &Config, read_only: bool, action: &BackupAction) -> ExitCode {
    match action {
        BackupAction::Status { name, json } => status(config, name.as_deref(), *json).await,
        BackupAction::Verify { name, flags } => verify(config, read_only, name, flags).await,
    }
}

/// Exit codes as every verb's (src/cli/act.rs): 0 the drill passed, 1 it
/// ran and failed (pg_restore's error or the failed checks are printed),
/// 2 no plan, 3 refused read-only, 4 not confirmed.
async fn verify(
    config: &Config,
    read_only: bool,
    name: &str,
    flags: &super::act::ActFlags,
) -> ExitCode {
    use crate::exec::backup_drill::{drill_addr, DrillOrchestrator};
    let planned = DrillOrchestrator::of(config, name).and_then(|o| Ok((o, drill_addr(name)?)));
    let (orch, addr) = match planned {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(super::act::EXIT_NO_PLAN);
        }
    };
    let request = crate::action::Request {
        workload: addr,
        verb: crate::action::Verb::Verify,
    };
    super::act::run_on(&orch, read_only, request, flags).await
}

async fn status(config: &Config, only: Option<&str>, json: bool) -> ExitCode {
    let chosen: Vec<_> = config
        .backup
        .iter()
        .filter(|b| only.is_none_or(|n| b.name.get_ref() == n))
        .collect();
    if chosen.is_empty() {
        let names: Vec<&str> = config
            .backup
            .iter()
            .map(|b| b.name.get_ref().as_str())
            .collect();
        match only {
            Some(n) if !names.is_empty() => eprintln!(
                "error: no [[backup]] named {n:?}; configured: {}",
                names.join(", ")
            ),
            _ => eprintln!("error: no [[backup]] is configured (see opsdeck config init)"),
        }
        return ExitCode::from(2);
    }
    let reads = chosen
        .into_iter()
        .map(|b| async move { report(config, b).await });
    let reports = futures::future::join_all(reads).await;
    if json {
        match serde_json::to_string_pretty(&reports) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        for r in &reports {
            print_one(r);
        }
    }
    let worst = reports
        .iter()
        .map(|r| r.level)
        .max()
        .unwrap_or(Severity::Ok);
    ExitCode::from(match worst {
        Severity::Critical => 2,
        Severity::Warning => 1,
        _ => 0,
    })
}

async fn report(config: &Config, b: &crate::config::BackupTarget) -> Report {
    let name = b.name.get_ref().clone();
    let mut out = Report {
        name: name.clone(),
        postgres: b.postgres.get_ref().clone(),
        max_age_secs: 0,
        level: Severity::Warning,
        reading: None,
        error: None,
        findings: Vec::new(),
        series: BTreeMap::new(),
    };
    let mut source = match BackupSource::of(config, b) {
        Ok(s) => s,
        Err(e) => {
            out.error = Some(e);
            return out;
        }
    };
    out.max_age_secs = source.max_age.as_secs();
    let read = tokio::time::timeout(COMMAND_TIMEOUT + Duration::from_secs(5), source.read());
    let reading = match read.await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            out.error = Some(e);
            return out;
        }
        Err(_) => {
            out.error = Some("no answer in time".into());
            return out;
        }
    };
    let now = unix_now();
    out.findings = reading.judge(now, source.max_age);
    out.level = out
        .findings
        .iter()
        .map(|f| f.level)
        .max()
        .unwrap_or(Severity::Ok);
    out.series = reading
        .series(&name, now, source.max_age)
        .into_iter()
        .chain(crate::source::backup::drill_series(&name))
        .collect();
    out.reading = Some(reading);
    out
}

fn print_one(r: &Report) {
    let head = format!("{} (protects {})", r.name, r.postgres);
    match (&r.reading, &r.error) {
        (_, Some(e)) => println!("{head}: UNREADABLE: {e}"),
        (Some(reading), None) => {
            let verdict = if r.findings.is_empty() {
                "ok".to_string()
            } else {
                r.findings
                    .iter()
                    .map(|f| format!("{}: {}", f.level.as_str().to_uppercase(), f.text))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            println!("{head}: {verdict}\n  {}", reading.summary(unix_now()));
        }
        (None, None) => println!("{head}: no reading"),
    }
}
