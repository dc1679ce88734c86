//! The drill itself, between creating the scratch database and dropping it:
//! `pg_restore` of the dump (timed), then the checks against the source's
//! estimates. Every failure is kept as what it is; nothing unread passes.

use crate::connect::postgres::tools::{error_line, output_within, server_tool};
use crate::connect::postgres::{connect_once, describe, Dsn, Session};
use crate::model::backup::DumpFile;
use crate::model::restore_check::{query, tables, CheckResult};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

// Ordinary and partitioned tables outside the catalogs.
const TABLES: &str = "select n.nspname || '.' || c.relname, c.reltuples::float8 \
    from pg_class c join pg_namespace n on n.oid = c.relnamespace \
    where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') \
    and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%' order by 1";

#[derive(Debug, Clone, Default)]
pub struct DrillResult {
    pub restore_seconds: Option<f64>,
    /// Why the restore failed, in pg_restore's words.
    pub error: Option<String>,
    pub checks: Vec<CheckResult>,
}

pub struct Drill<'a> {
    pub dump: &'a DumpFile,
    pub scratch: &'a str,
    pub restore: &'a Dsn,
    pub source: &'a Session,
    pub tolerance: f64,
    pub check_query: Option<&'a str>,
    /// `restore_timeout`: a pg_restore still running then is killed.
    pub timeout: Duration,
}

impl Drill<'_> {
    pub async fn run(&self, progress: &mpsc::Sender<String>) -> DrillResult {
        let mut out = DrillResult::default();
        let _ = progress
            .send(format!(
                "pg_restore {} into {}",
                self.dump.path, self.scratch
            ))
            .await;
        let started = Instant::now();
        match self.pg_restore().await {
            Ok(()) => out.restore_seconds = Some(started.elapsed().as_secs_f64()),
            Err(e) => {
                out.error = Some(format!(
                    "pg_restore failed after {:.1}s: {e}",
                    started.elapsed().as_secs_f64()
                ));
                return out;
            }
        }
        let _ = progress.send("checking what was restored".into()).await;
        out.checks = match self.checks().await {
            Ok(checks) => checks,
            Err(e) => vec![CheckResult {
                name: "checks".into(),
                passed: false,
                detail: format!("could not be read: {e}"),
            }],
        };
        out
    }

    async fn pg_restore(&self) -> Result<(), String> {
        let dsn = self.restore.on_database(self.scratch);
        let mut cmd = tokio::process::Command::new(server_tool("pg_restore"));
        cmd.args([
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--dbname",
        ])
        .arg(self.scratch)
        .arg(&self.dump.path)
        .envs(dsn.libpq_env());
        let out = output_within(&mut cmd, "pg_restore", self.timeout, "restore_timeout").await?;
        if out.status.success() {
            return Ok(());
        }
        let said = error_line(&out.stderr);
        Err(dsn.scrub(&format!("{said} ({})", out.status)))
    }

    async fn checks(&self) -> Result<Vec<CheckResult>, String> {
        let source: Vec<(String, f64)> = {
            let held = self.source.lock().await?;
            held.query(TABLES, &[])
                .await
                .map_err(|e| self.source.dsn().scrub(&describe(&e)))?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect()
        };
        let dsn = self.restore.on_database(self.scratch);
        let fail = |e: tokio_postgres::Error| dsn.scrub(&describe(&e));
        let client = connect_once(&dsn).await?;
        // Counting a big table takes longer than opsdeck's statement timeout.
        client
            .batch_execute("set statement_timeout = 0")
            .await
            .map_err(fail)?;
        let names: Vec<String> = client
            .query(TABLES, &[])
            .await
            .map_err(fail)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut restored = Vec::new();
        for name in names {
            let (schema, table) = name.split_once('.').unwrap_or(("public", &name));
            let sql = format!(
                "select count(*) from \"{}\".\"{}\"",
                schema.replace('"', "\"\""),
                table.replace('"', "\"\"")
            );
            let count: i64 = client.query_one(&sql, &[]).await.map_err(fail)?.get(0);
            restored.push((name, count));
        }
        let mut checks = tables(&source, &restored, self.tolerance);
        if let Some(q) = self.check_query {
            let answer = client.simple_query(q).await.map_err(fail)?;
            let first = answer.iter().find_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).map(str::to_string)),
                _ => None,
            });
            checks.push(query(first.as_ref().map(|v| v.as_deref())));
        }
        Ok(checks)
    }
}
