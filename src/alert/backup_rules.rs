//! Built-in rules on `[[backup]]`s: a backup older than its `max_age`
//! (warning; critical at twice it), a dump far smaller than the one before
//! it, WAL archiving whose last attempt failed, and WAL archiving that has
//! archived nothing yet (it has no age to be stale by). Their alerts carry the
//! `postgres` label of the target the backup protects, and open the backup runbook.

use super::defaults::{builtin, AT_ONCE, BRIEF};
use crate::config::alert_rule::{Op, RuleSpec};
use crate::model::backup::SHRUNK_BELOW;
use crate::model::Severity;

pub fn backup_rules() -> Vec<RuleSpec> {
    use Op::{Gt, Lt};
    vec![
        builtin(
            "BackupStale",
            &["backup:*:age_ratio"],
            (Gt, 2.0, Some(1.0)),
            Severity::Critical,
            AT_ONCE,
            "The newest backup is older than its max_age (critical at twice it)",
            Some("backup"),
        ),
        builtin(
            "BackupShrunk",
            &["backup:*:size_ratio"],
            (Lt, SHRUNK_BELOW, None),
            Severity::Warning,
            AT_ONCE,
            "The newest dump is less than half the size of the one before it",
            Some("backup"),
        ),
        builtin(
            "WalArchivingFailing",
            &["backup:*:archive_failing"],
            (Gt, 0.0, None),
            Severity::Critical,
            BRIEF,
            "archive_command fails: point-in-time recovery stops at the last archived WAL",
            Some("backup"),
        ),
        builtin(
            "WalNothingArchived",
            &["backup:*:nothing_archived"],
            (Gt, 0.0, None),
            Severity::Warning,
            BRIEF,
            "archive_mode is on but no WAL segment was archived yet: point-in-time recovery has nothing to replay",
            Some("backup"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::validate::{validate_rules, RuleSource};

    #[test]
    fn backup_rules_watch_age_size_and_archiving() {
        let rules = validate_rules(&backup_rules(), &[]).unwrap();
        let by_name = |n: &str| rules.iter().find(|r| r.name == n).unwrap();
        assert_eq!(
            by_name("BackupStale").source,
            RuleSource::Metric(vec!["backup:*:age_ratio".into()])
        );
        assert_eq!(by_name("WalArchivingFailing").for_secs, 60.0);
        assert_eq!(by_name("BackupShrunk").severity, Severity::Warning);
        assert_eq!(by_name("WalNothingArchived").severity, Severity::Warning);
    }
}
