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
    pub fn load(dirs: &[PathBuf]) -> (Catalog, Vec<FileError>) {
        let mut catalog = Catalog::default();
        let mut errors = Vec::new();
        for (name, text) in BUILTIN {
            let path = PathBuf::from(format!("builtin:{name}"));
            catalog.add(&path, text.to_string(), Origin::Builtin(name), &mut errors);
        }
        for dir in dirs {
            let files = match toml_files(dir) {
                Ok(files) => files,
                Err(e) => {
                    errors.push(FileError::at_offset(
                        dir,
                        "",
                        0,
                        format!("cannot read runbook directory: {e}"),
                    ));
                    continue;
                }
            };
            for path in files {
                match std::fs::read_to_string(&path) {
                    Ok(text) => catalog.add(&path, text, Origin::File(path.clone()), &mut errors),
                    Err(e) => errors.push(FileError::at_offset(
                        &path,
                        "",
                        0,
                        format!("cannot read: {e}"),
                    )),
                }
            }
        }
        (catalog, errors)
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

    /// The closest id, for "no runbook `x` (did you mean `y`?)".
    pub fn suggest(&self, id: &str) -> Option<&str> {
        super::suggest(id, self.entries.iter().map(|e| e.runbook.id.as_str()))
    }
}

fn toml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("opsdeck-catalog-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    const MINE: &str = "id = \"site-down\"\ntitle = \"Our own site-down\"\n\n[[trigger]]\nalert = \"Custom\"\n\n[[step]]\nid = \"a\"\nkind = \"note\"\n";

    #[test]
    fn builtins_load_clean_and_answer_their_alerts() {
        let (catalog, errors) = Catalog::load(&[]);
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

    #[test]
    fn user_files_override_by_id_and_bad_files_are_reported() {
        let dir = scratch("override");
        fs::write(dir.join("mine.toml"), MINE).unwrap();
        fs::write(
            dir.join("broken.toml"),
            "id = \"x\"\ntitle = \"X\"\n[[step]]\nid = \"a\"\nkind = \"nope\"\n",
        )
        .unwrap();
        fs::write(dir.join("notes.txt"), "not a runbook").unwrap();
        let (catalog, errors) = Catalog::load(std::slice::from_ref(&dir));
        assert_eq!(catalog.entries().len(), BUILTIN.len());
        let mine = catalog.get("site-down").unwrap();
        assert_eq!(mine.runbook.title, "Our own site-down");
        assert_eq!(mine.origin, Origin::File(dir.join("mine.toml")));
        assert_eq!(mine.text, MINE);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].path.ends_with("broken.toml") && errors[0].line == 5,
            "{}",
            errors[0]
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_directory_is_an_error_not_a_panic() {
        let (catalog, errors) = Catalog::load(&[PathBuf::from("/nonexistent/opsdeck/runbooks")]);
        assert_eq!(catalog.entries().len(), BUILTIN.len());
        assert!(errors[0]
            .message
            .starts_with("cannot read runbook directory"));
    }
}
