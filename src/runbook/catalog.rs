//! All runbooks a run can choose from: the built-ins, overlaid by the
//! users' `runbook_dirs` in order (a later file with the same id wins).
//! Files with lint errors are left out and their errors returned.

use super::builtin::BUILTIN;
use super::lint::lint;
use super::spec::Runbook;
use crate::base::diag::FileError;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin(&'static str),
    File(PathBuf),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub runbook: Runbook,
    pub origin: Origin,
    /// The file as written, for `runbook show`.
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: Vec<Entry>,
}

impl Catalog {
    /// The built-in runbooks; the caller overlays the users' files with
    /// [`Catalog::add_file`] (reading them is the executors' job).
    pub fn builtin() -> (Catalog, Vec<FileError>) {
        let mut catalog = Catalog::default();
        let mut errors = Vec::new();
        for (name, text) in BUILTIN {
            let path = PathBuf::from(format!("builtin:{name}"));
            catalog.add(&path, text.to_string(), Origin::Builtin(name), &mut errors);
        }
        (catalog, errors)
    }

    /// A user's runbook file, linted; it replaces a runbook with the same id,
    /// and a file with lint errors is left out with its errors reported.
    pub fn add_file(&mut self, path: &Path, text: String, errors: &mut Vec<FileError>) {
        self.add(path, text, Origin::File(path.to_path_buf()), errors);
    }

    fn add(&mut self, path: &Path, text: String, origin: Origin, errors: &mut Vec<FileError>) {
        let problems = lint(path, &text);
        if !problems.is_empty() {
            errors.extend(problems);
            return;
        }
        let Ok(runbook) = Runbook::parse(path, &text) else {
            return;
        };
        let entry = Entry {
            runbook,
            origin,
            text,
        };
        match self
            .entries
            .iter_mut()
            .find(|e| e.runbook.id == entry.runbook.id)
        {
            Some(slot) => *slot = entry,
            None => self.entries.push(entry),
        }
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.runbook.id == id)
    }

    /// Runbooks whose triggers name this alert.
    pub fn for_alert(&self, alert: &str) -> Vec<&Entry> {
        self.entries
            .iter()
            .filter(|e| e.runbook.answers(alert))
            .collect()
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Why `id` is not here, with the closest id when one is close.
    pub fn not_found(&self, id: &str) -> String {
        match self.suggest(id) {
            Some(s) => {
                format!("no runbook `{id}` (did you mean `{s}`?); see `opsdeck runbook list`")
            }
            None => format!("no runbook `{id}`; see `opsdeck runbook list`"),
        }
    }

    /// The closest id, for "no runbook `x` (did you mean `y`?)".
    pub fn suggest(&self, id: &str) -> Option<&str> {
        super::suggest(id, self.entries.iter().map(|e| e.runbook.id.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_load_clean_and_answer_their_alerts() {
        let (catalog, errors) = Catalog::builtin();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(catalog.entries().len(), BUILTIN.len());
        assert_eq!(
            catalog.get("site-down").unwrap().origin,
            Origin::Builtin("site-down.toml")
        );
        let ids: Vec<&str> = catalog
            .for_alert("HighErrorRate")
            .iter()
            .map(|e| e.runbook.id.as_str())
            .collect();
        assert_eq!(ids, ["site-down", "failed-deploy"]);
        assert_eq!(catalog.suggest("site-dwn"), Some("site-down"));
    }
}
