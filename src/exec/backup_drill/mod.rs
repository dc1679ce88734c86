//! The restore drill of a `[[backup]]` (`opsdeck backup verify NAME`),
//! through the action path like every change: the plan names the dump file,
//! the scratch database and the server it is created on (the config's
//! `restore_to`, never the source database itself); execute creates the
//! scratch database, restores the newest dump into it with `pg_restore`,
//! checks it (tables present, row counts near the source's estimates, the
//! configured query), drops it whatever happened, and records the result.
//! Here rather than in `action` because it lists the dumps as the backup
//! collector does (`source::backup::files`), and action never imports source.

mod record;
mod restore;

pub use record::{last_drill, DrillRecord};

use crate::action::{Orchestrator, Outcome, Plan, PlanStep, Request, Revision, StepOp, Verb};
use crate::base::time::{rfc3339, unix_now};
use crate::base::units::bytes;
use crate::config::Config;
use crate::connect::postgres::{connect_once, session, Dsn, Session};
use crate::model::backup::{BackupReading, DumpFile, DEFAULT_TOOL_TIMEOUT};
use crate::model::restore_check::DEFAULT_ROW_TOLERANCE;
use crate::model::{WorkloadAddr, WorkloadKind};
use futures::future::BoxFuture;
use tokio::sync::mpsc;

/// `BACKUP/restore/newest`: what a restore drill is addressed as.
pub fn drill_addr(backup: &str) -> Result<WorkloadAddr, String> {
    format!("{backup}/restore/newest").parse()
}

pub struct DrillOrchestrator {
    backup: String,
    path: String,
    /// The protected target: its estimates are what the restore is checked against.
    source_target: String,
    source: Session,
    restore_target: String,
    restore: Dsn,
    tolerance: f64,
    check_query: Option<String>,
    restore_timeout: std::time::Duration,
}

impl DrillOrchestrator {
    pub fn of(config: &Config, name: &str) -> Result<DrillOrchestrator, String> {
        let Some(b) = config.backup.iter().find(|b| b.name.get_ref() == name) else {
            let names: Vec<&str> = config
                .backup
                .iter()
                .map(|b| b.name.get_ref().as_str())
                .collect();
            return Err(format!(
                "no [[backup]] named {name:?}; configured: {}",
                if names.is_empty() {
                    "none".into()
                } else {
                    names.join(", ")
                }
            ));
        };
        let Some(path) = &b.path else {
            return Err(format!(
                "backup {name:?} watches {}; a restore drill restores a dump file (path = \"...\")",
                if b.wal_archive {
                    "WAL archiving"
                } else {
                    "a command"
                }
            ));
        };
        let Some(restore_to) = &b.restore_to else {
            // Never guessed: a wrong server would take a full restore's load.
            return Err(format!(
                "backup {name:?} has no restore_to: add restore_to = \"TARGET\" to its [[backup]], \
                 naming the [[postgres]] target whose server may hold the scratch database \
                 (not {:?}'s own database)",
                b.postgres.get_ref()
            ));
        };
        let dsn_of = |target: &str| -> Result<Dsn, String> {
            let pg = config
                .postgres
                .iter()
                .find(|p| p.name.get_ref() == target)
                .ok_or_else(|| format!("no [[postgres]] target named {target:?}"))?;
            Dsn::of(pg)
        };
        let source_target = b.postgres.get_ref().clone();
        Ok(DrillOrchestrator {
            backup: name.to_string(),
            path: path.get_ref().clone(),
            source: session(&source_target, &dsn_of(&source_target)?),
            source_target,
            restore_target: restore_to.get_ref().clone(),
            restore: dsn_of(restore_to.get_ref())?,
            tolerance: b.row_tolerance.unwrap_or(DEFAULT_ROW_TOLERANCE),
            check_query: b.check_query.clone(),
            restore_timeout: b
                .restore_timeout
                .as_ref()
                .map_or(DEFAULT_TOOL_TIMEOUT, |t| t.get_ref().0),
        })
    }

    async fn newest(&self) -> Result<DumpFile, String> {
        let path = self.path.clone();
        let read = tokio::task::spawn_blocking(move || crate::source::backup::files::newest(&path))
            .await
            .map_err(|e| format!("listing the dumps stopped: {e}"))??;
        match read {
            BackupReading::Dumps { newest, .. } => Ok(newest),
            _ => Err("no dump file".into()),
        }
    }

    fn restore_detail(&self, dump: &DumpFile, scratch: &str) -> String {
        format!(
            "pg_restore {} ({}, modified {}) into {scratch}, killed after {} (restore_timeout)",
            dump.path,
            bytes(dump.size as f64),
            rfc3339(dump.modified),
            crate::base::duration::format(self.restore_timeout)
        )
    }

    async fn plan_drill(&self, req: &Request) -> Result<Plan, String> {
        if req.verb != Verb::Verify {
            return Err(format!(
                "{} does not apply to a backup; verify does",
                req.verb.name()
            ));
        }
        if req.workload.target != self.backup {
            return Err(format!("{} is not backup `{}`", req.workload, self.backup));
        }
        let dump = self.newest().await?;
        let scratch = scratch_name(&self.backup, SCRATCH_LATER);
        let server = self.restore.describe();
        let mut steps = vec![
            PlanStep {
                op: StepOp::Create,
                subject: scratch.clone(),
                detail: format!("create database {scratch} on [[postgres]] {} ({server})", self.restore_target),
            },
            PlanStep {
                op: StepOp::Restore,
                subject: dump.path.clone(),
                detail: self.restore_detail(&dump, &scratch),
            },
            PlanStep {
                op: StepOp::Check,
                subject: scratch.clone(),
                detail: format!(
                    "every table of {} present; row counts within ±{:.0}% of its pg_class.reltuples",
                    self.source_target,
                    self.tolerance * 100.0
                ),
            },
        ];
        if let Some(q) = &self.check_query {
            steps.push(PlanStep {
                op: StepOp::Check,
                subject: scratch.clone(),
                detail: format!("check_query: {q}"),
            });
        }
        steps.push(PlanStep {
            op: StepOp::Remove,
            subject: scratch.clone(),
            detail: format!("drop database {scratch} (also when a step fails)"),
        });
        Ok(Plan {
            request: req.clone(),
            kind: WorkloadKind::Backup,
            summary: format!(
                "restore drill of {}: {} → scratch database {scratch} on {}",
                self.backup, dump.path, self.restore_target
            ),
            steps,
            destructive: false,
        })
    }

    async fn run(&self, plan: &Plan, progress: mpsc::Sender<String>) -> Result<Outcome, String> {
        let planned = scratch_name(&self.backup, SCRATCH_LATER);
        // A newer dump by now is not what was confirmed.
        let dump = self.newest().await?;
        if plan.steps.get(1).map(|s| &s.detail) != Some(&self.restore_detail(&dump, &planned)) {
            return Err(format!(
                "the newest dump of {} changed since it was planned; nothing was done, plan again",
                self.backup
            ));
        }
        let scratch = scratch_name(&self.backup, &unix_now().to_string());
        let admin = connect_once(&self.restore).await?;
        // Creating from a large template or dropping a large restore can take
        // longer than opsdeck's statement timeout; this connection does nothing else.
        admin
            .batch_execute("set statement_timeout = 0")
            .await
            .map_err(|e| self.restore.scrub(&crate::connect::postgres::describe(&e)))?;
        let _ = progress.send(format!("create database {scratch}")).await;
        admin
            .batch_execute(&format!("create database \"{scratch}\""))
            .await
            .map_err(|e| self.restore.scrub(&crate::connect::postgres::describe(&e)))?;
        let drill = restore::Drill {
            dump: &dump,
            scratch: &scratch,
            restore: &self.restore,
            source: &self.source,
            tolerance: self.tolerance,
            check_query: self.check_query.as_deref(),
            timeout: self.restore_timeout,
        };
        let result = drill.run(&progress).await;
        let _ = progress.send(format!("drop database {scratch}")).await;
        let dropped = admin
            .batch_execute(&format!(
                "drop database if exists \"{scratch}\" with (force)"
            ))
            .await
            .map_err(|e| self.restore.scrub(&crate::connect::postgres::describe(&e)));
        let record = DrillRecord::of(&self.backup, &dump, &scratch, &result, dropped.is_ok());
        let saved = record::save(&record);
        let mut message = record.message.clone();
        if let Err(e) = &dropped {
            message.push_str(&format!(
                "; the scratch database {scratch} could NOT be dropped: {e}"
            ));
        }
        if let Err(e) = saved {
            message.push_str(&format!("; the result could not be recorded: {e}"));
        }
        Ok(Outcome {
            ok: record.ok && dropped.is_ok(),
            message,
            rolled_back: false,
        })
    }
}

/// What the plan shows for the time in the scratch database's name: it is
/// stamped when the drill starts, so that a plan made again (a runbook's,
/// before it applies) is the plan that was confirmed.
const SCRATCH_LATER: &str = "<unix seconds it starts>";

/// `opsdeck_verify_<name>_<unix seconds>`, lower-case letters, digits and
/// `_` only (so it needs no quoting care), within PostgreSQL's 63 bytes.
pub fn scratch_name(backup: &str, stamp: &str) -> String {
    let clean: String = backup
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(30)
        .collect();
    format!("opsdeck_verify_{clean}_{stamp}")
}

impl Orchestrator for DrillOrchestrator {
    fn plan<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Plan, String>> {
        Box::pin(self.plan_drill(request))
    }

    fn execute<'a>(
        &'a self,
        plan: &'a Plan,
        progress: mpsc::Sender<String>,
    ) -> BoxFuture<'a, Result<Outcome, String>> {
        Box::pin(self.run(plan, progress))
    }

    fn history<'a>(
        &'a self,
        workload: &'a WorkloadAddr,
    ) -> BoxFuture<'a, Result<Vec<Revision>, String>> {
        Box::pin(async move { Err(format!("{workload} is a backup: it has no image history")) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_names_are_plain_identifiers() {
        assert_eq!(
            scratch_name("Main-DB dumps", "1800000000"),
            "opsdeck_verify_main_db_dumps_1800000000"
        );
        assert!(scratch_name(&"x".repeat(100), "1800000000").len() <= 63);
        assert_eq!(
            drill_addr("dumps").unwrap().to_string(),
            "dumps/restore/newest"
        );
    }
}
