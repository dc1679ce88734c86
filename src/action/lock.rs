//! One action at a time per workload: two people (or a runbook and a
//! person) deploying one service at once would each roll back the other's
//! replicas. A lock file per workload in the data dir, holding the pid of the
//! opsdeck that took it; a lock whose process is gone is stale and taken over.

use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct WorkloadLock {
    path: PathBuf,
}

impl WorkloadLock {
    /// Takes the lock for `workload` under `dir`, or says who holds it.
    pub fn acquire(dir: &Path, workload: &str, who: &str) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let file: String = workload
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!("{file}.lock"));
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    let _ = writeln!(f, "{} {who}", std::process::id());
                    return Ok(WorkloadLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let held = std::fs::read_to_string(&path).unwrap_or_default();
                    let pid = held
                        .split_whitespace()
                        .next()
                        .and_then(|p| p.parse::<u32>().ok());
                    if pid.is_some_and(alive) {
                        let by = held.split_whitespace().nth(1).unwrap_or("someone");
                        return Err(format!(
                            "another action on {workload} is running (by {by}, pid {}); wait for it to finish",
                            pid.unwrap_or_default()
                        ));
                    }
                    // Left by an opsdeck that died mid-action.
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => return Err(format!("{}: {e}", path.display())),
            }
        }
        Err(format!("{}: could not take the lock", path.display()))
    }
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

impl Drop for WorkloadLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_stale_locks_are_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let held = WorkloadLock::acquire(dir.path(), "local/shop/api", "a@h").unwrap();
        let e = WorkloadLock::acquire(dir.path(), "local/shop/api", "b@h").unwrap_err();
        assert!(e.contains("by a@h"), "{e}");
        assert!(WorkloadLock::acquire(dir.path(), "local/shop/web", "b@h").is_ok());
        drop(held);
        let again = WorkloadLock::acquire(dir.path(), "local/shop/api", "b@h").unwrap();
        drop(again);
        // A pid that cannot exist (above Linux's pid_max) marks a stale lock.
        std::fs::write(
            dir.path().join("local_shop_api.lock"),
            "4294967295 ghost@h\n",
        )
        .unwrap();
        assert!(WorkloadLock::acquire(dir.path(), "local/shop/api", "c@h").is_ok());
    }
}
