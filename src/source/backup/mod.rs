//! A `[[backup]]`: each poll reads what shows its backups are made — the
//! dumps in a directory, the protected target's `pg_stat_archiver`, or a
//! command's last backup time — into `backup:NAME:*` series. What cannot be
//! read (a missing or empty directory, archiving switched off, a command
//! that fails) fails the poll, so the target shows degraded, never "ok".
//! The judgement itself is `model::backup`'s.

pub mod files;
mod wal;

use super::{Source, Update};
use crate::base::time::unix_now;
use crate::config::{BackupTarget, Config};
use crate::connect::postgres::{session, Dsn, Session};
use crate::model::backup::{command_time, BackupReading, DEFAULT_MAX_AGE};
use crate::model::Health;
use std::time::Duration;

/// A command that has not printed a time by then has hung.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the backups themselves are read again. A backup is hours old at
/// best; more often reads the disk (or runs the command) for nothing. The
/// drill record is read at every poll, so a drill's result shows at once.
pub const READ_EVERY: Duration = Duration::from_secs(30);

enum Watch {
    Dumps { path: String },
    Wal { session: Session },
    Command { command: String },
}

pub struct BackupSource {
    name: String,
    /// The `[[postgres]]` target it protects.
    pub postgres: String,
    pub max_age: Duration,
    watch: Watch,
    /// The last reading (or why it failed) and when it was made.
    last: Option<(std::time::Instant, Result<BackupReading, String>)>,
}

impl BackupSource {
    /// The source for `b`; a WAL watch needs its target's DSN.
    pub fn of(config: &Config, b: &BackupTarget) -> Result<BackupSource, String> {
        let postgres = b.postgres.get_ref().clone();
        let watch = if let Some(path) = &b.path {
            Watch::Dumps {
                path: path.get_ref().clone(),
            }
        } else if let Some(command) = &b.command {
            Watch::Command {
                command: command.get_ref().clone(),
            }
        } else {
            let pg = config
                .postgres
                .iter()
                .find(|p| p.name.get_ref() == &postgres)
                .ok_or_else(|| format!("no [[postgres]] target named {postgres:?}"))?;
            // The target's own session: a full server has no slot for a second.
            Watch::Wal {
                session: session(&postgres, &Dsn::of(pg)?),
            }
        };
        Ok(BackupSource {
            name: b.name.get_ref().clone(),
            postgres,
            max_age: b.max_age.map_or(DEFAULT_MAX_AGE, |m| m.0),
            watch,
            last: None,
        })
    }

    /// What the backup looks like now, or why it cannot be read.
    pub async fn read(&mut self) -> Result<BackupReading, String> {
        match &self.watch {
            Watch::Dumps { path } => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || files::newest(&path))
                    .await
                    .map_err(|e| format!("listing the dumps stopped: {e}"))?
            }
            Watch::Wal { session } => wal::read(session).await,
            Watch::Command { command } => run_command(command).await,
        }
    }
}

impl Source for BackupSource {
    fn target(&self) -> &str {
        &self.name
    }

    async fn poll(&mut self) -> Result<Vec<Update>, String> {
        let stale = self
            .last
            .as_ref()
            .is_none_or(|(when, _)| when.elapsed() >= READ_EVERY);
        if stale {
            let read = self.read().await;
            self.last = Some((std::time::Instant::now(), read));
        }
        // The age is counted to now from the newest backup's own time, so
        // an older reading still gives today's age.
        let reading = match self.last.as_ref().map(|(_, r)| r) {
            Some(Ok(r)) => r.clone(),
            Some(Err(e)) => return Err(e.clone()),
            None => return Err("internal: no reading".into()),
        };
        let at = unix_now();
        let mut series = reading.series(&self.name, at, self.max_age);
        series.extend(drill_series(&self.name));
        Ok(vec![Update::Series {
            target: self.name.clone(),
            at,
            series,
            health: Health::Ok,
        }])
    }
}

/// What the latest restore drill (`opsdeck backup verify`) recorded:
/// `last_verified` (unix seconds of the last drill that passed),
/// `restore_seconds` (how long its restore took) and `last_drill_ok`.
pub fn drill_series(name: &str) -> Vec<(String, f64)> {
    let path = crate::config::paths::drill_record(name);
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(r) = serde_json::from_str::<crate::model::restore_check::DrillRecord>(&text) else {
        return Vec::new();
    };
    let key = |m: &str| format!("backup:{name}:{m}");
    let mut out = vec![(key("last_drill_ok"), if r.ok { 1.0 } else { 0.0 })];
    if let Some(t) = r.last_passed {
        out.push((key("last_verified"), t as f64));
    }
    if let Some(s) = r.last_passed_restore_seconds {
        out.push((key("restore_seconds"), s));
    }
    out
}

async fn run_command(command: &str) -> Result<BackupReading, String> {
    let mut run = tokio::process::Command::new("sh");
    run.arg("-c").arg(command);
    let limit = format!("{}s", COMMAND_TIMEOUT.as_secs());
    let out =
        crate::connect::process::output_within(&mut run, "the command", COMMAND_TIMEOUT, &limit)
            .await?;
    // What a backup tool prints can hold a DSN or a token.
    let said = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        crate::base::redact::redact(text.lines().next().unwrap_or("").trim())
    };
    if !out.status.success() {
        return Err(format!(
            "the command failed ({}): {}",
            out.status,
            said(&out.stderr)
        ));
    }
    let last = command_time(&String::from_utf8_lossy(&out.stdout))
        .map_err(|e| crate::base::redact::redact(&e))?;
    Ok(BackupReading::Command { last })
}
