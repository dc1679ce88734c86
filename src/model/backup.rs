//! Backups as opsdeck judges them: what a `[[backup]]` read (the newest dump
//! of a directory, WAL archiving from `pg_stat_archiver`, or a command's last
//! backup time), the `backup:NAME:*` series it gives, and what is wrong with
//! it. Pure: the reading comes in, the clock comes in.

use super::Severity;
use crate::base::duration::format;
use crate::base::units::bytes;
use serde::Serialize;
use std::time::Duration;

/// A daily backup, with slack for one that ran late.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(26 * 3600);

/// How long a restore drill's `pg_restore`, or a `pg_dump` into a backup's
/// directory, may run unless the `[[backup]]` says (`restore_timeout`,
/// `dump_timeout`): a hung one is killed rather than left holding the run.
pub const DEFAULT_TOOL_TIMEOUT: Duration = Duration::from_secs(3600);

/// A dump smaller than this share of the one before it lost data, or
/// was cut short: a database rarely halves in a day.
pub const SHRUNK_BELOW: f64 = 0.5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DumpFile {
    pub path: String,
    /// Unix seconds of its last modification.
    pub modified: i64,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BackupReading {
    /// The newest file and the one before it (by modification time).
    Dumps {
        newest: DumpFile,
        previous: Option<DumpFile>,
        files: usize,
    },
    /// `pg_stat_archiver` since its last reset; times in unix seconds.
    WalArchive {
        archived_count: i64,
        last_archived_wal: Option<String>,
        last_archived: Option<i64>,
        failed_count: i64,
        last_failed_wal: Option<String>,
        last_failed: Option<i64>,
    },
    /// The time a command printed.
    Command { last: i64 },
}

/// One thing wrong (or fine) with a backup, worst first when listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub level: Severity,
    pub text: String,
}

impl BackupReading {
    /// Unix seconds of the newest backup, when there is one.
    pub fn last_backup(&self) -> Option<i64> {
        match self {
            BackupReading::Dumps { newest, .. } => Some(newest.modified),
            BackupReading::WalArchive { last_archived, .. } => *last_archived,
            BackupReading::Command { last } => Some(*last),
        }
    }

    /// The newest dump's size over the previous one's, when both are known.
    pub fn size_ratio(&self) -> Option<f64> {
        match self {
            BackupReading::Dumps {
                newest,
                previous: Some(prev),
                ..
            } if prev.size > 0 => Some(newest.size as f64 / prev.size as f64),
            _ => None,
        }
    }

    /// A failure newer than the last success: archiving is failing now,
    /// not merely once since the counters were reset.
    pub fn archive_failing(&self) -> bool {
        match self {
            BackupReading::WalArchive {
                last_failed: Some(failed),
                last_archived,
                ..
            } => last_archived.is_none_or(|ok| *failed >= ok),
            _ => false,
        }
    }

    /// `backup:NAME:*`: `age_seconds`, `age_ratio` (age over `max_age`, the
    /// figure BackupStale watches), `size_bytes`, `size_ratio` (BackupShrunk),
    /// `archive_failures`, `archive_failing` (WalArchivingFailing) and
    /// `nothing_archived` (WalNothingArchived).
    pub fn series(&self, name: &str, now: i64, max_age: Duration) -> Vec<(String, f64)> {
        let key = |m: &str| format!("backup:{name}:{m}");
        let mut out = Vec::new();
        if let Some(age) = self.last_backup().map(|t| (now - t).max(0) as f64) {
            out.push((key("age_seconds"), age));
            out.push((key("age_ratio"), age / max_age.as_secs_f64().max(1.0)));
        }
        match self {
            BackupReading::Dumps { newest, .. } => {
                out.push((key("size_bytes"), newest.size as f64));
                if let Some(r) = self.size_ratio() {
                    out.push((key("size_ratio"), r));
                }
            }
            BackupReading::WalArchive {
                failed_count,
                last_archived,
                ..
            } => {
                // 1 while nothing was archived: it has no age, and must not vanish.
                let none = if last_archived.is_none() { 1.0 } else { 0.0 };
                out.push((key("nothing_archived"), none));
                out.push((key("archive_failures"), *failed_count as f64));
                let failing = if self.archive_failing() { 1.0 } else { 0.0 };
                out.push((key("archive_failing"), failing));
            }
            BackupReading::Command { .. } => {}
        }
        out
    }

    /// What is wrong with the backup, or the one fine line that says so.
    pub fn judge(&self, now: i64, max_age: Duration) -> Vec<Finding> {
        let mut out = Vec::new();
        let max = format(max_age);
        match self.last_backup() {
            Some(t) => {
                let age = Duration::from_secs((now - t).max(0) as u64);
                if age > max_age {
                    // As BackupStale: a missed day warns, two page.
                    let level = if age > max_age * 2 {
                        Severity::Critical
                    } else {
                        Severity::Warning
                    };
                    out.push(Finding {
                        level,
                        text: format!("stale: newest is {} old (max {max})", format(age)),
                    });
                }
            }
            // Not fresh and not silent: point-in-time recovery has nothing
            // to replay. No attempt yet warns (a quiet server fills no
            // segment); attempts that all failed are critical.
            None => out.push(if self.archive_failing() {
                Finding {
                    level: Severity::Critical,
                    text: "nothing archived since the statistics were reset: every attempt failed"
                        .into(),
                }
            } else {
                Finding {
                    level: Severity::Warning,
                    text: "archive_mode is on but nothing archived yet: point-in-time recovery \
                           has nothing to replay (a segment is archived when full or after \
                           archive_timeout; select pg_switch_wal() forces one)"
                        .into(),
                }
            }),
        }
        if let Some(r) = self.size_ratio().filter(|r| *r < SHRUNK_BELOW) {
            out.push(Finding {
                level: Severity::Warning,
                text: format!(
                    "shrunk: newest dump is {:.0}% of the one before it",
                    r * 100.0
                ),
            });
        }
        if let BackupReading::WalArchive {
            failed_count,
            last_failed_wal,
            ..
        } = self
        {
            if self.archive_failing() {
                out.push(Finding {
                    level: Severity::Critical,
                    text: format!(
                        "WAL archiving failing: {failed_count} failures, last on {}",
                        last_failed_wal.as_deref().unwrap_or("?")
                    ),
                });
            }
        }
        out.sort_by_key(|f| std::cmp::Reverse(f.level));
        out
    }

    /// One line of what was read: `newest x.dump 3h 2m old, 1.2 MiB (98%)`.
    pub fn summary(&self, now: i64) -> String {
        let age = |t: i64| format(Duration::from_secs((now - t).max(0) as u64));
        match self {
            BackupReading::Dumps {
                newest,
                previous,
                files,
            } => {
                let name = newest.path.rsplit('/').next().unwrap_or(&newest.path);
                let change = match (self.size_ratio(), previous) {
                    (Some(r), _) => format!(" ({:.0}% of the previous)", r * 100.0),
                    (None, Some(_)) => " (the previous is empty)".into(),
                    (None, None) => " (no previous dump)".into(),
                };
                format!(
                    "newest {name} {} old, {}{change}; {files} files",
                    age(newest.modified),
                    bytes(newest.size as f64)
                )
            }
            BackupReading::WalArchive {
                archived_count,
                last_archived_wal,
                last_archived,
                failed_count,
                ..
            } => match (last_archived, last_archived_wal) {
                (Some(t), Some(wal)) => format!(
                    "last WAL {wal} archived {} ago; {archived_count} archived, {failed_count} failed",
                    age(*t)
                ),
                _ => format!("nothing archived; {failed_count} failed"),
            },
            BackupReading::Command { last } => format!("last backup {} ago", age(*last)),
        }
    }
}

/// The newest two of `files` by modification time (a name breaks a tie), and
/// how many there were; None when there is none.
pub fn newest_two(mut files: Vec<DumpFile>) -> Option<BackupReading> {
    files.sort_by(|a, b| (b.modified, &b.path).cmp(&(a.modified, &a.path)));
    let count = files.len();
    let mut it = files.into_iter();
    let newest = it.next()?;
    Some(BackupReading::Dumps {
        newest,
        previous: it.next(),
        files: count,
    })
}

/// The last backup's time from a command's output: its first non-empty line,
/// unix seconds or RFC 3339.
pub fn command_time(output: &str) -> Result<i64, String> {
    let Some(line) = output.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return Err("the command printed nothing; expected the last backup's time".into());
    };
    if let Ok(secs) = line.parse::<i64>() {
        return Ok(secs);
    }
    if let Ok(secs) = line.parse::<f64>() {
        if secs.is_finite() {
            return Ok(secs as i64);
        }
    }
    crate::base::time::unix_secs(line).ok_or_else(|| {
        let shown: String = line.chars().take(60).collect();
        format!("the command printed {shown:?}; expected unix seconds or an RFC 3339 time")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3600;
    const NOW: i64 = 1_800_000_000;

    fn dump(name: &str, age_h: i64, size: u64) -> DumpFile {
        DumpFile {
            path: format!("/b/{name}"),
            modified: NOW - age_h * HOUR,
            size,
        }
    }

    fn value(series: &[(String, f64)], m: &str) -> Option<f64> {
        series
            .iter()
            .find(|(n, _)| n == &format!("backup:d:{m}"))
            .map(|(_, v)| *v)
    }

    #[test]
    fn the_newest_dump_is_judged_against_the_one_before() {
        let r = newest_two(vec![
            dump("a", 50, 1000),
            dump("c", 2, 400),
            dump("b", 26, 1000),
        ])
        .unwrap();
        let s = r.series("d", NOW, DEFAULT_MAX_AGE);
        assert_eq!(value(&s, "age_seconds"), Some(2.0 * 3600.0));
        assert_eq!(value(&s, "size_bytes"), Some(400.0));
        assert_eq!(value(&s, "size_ratio"), Some(0.4));
        let found = r.judge(NOW, DEFAULT_MAX_AGE);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].level, Severity::Warning);
        assert!(found[0].text.contains("40% of the one before"), "{found:?}");
        assert!(
            r.summary(NOW).contains("newest c 2h old"),
            "{}",
            r.summary(NOW)
        );
    }

    #[test]
    fn an_old_dump_is_stale_and_its_age_ratio_passes_one() {
        let r = newest_two(vec![dump("a", 30, 1000)]).unwrap();
        let s = r.series("d", NOW, DEFAULT_MAX_AGE);
        assert!(value(&s, "age_ratio").unwrap() > 1.0);
        assert_eq!(value(&s, "size_ratio"), None);
        let found = r.judge(NOW, DEFAULT_MAX_AGE);
        assert_eq!(found[0].level, Severity::Warning);
        assert!(
            found[0].text.contains("1day6h old (max 1day2h)"),
            "{found:?}"
        );
        let older = newest_two(vec![dump("a", 53, 1000)]).unwrap();
        assert_eq!(
            older.judge(NOW, DEFAULT_MAX_AGE)[0].level,
            Severity::Critical
        );
        // The same dump within a longer max_age is fine.
        assert!(r.judge(NOW, Duration::from_secs(48 * 3600)).is_empty());
        assert!(newest_two(Vec::new()).is_none());
    }

    #[test]
    fn archiving_fails_only_while_the_last_failure_is_newest() {
        let wal = |ok: Option<i64>, failed: Option<i64>| BackupReading::WalArchive {
            archived_count: 3,
            last_archived_wal: ok.map(|_| "000000010000000000000003".into()),
            last_archived: ok,
            failed_count: 2,
            last_failed_wal: failed.map(|_| "000000010000000000000004".into()),
            last_failed: failed,
        };
        let recovered = wal(Some(NOW - 60), Some(NOW - 600));
        assert!(!recovered.archive_failing());
        assert!(recovered.judge(NOW, DEFAULT_MAX_AGE).is_empty());
        let failing = wal(Some(NOW - 600), Some(NOW - 60));
        let s = failing.series("d", NOW, DEFAULT_MAX_AGE);
        assert_eq!(value(&s, "archive_failing"), Some(1.0));
        assert_eq!(value(&s, "archive_failures"), Some(2.0));
        let never = wal(None, Some(NOW));
        assert!(never.archive_failing());
        let found = never.judge(NOW, DEFAULT_MAX_AGE);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            value(&never.series("d", NOW, DEFAULT_MAX_AGE), "age_seconds"),
            None
        );
        assert_eq!(found[0].level, Severity::Critical);
        assert!(found[0].text.contains("every attempt failed"), "{found:?}");
        // Archiving on, nothing tried yet: no age, but never fresh nor silent.
        let quiet = wal(None, None);
        let s = quiet.series("d", NOW, DEFAULT_MAX_AGE);
        assert_eq!(value(&s, "nothing_archived"), Some(1.0));
        assert_eq!(value(&s, "age_ratio"), None);
        let found = quiet.judge(NOW, DEFAULT_MAX_AGE);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].level, Severity::Warning);
        assert!(found[0].text.contains("nothing archived yet"), "{found:?}");
        assert_eq!(
            value(
                &recovered.series("d", NOW, DEFAULT_MAX_AGE),
                "nothing_archived"
            ),
            Some(0.0)
        );
    }

    #[test]
    fn a_command_prints_unix_seconds_or_rfc3339() {
        assert_eq!(command_time("\n 1700000000\n"), Ok(1_700_000_000));
        assert_eq!(command_time("2023-11-14T22:13:20Z"), Ok(1_700_000_000));
        assert!(command_time("").unwrap_err().contains("printed nothing"));
        assert!(command_time("yesterday")
            .unwrap_err()
            .contains("\"yesterday\""));
    }
}
