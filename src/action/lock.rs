//! One action at a time per workload: two people (or a runbook and a
//! person) deploying one service at once would each roll back the other's
//! replicas. The lock is the kernel's (`flock` on a file per workload in the
//! data dir): it goes with the process however that ends, SIGKILL and a
//! power cut included, so there is no stale lock to detect and no pid to
//! trust. The file's text (pid and who) only says who is busy.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::Path;

#[derive(Debug)]
pub struct WorkloadLock {
    /// Held open for the lock's life: closing it releases the lock.
    _file: File,
}

impl WorkloadLock {
    /// Takes the lock for `workload` under `dir`, or says who holds it.
    pub fn acquire(dir: &Path, workload: &str, who: &str) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join(format!("{}.lock", file_name(workload)));
        let fail = |e: std::io::Error| format!("{}: {e}", path.display());
        // Never removed, not even on release: unlinking a lock file lets a
        // waiter lock the old inode while a newcomer locks a new one at the
        // same path, and both would go ahead.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(fail)?;
        match file.try_lock() {
            Ok(()) => {
                file.set_len(0).map_err(fail)?;
                file.write_all(format!("{} {who}\n", std::process::id()).as_bytes())
                    .map_err(fail)?;
                Ok(WorkloadLock { _file: file })
            }
            Err(TryLockError::WouldBlock) => {
                // The holder writes its name just after locking: a refusal
                // that lands in between waits a moment (at most 200 ms) for
                // it, so it can say who is busy.
                let mut held = String::new();
                for _ in 0..20 {
                    held.clear();
                    let _ = file.seek(SeekFrom::Start(0));
                    let _ = file.read_to_string(&mut held);
                    if !held.trim().is_empty() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(busy(workload, &held))
            }
            Err(TryLockError::Error(e)) => Err(fail(e)),
        }
    }
}

/// The workload address as one file name: `local/shop/api` → `local_shop_api`.
fn file_name(workload: &str) -> String {
    workload
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// What a refused action says, from the holder's `PID WHO` line.
fn busy(workload: &str, held: &str) -> String {
    let parsed = held.trim().split_once(' ').and_then(|(pid, by)| {
        let pid = pid.parse::<u32>().ok()?;
        Some((pid, by.trim()))
    });
    match parsed {
        Some((pid, by)) if !by.is_empty() => format!(
            "another action on {workload} is running (by {by}, pid {pid}); wait for it to finish"
        ),
        _ => format!("another action on {workload} is running; wait for it to finish"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_release_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let held = WorkloadLock::acquire(dir.path(), "local/shop/api", "a@h").unwrap();
        let e = WorkloadLock::acquire(dir.path(), "local/shop/api", "b@h").unwrap_err();
        assert!(
            e.contains(&format!("by a@h, pid {}", std::process::id())),
            "{e}"
        );
        assert!(WorkloadLock::acquire(dir.path(), "local/shop/web", "b@h").is_ok());
        drop(held);
        let again = WorkloadLock::acquire(dir.path(), "local/shop/api", "b@h").unwrap();
        let text = std::fs::read_to_string(dir.path().join("local_shop_api.lock")).unwrap();
        assert_eq!(text, format!("{} b@h\n", std::process::id()));
        drop(again);
    }

    #[test]
    fn a_file_left_behind_is_not_a_lock() {
        // What a killed opsdeck leaves: the file with its pid, no lock on it.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("local_shop_api.lock"), "1 ghost@h\n").unwrap();
        assert!(WorkloadLock::acquire(dir.path(), "local/shop/api", "c@h").is_ok());
    }

    #[test]
    fn the_holder_is_named_whole() {
        assert_eq!(
            busy("w", "42 deploy@bastion (sudo by alice)\n"),
            "another action on w is running (by deploy@bastion (sudo by alice), pid 42); wait for it to finish"
        );
    }

    #[test]
    fn a_holder_that_has_not_written_yet_is_still_named_busy() {
        assert_eq!(
            busy("local/shop/api", ""),
            "another action on local/shop/api is running; wait for it to finish"
        );
    }
}
