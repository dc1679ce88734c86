//! The drill's result kept in the data dir (one JSON file per backup, the
//! latest drill with the last one that passed), for the collector's
//! `last_verified` and `restore_seconds`.

use super::restore::DrillResult;
use crate::base::time::unix_now;
use crate::config::paths::drill_record;
use crate::model::backup::DumpFile;
pub use crate::model::restore_check::DrillRecord;

impl DrillRecord {
    pub fn of(
        backup: &str,
        dump: &DumpFile,
        scratch: &str,
        result: &DrillResult,
        dropped: bool,
    ) -> DrillRecord {
        let failed: Vec<String> = result
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| format!("{}: {}", c.name, c.detail))
            .collect();
        let ok = result.error.is_none() && failed.is_empty() && dropped;
        let took = |s: f64| format!("{s:.1}s");
        let mut message = match (&result.error, result.restore_seconds) {
            (Some(e), _) => e.clone(),
            // Each check named, so a report shows what "passed" rests on.
            (None, Some(s)) if failed.is_empty() => format!(
                "passed: {} restored into {scratch} in {} (the recovery time); {} checks passed ({})",
                dump.path,
                took(s),
                result.checks.len(),
                result
                    .checks
                    .iter()
                    .map(|c| format!("{}: {}", c.name, c.detail))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            (None, Some(s)) => format!(
                "checks failed after a restore of {}: {}",
                took(s),
                failed.join("; ")
            ),
            (None, None) => "the restore did not run".into(),
        };
        if dropped {
            message.push_str(&format!("; {scratch} dropped"));
        }
        let earlier = last_drill(backup);
        let (last_passed, last_passed_restore_seconds) = if ok {
            (Some(unix_now()), result.restore_seconds)
        } else {
            earlier
                .map(|r| (r.last_passed, r.last_passed_restore_seconds))
                .unwrap_or_default()
        };
        DrillRecord {
            backup: backup.to_string(),
            at: unix_now(),
            ok,
            file: dump.path.clone(),
            scratch: scratch.to_string(),
            restore_seconds: result.restore_seconds,
            error: result.error.clone(),
            checks: result.checks.clone(),
            message,
            last_passed,
            last_passed_restore_seconds,
        }
    }
}

pub fn save(record: &DrillRecord) -> Result<(), String> {
    let path = drill_record(&record.backup);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(record).map_err(|e| e.to_string())?;
    // Written whole then renamed, so a reader never sees half a record.
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The latest drill of `backup`, if one was recorded and can be read.
pub fn last_drill(backup: &str) -> Option<DrillRecord> {
    let text = std::fs::read_to_string(drill_record(backup)).ok()?;
    serde_json::from_str(&text).ok()
}
