//! What the types cannot say about a `[[backup]]`: it watches exactly one
//! thing, protects a `[[postgres]]` that is configured, a path is one
//! opsdeck can list (absolute, `*` only in its last part), and the restore
//! and dump timeouts are above zero on a backup that has dumps.

use super::load::refers;
use super::Config;
use std::ops::Range;
use std::time::Duration;

pub(super) fn check(c: &Config, at: &mut impl FnMut(Range<usize>, String)) {
    let postgres: Vec<String> = c
        .postgres
        .iter()
        .map(|p| p.name.get_ref().clone())
        .collect();
    for b in &c.backup {
        let who = format!("backup {:?}", b.name.get_ref());
        refers(at, &who, "postgres", &b.postgres, &postgres);
        let watches = [b.path.is_some(), b.wal_archive, b.command.is_some()];
        if watches.iter().filter(|w| **w).count() != 1 {
            at(
                b.name.span(),
                format!(
                    "{who} needs exactly one of path = \"DIR or GLOB\", wal_archive = true \
                     or command = \"...\" (what shows the backups are made)"
                ),
            );
        }
        if let Some(path) = &b.path {
            if let Err(e) = path_shape(path.get_ref()) {
                at(path.span(), format!("{who}: path {:?} {e}", path.get_ref()));
            }
        }
        if let Some(to) = &b.restore_to {
            refers(at, &who, "postgres", to, &postgres);
            if b.path.is_none() {
                at(
                    to.span(),
                    format!("{who}: restore_to needs path = \"...\": a restore drill restores a dump file"),
                );
            }
        }
        if b.row_tolerance.is_some_and(|t| !(0.0..=1.0).contains(&t)) {
            at(
                b.name.span(),
                format!("{who}: row_tolerance must be a share between 0 and 1, e.g. 0.2"),
            );
        }
        for (field, limit) in [
            ("restore_timeout", &b.restore_timeout),
            ("dump_timeout", &b.dump_timeout),
        ] {
            if let Some(limit) = limit.as_ref().filter(|l| l.get_ref().is_zero()) {
                at(
                    limit.span(),
                    format!("{who}: {field} is zero; expected the longest it may run, e.g. \"1h\""),
                );
            }
            if limit.is_some() && b.path.is_none() {
                at(
                    b.name.span(),
                    format!("{who}: {field} needs path = \"...\": only a dump directory is restored from or dumped into"),
                );
            }
        }
        if let Some(command) = &b.command {
            if command.get_ref().trim().is_empty() {
                at(command.span(), format!("{who}: command is empty"));
            }
        }
        if b.max_age.is_some_and(|m| m.0 < Duration::from_secs(60)) {
            let offset = b.name.span();
            at(
                offset,
                format!("{who}: max_age is under a minute; expected the longest a backup may be, e.g. \"26h\""),
            );
        }
    }
}

/// Why `path` cannot be listed as a directory or a glob, if it cannot.
fn path_shape(path: &str) -> Result<(), &'static str> {
    if !path.starts_with('/') {
        return Err("is not absolute; expected e.g. \"/var/backups/pg/*.dump\"");
    }
    let (dir, _) = path.rsplit_once('/').unwrap_or(("", path));
    if dir.contains('*') {
        return Err("has a `*` before its last part; only the file name may be a pattern");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::config::parse;
    use std::path::Path;

    const PG: &str = "[[postgres]]\nname = \"db\"\nurl_env = \"DB_URL\"\n";

    fn errs(text: &str) -> Vec<String> {
        match parse(Path::new("c.toml"), &format!("{PG}{text}")) {
            Ok(_) => Vec::new(),
            Err(e) => e.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn a_backup_of_each_kind_parses() {
        let text = "[[backup]]\nname = \"dumps\"\npostgres = \"db\"\npath = \"/b/*.dump\"\nmax_age = \"2h\"\n\
                    [[backup]]\nname = \"wal\"\npostgres = \"db\"\nwal_archive = true\n\
                    [[backup]]\nname = \"cmd\"\npostgres = \"db\"\ncommand = \"cat /b/last\"\n";
        assert_eq!(errs(text), Vec::<String>::new());
        let c = parse(Path::new("c.toml"), &format!("{PG}{text}")).unwrap();
        assert_eq!(c.backup.len(), 3);
        assert!(c.backup[1].wal_archive);
    }

    #[test]
    fn each_mistake_is_named_at_its_line() {
        let e = errs(
            "[[backup]]\nname = \"none\"\npostgres = \"db\"\n\
             [[backup]]\nname = \"two\"\npostgres = \"db\"\npath = \"/b\"\nwal_archive = true\n\
             [[backup]]\nname = \"rel\"\npostgres = \"bd\"\npath = \"dumps/*.dump\"\n\
             [[backup]]\nname = \"star\"\npostgres = \"db\"\npath = \"/b/*/x.dump\"\n\
             [[backup]]\nname = \"db\"\npostgres = \"db\"\ncommand = \"date\"\n",
        );
        let has = |line: &str, words: &str| {
            assert!(
                e.iter().any(|m| m.starts_with(line) && m.contains(words)),
                "{line} {words}: {e:#?}"
            )
        };
        has("c.toml:5:", "\"none\" needs exactly one of path");
        has("c.toml:8:", "\"two\" needs exactly one of path");
        has("c.toml:14:", "refers to postgres \"bd\"");
        has("c.toml:15:", "is not absolute");
        has("c.toml:19:", "only the file name may be a pattern");
        has(
            "c.toml:21:",
            "already the name of the [[postgres]] on line 2",
        );
        assert_eq!(e.len(), 6, "{e:#?}");
    }

    #[test]
    fn timeouts_are_above_zero_and_only_for_dumps() {
        let e = errs(
            "[[backup]]\nname = \"d\"\npostgres = \"db\"\npath = \"/b\"\nrestore_timeout = \"0s\"\n\
             [[backup]]\nname = \"w\"\npostgres = \"db\"\nwal_archive = true\ndump_timeout = \"1h\"\n",
        );
        assert!(
            e.iter()
                .any(|m| m.starts_with("c.toml:8:") && m.contains("restore_timeout is zero")),
            "{e:#?}"
        );
        assert!(
            e.iter()
                .any(|m| m.starts_with("c.toml:10:") && m.contains("dump_timeout needs path")),
            "{e:#?}"
        );
        let e = errs(
            "[[backup]]\nname = \"d\"\npostgres = \"db\"\npath = \"/b\"\ndump_timeout = \"soon\"\n",
        );
        assert!(
            e.iter()
                .any(|m| m.starts_with("c.toml:8:") && m.contains("invalid duration")),
            "{e:#?}"
        );
    }
}
