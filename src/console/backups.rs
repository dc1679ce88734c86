//! Backups as the Database view shows them, each beside the `[[postgres]]`
//! target it protects: the newest backup's age against its `max_age`, a
//! dump's size against the one before it, WAL archiving failing — read from
//! the `backup:NAME:*` series, judged as the built-in rules judge them. A
//! backup that cannot be read says why; nothing unread is shown as fine.

use super::Model;
use crate::base::duration::format;
use crate::base::units::{bytes, span};
use crate::model::backup::{DEFAULT_MAX_AGE, SHRUNK_BELOW};
use crate::model::{Health, Severity};
use serde::Serialize;
use std::time::Duration;

/// Older readings are not shown as current (a backup is read every 30 s).
const STALE_AFTER: i64 = 120;

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct BackupDef {
    pub name: String,
    /// The `[[postgres]]` target it protects.
    pub postgres: String,
    #[serde(with = "crate::base::duration")]
    pub max_age: Duration,
    /// It watches dump files (`path`): only those a restore drill can restore.
    pub dumps: bool,
    /// Where its restore drill may create the scratch database.
    pub restore_to: Option<String>,
}

impl BackupDef {
    /// Why a restore drill of it cannot run, in words that say what to configure.
    pub fn drill_refused(&self) -> Option<String> {
        if !self.dumps {
            return Some(format!(
                "backup {} has no dump files (path = \"...\"): a restore drill restores a dump",
                self.name
            ));
        }
        if self.restore_to.is_none() {
            return Some(format!(
                "backup {} has no restore_to: add restore_to = \"TARGET\" to its [[backup]] \
                 (a [[postgres]] whose server may hold the scratch database; never guessed)",
                self.name
            ));
        }
        None
    }
}

pub fn from_config(config: &crate::config::Config) -> Vec<BackupDef> {
    config
        .backup
        .iter()
        .map(|b| BackupDef {
            name: b.name.get_ref().clone(),
            postgres: b.postgres.get_ref().clone(),
            max_age: b.max_age.map_or(DEFAULT_MAX_AGE, |m| m.0),
            dumps: b.path.is_some(),
            restore_to: b.restore_to.as_ref().map(|r| r.get_ref().clone()),
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackupRow {
    pub name: String,
    pub postgres: String,
    pub level: Severity,
    pub text: String,
}

/// The backups of `postgres`, in config order.
pub fn rows_of(model: &Model, postgres: &str) -> Vec<BackupRow> {
    model
        .backups
        .iter()
        .filter(|b| b.postgres == postgres)
        .map(|b| row(model, b))
        .collect()
}

fn row(model: &Model, def: &BackupDef) -> BackupRow {
    let (level, text) = judge(model, def);
    BackupRow {
        name: def.name.clone(),
        postgres: def.postgres.clone(),
        level,
        text,
    }
}

fn judge(model: &Model, def: &BackupDef) -> (Severity, String) {
    let health = model.target(&def.name).map(|t| &t.health);
    if let Some(Health::Degraded { reason, .. }) = health {
        return (Severity::Critical, format!("unreadable: {reason}"));
    }
    let latest = |m: &str| {
        model
            .store
            .latest_by_name(&format!("backup:{}:{m}", def.name))
    };
    let Some((at, _)) = latest("age_seconds")
        .or_else(|| latest("archive_failures"))
        .or_else(|| latest("size_bytes"))
    else {
        return (Severity::Info, "no reading yet".into());
    };
    let mut level = Severity::Ok;
    let mut parts = Vec::new();
    let since = (model.now - at).max(0);
    if since > STALE_AFTER {
        level = Severity::Warning;
        parts.push(format!("no reading for {}", span(since)));
    }
    match latest("age_seconds") {
        Some((t, age)) => {
            // The age as of now, not as of the reading.
            let age = age + (model.now - t).max(0) as f64;
            let max = def.max_age.as_secs_f64().max(1.0);
            if age > 2.0 * max {
                level = Severity::Critical;
            } else if age > max {
                level = level.max(Severity::Warning);
            }
            let stale = if age > max { "STALE: " } else { "" };
            parts.push(format!(
                "{stale}newest {} old (max {})",
                format(Duration::from_secs(age as u64)),
                format(def.max_age)
            ));
        }
        None => {
            // As WalNothingArchived: no attempt yet warns; failing ones are critical below.
            level = level.max(Severity::Warning);
            parts.push("nothing archived yet".into());
        }
    }
    if let Some((_, size)) = latest("size_bytes") {
        let mut text = bytes(size);
        if let Some((_, r)) = latest("size_ratio") {
            text.push_str(&format!(", {:.0}% of the previous", r * 100.0));
            if r < SHRUNK_BELOW {
                level = level.max(Severity::Warning);
                text = format!("SHRUNK: {text}");
            }
        }
        parts.push(text);
    }
    if let Some((_, failures)) = latest("archive_failures") {
        if latest("archive_failing").is_some_and(|(_, f)| f > 0.0) {
            level = Severity::Critical;
            parts.push(format!("ARCHIVING FAILING ({failures:.0} failures)"));
        } else {
            parts.push(format!("archiving ok ({failures:.0} failures since reset)"));
        }
    }
    (level, parts.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TargetKind;

    fn model_with(series: &[(&str, f64)], at: i64, now: i64) -> Model {
        let mut m = Model::new(Duration::from_secs(2), true);
        m.backups = vec![BackupDef {
            name: "dumps".into(),
            postgres: "db".into(),
            max_age: Duration::from_secs(3600),
            ..BackupDef::default()
        }];
        m.add_target("dumps", TargetKind::Backup);
        for (name, v) in series {
            m.store.record(&format!("backup:dumps:{name}"), at, *v);
        }
        m.now = now;
        m
    }

    #[test]
    fn a_fresh_dump_is_fine_and_an_old_one_stale() {
        let m = model_with(&[("age_seconds", 600.0), ("size_bytes", 2048.0)], 100, 100);
        let r = &rows_of(&m, "db")[0];
        assert_eq!(r.level, Severity::Ok, "{r:?}");
        assert_eq!(r.text, "newest 10m old (max 1h) · 2.0 KiB");
        // Not read again for 12 minutes: the age counts on from the reading.
        let m = model_with(&[("age_seconds", 3000.0)], 100, 100 + 720);
        let r = &rows_of(&m, "db")[0];
        assert_eq!(r.level, Severity::Warning, "{r:?}");
        assert_eq!(
            r.text,
            "no reading for 12m · STALE: newest 1h2m old (max 1h)"
        );
        let m = model_with(
            &[
                ("age_seconds", 4000.0),
                ("size_ratio", 0.3),
                ("size_bytes", 1.0),
            ],
            100,
            100,
        );
        let r = &rows_of(&m, "db")[0];
        assert_eq!(r.level, Severity::Warning, "{r:?}");
        assert!(r.text.starts_with("STALE: newest 1h6m40s old"), "{r:?}");
        assert!(r.text.contains("SHRUNK: "), "{r:?}");
        assert!(rows_of(&m, "other").is_empty());
    }

    #[test]
    fn unread_and_failing_are_said() {
        let m = model_with(&[], 100, 100);
        assert_eq!(rows_of(&m, "db")[0].text, "no reading yet");
        let m = model_with(
            &[("archive_failures", 3.0), ("archive_failing", 1.0)],
            100,
            100,
        );
        let r = &rows_of(&m, "db")[0];
        assert_eq!(r.level, Severity::Critical);
        assert!(r.text.contains("nothing archived yet"), "{r:?}");
        assert!(r.text.contains("ARCHIVING FAILING (3 failures)"), "{r:?}");
        let m = model_with(
            &[("archive_failures", 0.0), ("archive_failing", 0.0)],
            100,
            100,
        );
        let r = &rows_of(&m, "db")[0];
        assert_eq!(r.level, Severity::Warning, "{r:?}");
        assert!(r.text.starts_with("nothing archived yet"), "{r:?}");
        let mut m = model_with(&[("age_seconds", 1.0)], 100, 100 + 300);
        assert!(rows_of(&m, "db")[0].text.starts_with("no reading for 5m"));
        m.apply_update(crate::source::Update::Health {
            target: "dumps".into(),
            health: Health::Degraded {
                reason: "cannot list /b: No such file or directory".into(),
                since: 0,
                retry_in: Duration::from_secs(30),
            },
        });
        let r = &rows_of(&m, "db")[0];
        assert_eq!(r.level, Severity::Critical);
        assert_eq!(
            r.text,
            "unreadable: cannot list /b: No such file or directory"
        );
    }
}
