//! `opsdeck audit [--json]`: the audit log, oldest first.

use crate::action::audit::{AuditLog, AuditRecord, Phase};
use std::process::ExitCode;

pub fn run(json: bool) -> ExitCode {
    let log = AuditLog::in_data_dir();
    let records = match log.read() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    if json {
        // JSON lines, one record each, exactly as stored (and as `jq` reads them).
        for r in &records {
            match serde_json::to_string(r) {
                Ok(line) => println!("{line}"),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(1);
                }
            }
        }
        return ExitCode::SUCCESS;
    }
    if records.is_empty() {
        println!("no actions recorded in {}", log.path().display());
        return ExitCode::SUCCESS;
    }
    println!(
        "{:<30} {:<20} {:<8} {:<9} {:<32} RESULT",
        "AT", "WHO", "PHASE", "VERB", "WORKLOAD"
    );
    for r in &records {
        println!(
            "{:<30} {:<20} {:<8} {:<9} {:<32} {}",
            r.at,
            r.actor.describe(),
            match r.phase {
                Phase::Intent => "intent",
                Phase::Outcome => "outcome",
            },
            r.verb,
            r.workload,
            result(r)
        );
    }
    ExitCode::SUCCESS
}

fn result(r: &AuditRecord) -> String {
    match (r.phase, r.ok, r.rolled_back, &r.error) {
        (Phase::Intent, ..) => r.plan.summary.clone(),
        (_, _, _, Some(e)) => format!("error: {e}"),
        (_, Some(true), _, _) => format!("ok: {}", r.message.clone().unwrap_or_default()),
        (_, _, Some(true), _) => format!("rolled back: {}", r.message.clone().unwrap_or_default()),
        _ => format!("failed: {}", r.message.clone().unwrap_or_default()),
    }
}
