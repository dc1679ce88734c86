//! A backup before a risky action: `pg_dump --format=custom` of a target's
//! database (`TARGET/dump/new`) into the directory of the `[[backup]]` that
//! protects it, named so its `path` pattern matches it (the freshness check
//! and `backup verify` see it). The plan names the database, its size on
//! disk and the file; execute writes to a `.partial` file, reads it back
//! with `pg_restore --list`, and only then gives it its name.

use super::super::{Outcome, Plan, PlanStep, Request, StepOp, Verb};
use crate::base::time::unix_now;
use crate::base::units::bytes;
use crate::connect::postgres::tools::{error_line, output_within, server_tool};
use crate::connect::postgres::{describe, Session};
use crate::model::backup::DEFAULT_TOOL_TIMEOUT;
use crate::model::{WorkloadAddr, WorkloadKind};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

pub const DUMP: &str = "dump";

/// `TARGET/dump/new`: a new dump of `target`'s database.
pub fn dump_addr(target: &str) -> WorkloadAddr {
    WorkloadAddr {
        target: target.to_string(),
        group: DUMP.to_string(),
        name: "new".to_string(),
    }
}

/// Where a target's dumps go, from the `[[backup]]` `path` protecting it.
#[derive(Debug, Clone, PartialEq)]
pub struct DumpPlace {
    pub dir: String,
    /// The file-name pattern a dump's name fills in.
    pub pattern: String,
    /// `dump_timeout`: a pg_dump still running then is killed.
    pub timeout: Duration,
}

pub fn dump_place(config: &crate::config::Config, target: &str) -> Option<DumpPlace> {
    let b = config
        .backup
        .iter()
        .find(|b| b.postgres.get_ref() == target && b.path.is_some())?;
    let path = b.path.as_ref()?.get_ref();
    let (dir, pattern) = match path.rsplit_once('/') {
        Some((dir, name)) if name.contains('*') => (dir.to_string(), name.to_string()),
        _ => (path.trim_end_matches('/').to_string(), "*.dump".to_string()),
    };
    Some(DumpPlace {
        dir,
        pattern,
        timeout: b
            .dump_timeout
            .as_ref()
            .map_or(DEFAULT_TOOL_TIMEOUT, |t| t.get_ref().0),
    })
}

/// What the plan shows for the time in a dump's name: the name is stamped
/// when the dump starts, so that a plan made again (a runbook's, before it
/// applies) is the plan that was confirmed.
const STAMP_LATER: &str = "<UTC time it starts>";

/// The file for a dump stamped `stamp`: the pattern's first `*` filled in.
pub fn file_name(pattern: &str, target: &str, stamp: &str) -> String {
    pattern.replacen('*', &format!("opsdeck-{target}-{stamp}"), 1)
}

fn stamp(now: i64) -> String {
    crate::base::time::rfc3339(now).replace([':', '-'], "")
}

pub async fn plan(
    target: &str,
    client: &tokio_postgres::Client,
    session: &Session,
    place: Option<&DumpPlace>,
    req: &Request,
) -> Result<Plan, String> {
    let Some(DumpPlace {
        dir,
        pattern,
        timeout,
    }) = place
    else {
        return Err(format!(
            "no [[backup]] with a path protects {target}: its directory is where a dump goes"
        ));
    };
    let row = client
        .query_one(
            "select current_database()::text, pg_database_size(current_database())",
            &[],
        )
        .await
        .map_err(|e| session.dsn().scrub(&describe(&e)))?;
    let (db, size): (String, i64) = (row.get(0), row.get(1));
    let file = format!("{dir}/{}", file_name(pattern, target, STAMP_LATER));
    Ok(Plan {
        request: req.clone(),
        kind: WorkloadKind::Backup,
        summary: format!("dump {target} database {db} ({}) into {file}", bytes(size as f64)),
        steps: vec![
            PlanStep {
                op: StepOp::Create,
                subject: file.clone(),
                detail: format!(
                    "pg_dump --format=custom of database {db} on {} ({} on disk; the dump is smaller), killed after {} (dump_timeout)",
                    session.dsn().describe(),
                    bytes(size as f64),
                    crate::base::duration::format(*timeout)
                ),
            },
            PlanStep {
                op: StepOp::Verify,
                subject: file,
                detail: "pg_restore --list reads the whole file back".into(),
            },
        ],
        destructive: false,
    })
}

pub async fn run(
    target: &str,
    session: &Session,
    place: Option<&DumpPlace>,
    plan: &Plan,
    progress: mpsc::Sender<String>,
) -> Result<Outcome, String> {
    if plan.request.verb != Verb::Dump {
        return Err(format!("{} is not a dump", plan.request.verb.name()));
    }
    let DumpPlace {
        dir,
        pattern,
        timeout,
    } = place.ok_or("no [[backup]] directory for the dump")?;
    let planned = format!("{dir}/{}", file_name(pattern, target, STAMP_LATER));
    if plan.steps.first().map(|s| &s.subject) != Some(&planned) {
        return Err(format!(
            "{target}'s dumps go elsewhere since this was planned; nothing was done, plan again"
        ));
    }
    // Two dumps in one second (a runbook's right after a CLI one) each get a file.
    let now = stamp(unix_now());
    let mut file = format!("{dir}/{}", file_name(pattern, target, &now));
    let mut n = 1;
    while std::path::Path::new(&file).exists() {
        n += 1;
        file = format!(
            "{dir}/{}",
            file_name(pattern, target, &format!("{now}-{n}"))
        );
    }
    let partial = format!("{file}.partial");
    let dsn = session.dsn();
    let _ = progress.send(format!("pg_dump into {partial}")).await;
    let started = Instant::now();
    let fail = |what: &str, out: &std::process::Output| {
        let _ = std::fs::remove_file(&partial);
        Ok(Outcome {
            ok: false,
            message: dsn.scrub(&format!(
                "{what} failed: {} ({}); no dump was kept",
                error_line(&out.stderr),
                out.status
            )),
            rolled_back: false,
        })
    };
    let mut cmd = tokio::process::Command::new(server_tool("pg_dump"));
    cmd.args(["--format=custom", "--file"])
        .arg(&partial)
        .envs(dsn.libpq_env());
    let out = match output_within(&mut cmd, "pg_dump", *timeout, "dump_timeout").await {
        Ok(out) => out,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Ok(Outcome {
                ok: false,
                message: format!("{e}; no dump was kept"),
                rolled_back: false,
            });
        }
    };
    if !out.status.success() {
        return fail("pg_dump", &out);
    }
    let took = started.elapsed().as_secs_f64();
    let _ = progress.send(format!("pg_restore --list {partial}")).await;
    let listed = tokio::process::Command::new(server_tool("pg_restore"))
        .arg("--list")
        .arg(&partial)
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| format!("pg_restore cannot run: {e}"))?;
    if !listed.status.success() {
        return fail("reading the dump back (pg_restore --list)", &listed);
    }
    std::fs::rename(&partial, &file).map_err(|e| format!("{partial} → {file}: {e}"))?;
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    Ok(Outcome {
        ok: true,
        message: format!(
            "dumped into {file} ({}) in {took:.1}s; pg_restore --list reads it back",
            bytes(size as f64)
        ),
        rolled_back: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dump_is_named_so_its_backup_pattern_matches() {
        let name = file_name("*.dump", "main-db", &stamp(1_800_000_000));
        assert_eq!(name, "opsdeck-main-db-20270115T080000Z.dump");
        assert!(crate::metrics::glob_match("*.dump", &name));
        let name = file_name("main-*.pgdump", "db", &stamp(1_800_000_000));
        assert!(crate::metrics::glob_match("main-*.pgdump", &name), "{name}");
        assert_eq!(dump_addr("db").to_string(), "db/dump/new");
    }
}
