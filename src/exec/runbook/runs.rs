//! Run timelines on disk: one append-only JSONL file per run under
//! `DATA_DIR/runs/`, named by the run id.

use crate::runbook::timeline;
use crate::runbook::timeline::TimelineEntry;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

pub fn runs_dir() -> PathBuf {
    crate::config::paths::data_dir().join("runs")
}

/// `site-down-20260101T100000Z-a1b2`: sortable, and says what ran.
pub fn new_id(runbook: &str, now_rfc3339: &str) -> String {
    let stamp: String = now_rfc3339
        .chars()
        .take(19)
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect();
    format!("{runbook}-{stamp}Z-{:04x}", fastrand::u16(..))
}

/// A run id is a file name, never a path.
pub fn path_of(dir: &Path, id: &str) -> Result<PathBuf, String> {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !id.starts_with('.');
    if !ok {
        return Err(format!("`{id}` is not a run id (see {})", dir.display()));
    }
    Ok(dir.join(format!("{id}.jsonl")))
}

/// The timeline of one run, appended entry by entry.
pub struct TimelineFile {
    path: PathBuf,
    file: File,
}

impl TimelineFile {
    pub fn open(path: &Path) -> Result<TimelineFile, String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        Ok(TimelineFile {
            path: path.to_path_buf(),
            file,
        })
    }

    pub fn append(&mut self, entry: &TimelineEntry) -> Result<(), String> {
        // One write per line, so a crash tears at most the last line.
        self.file
            .write_all(entry.to_line().as_bytes())
            .and_then(|_| self.file.flush())
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The newest run ids in `dir`, newest first, for "did you mean" messages.
pub fn recent(dir: &Path, how_many: usize) -> Vec<String> {
    let mut runs: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e
                .file_name()
                .to_string_lossy()
                .strip_suffix(".jsonl")?
                .to_string();
            let modified = e.metadata().and_then(|m| m.modified()).ok()?;
            Some((modified, name))
        })
        .collect();
    runs.sort_by(|a, b| b.cmp(a));
    runs.into_iter().take(how_many).map(|(_, n)| n).collect()
}

/// The Markdown incident report of the run whose timeline is at `timeline`.
pub fn write_report(
    rb: &crate::runbook::Runbook,
    timeline: &Path,
    to: &Path,
) -> Result<(), String> {
    let entries = read(timeline)?;
    let series = super::observed::series(&entries);
    // Acknowledgements made while the run went on belong in its report.
    // An acks log that cannot be read leaves the report without acks, not unwritten.
    let acks = crate::exec::files::read_acks(&crate::exec::files::acks_path()).unwrap_or_default();
    let entries = crate::runbook::timeline::with_acks(&entries, &acks);
    let text = crate::runbook::report::render(rb, &entries, &series);
    std::fs::write(to, text).map_err(|e| format!("cannot write {}: {e}", to.display()))
}

pub fn read(path: &Path) -> Result<Vec<TimelineEntry>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    timeline::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::timeline::Entry;

    #[test]
    fn ids_are_stamped_and_paths_refuse_traversal() {
        let id = new_id("site-down", "2026-01-01T10:00:00.123Z");
        assert!(id.starts_with("site-down-20260101T100000Z-"), "{id}");
        let dir = Path::new("/data/runs");
        assert_eq!(path_of(dir, &id).unwrap(), dir.join(format!("{id}.jsonl")));
        assert!(path_of(dir, "../audit").is_err());
        assert!(path_of(dir, "").is_err());
    }

    #[test]
    fn appended_entries_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs").join("r.jsonl");
        let mut f = TimelineFile::open(&path).unwrap();
        let e = TimelineEntry::new(
            "2026-01-01T10:00:00Z",
            Some("probe"),
            Entry::StepStarted { attempt: 1 },
        );
        f.append(&e).unwrap();
        f.append(&e).unwrap();
        assert_eq!(read(&path).unwrap(), vec![e.clone(), e]);
        assert_eq!(recent(&dir.path().join("runs"), 5), ["r"]);
        assert!(recent(&dir.path().join("nowhere"), 5).is_empty());
        assert!(read(&dir.path().join("missing.jsonl")).is_err());
    }
}
