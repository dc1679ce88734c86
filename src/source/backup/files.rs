//! The dumps a `path` names: every regular file of a directory, or those of
//! the glob's directory whose names match its last part.

use crate::metrics::glob_match;
use crate::model::backup::{newest_two, BackupReading, DumpFile};
use std::path::Path;
use std::time::UNIX_EPOCH;

pub fn newest(path: &str) -> Result<BackupReading, String> {
    let (dir, pattern) = match path.rsplit_once('/') {
        Some((dir, name)) if name.contains('*') => (if dir.is_empty() { "/" } else { dir }, name),
        _ => (path, "*"),
    };
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot list {dir}: {e}"))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {dir}: {e}"))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !glob_match(pattern, &name) {
            continue;
        }
        // Follows a symlink: `latest.dump -> ...` is a dump too.
        let full = Path::new(dir).join(&name);
        let meta =
            std::fs::metadata(&full).map_err(|e| format!("cannot read {}: {e}", full.display()))?;
        if !meta.is_file() {
            continue;
        }
        let modified = meta
            .modified()
            .map_err(|e| format!("{}: no modification time: {e}", full.display()))?
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        files.push(DumpFile {
            path: full.display().to_string(),
            modified,
            size: meta.len(),
        });
    }
    newest_two(files).ok_or_else(|| {
        if pattern == "*" {
            format!("{dir} holds no file: no backup to judge")
        } else {
            format!("no file in {dir} matches {pattern}: no backup to judge")
        }
    })
}
