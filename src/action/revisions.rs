//! The images opsdeck replaced, per workload: `DATA_DIR/revisions.jsonl`,
//! one JSON record a line, appended and synced like the audit log. Compose
//! and plain containers keep no history of their own, so this is what
//! `history` lists and `rollback` restores.

use super::audit::{append_line, read_lines};
use super::orchestrator::Revision;
use crate::base::time::now_rfc3339;
use crate::model::WorkloadAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct RevisionLog {
    path: PathBuf,
}

impl RevisionLog {
    pub fn new(path: PathBuf) -> Self {
        RevisionLog { path }
    }

    /// `revisions.jsonl` in the data dir (`OPSDECK_DATA_DIR` or the platform's).
    pub fn in_data_dir() -> Self {
        Self::new(crate::config::paths::data_dir().join("revisions.jsonl"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every revision of `workload`, oldest first. A missing file is an empty history.
    pub fn list(&self, workload: &WorkloadAddr) -> Result<Vec<Revision>, String> {
        let key = workload.to_string();
        Ok(self
            .read_all()?
            .into_iter()
            .filter(|r| r.workload == key)
            .collect())
    }

    fn read_all(&self) -> Result<Vec<Revision>, String> {
        read_lines(&self.path)
    }

    /// Records that `image` (content `image_id`) was replaced on `workload` by `verb`.
    pub fn record(
        &self,
        workload: &WorkloadAddr,
        image: &str,
        image_id: &str,
        verb: &str,
    ) -> Result<Revision, String> {
        let revision = self.list(workload)?.last().map_or(1, |r| r.revision + 1);
        let rev = Revision {
            workload: workload.to_string(),
            revision,
            image: image.to_string(),
            image_id: image_id.to_string(),
            at: now_rfc3339(),
            verb: verb.to_string(),
            change_cause: None,
            source: Default::default(),
            made_by: None,
        };
        let line = serde_json::to_string(&rev).map_err(|e| e.to_string())?;
        append_line(&self.path, &line)?;
        Ok(rev)
    }

    /// The revision a rollback goes to: `to` when given, else the newest one
    /// whose image differs from what runs now.
    pub fn pick(
        &self,
        workload: &WorkloadAddr,
        to: Option<&str>,
        current_image_id: &str,
    ) -> Result<Revision, String> {
        let revs = self.list(workload)?;
        if revs.is_empty() {
            return Err(format!(
                "opsdeck has recorded no previous image for {workload}: \
                 rollback restores an image that an opsdeck deploy replaced"
            ));
        }
        match to {
            Some(want) => {
                let n: u32 = want.trim_start_matches(['r', 'v']).parse().map_err(|_| {
                    format!("`{want}` is not a revision number (see `opsdeck history {workload}`)")
                })?;
                revs.into_iter().find(|r| r.revision == n).ok_or_else(|| {
                    format!("{workload} has no revision {n} (see `opsdeck history {workload}`)")
                })
            }
            None => revs
                .into_iter()
                .rev()
                .find(|r| r.image_id != current_image_id)
                .ok_or_else(|| {
                    format!("every recorded revision of {workload} is the image it runs now")
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_number_per_workload_and_pick_the_previous_different_image() {
        let dir = tempfile::tempdir().unwrap();
        let log = RevisionLog::new(dir.path().join("revisions.jsonl"));
        let a: WorkloadAddr = "local/shop/api".parse().unwrap();
        let b: WorkloadAddr = "local/_/web".parse().unwrap();
        assert!(log
            .pick(&a, None, "x")
            .unwrap_err()
            .contains("no previous image"));
        log.record(&a, "shop:v1", "sha256:1", "deploy").unwrap();
        log.record(&b, "web:v1", "sha256:w", "deploy").unwrap();
        let r2 = log.record(&a, "shop:v2", "sha256:2", "rollback").unwrap();
        assert_eq!(r2.revision, 2);
        assert_eq!(log.list(&a).unwrap().len(), 2);
        assert_eq!(log.list(&b).unwrap()[0].revision, 1);
        // Running v2 now: the previous different image is v1.
        assert_eq!(log.pick(&a, None, "sha256:2").unwrap().image, "shop:v1");
        assert_eq!(
            log.pick(&a, Some("2"), "sha256:2").unwrap().image,
            "shop:v2"
        );
        assert!(log
            .pick(&a, Some("9"), "")
            .unwrap_err()
            .contains("no revision 9"));
        assert!(log
            .pick(&a, Some("x"), "")
            .unwrap_err()
            .contains("not a revision"));
    }
}
