//! The runbooks shipped inside the binary (`runbooks/*.toml` in the repo).

use super::spec::Runbook;
use crate::base::diag::FileError;
use std::path::PathBuf;

/// File name and text of every built-in runbook.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "site-down.toml",
        include_str!("../../runbooks/site-down.toml"),
    ),
    (
        "degraded-performance.toml",
        include_str!("../../runbooks/degraded-performance.toml"),
    ),
    (
        "database.toml",
        include_str!("../../runbooks/database.toml"),
    ),
    (
        "failed-deploy.toml",
        include_str!("../../runbooks/failed-deploy.toml"),
    ),
    ("node.toml", include_str!("../../runbooks/node.toml")),
    ("backup.toml", include_str!("../../runbooks/backup.toml")),
];

/// Parses the built-ins; errors name them as `builtin:FILE`.
pub fn builtin() -> Result<Vec<Runbook>, Vec<FileError>> {
    let mut runbooks = Vec::new();
    let mut errors = Vec::new();
    for (name, text) in BUILTIN {
        let path = PathBuf::from(format!("builtin:{name}"));
        match Runbook::parse(&path, text) {
            Ok(rb) => runbooks.push(rb),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(runbooks)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
#[path = "builtin_tests.rs"]
mod tests;
