//! The files opsdeck reads and keeps, read and written here so the Model,
//! the app loop and the pure engines never touch a disk: the config (with its
//! alert rules checked), the runbook catalogue, theme files, and the
//! acknowledgements log.

use crate::action::audit::{append_line, read_lines};
use crate::base::diag::FileError;
use crate::config::theme::Theme;
use crate::config::{self, Loaded};
use crate::model::Ack;
use crate::runbook::catalog::Catalog;
use std::path::{Path, PathBuf};

/// The config as every entry point loads it: the file's own checks, then its
/// alert rules against the built-ins. Every problem comes back, located.
pub fn load_config(explicit: Option<PathBuf>) -> Result<Loaded, Vec<FileError>> {
    let loaded = config::load(explicit)?;
    let errors = crate::alert::check_config(&loaded.path, &loaded.text, &loaded.config);
    if errors.is_empty() {
        Ok(loaded)
    } else {
        Err(errors)
    }
}

/// [`load_config`] for an entry point: every problem printed on stderr, and
/// None for "stop, exit 2".
pub fn load_config_or_report(explicit: Option<PathBuf>) -> Option<Loaded> {
    match load_config(explicit) {
        Ok(loaded) => Some(loaded),
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!(
                "{} error(s) in the config; nothing was started",
                errors.len()
            );
            None
        }
    }
}

/// [`load_config`] on text already in hand (tests, `config check` fixtures).
pub fn parse_config(path: &Path, text: &str) -> Result<config::Config, Vec<FileError>> {
    let c = config::parse(path, text)?;
    let errors = crate::alert::check_config(path, text, &c);
    if errors.is_empty() {
        Ok(c)
    } else {
        Err(errors)
    }
}

/// The built-in runbooks overlaid by every `*.toml` in `dirs`, in order (a
/// later file with the same id wins). Files that do not lint are left out
/// and their errors returned with the unreadable ones.
pub fn load_catalog(dirs: &[PathBuf]) -> (Catalog, Vec<FileError>) {
    let (mut catalog, mut errors) = Catalog::builtin();
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
                Ok(text) => catalog.add_file(&path, text, &mut errors),
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

/// The ids of every runbook the catalogue holds.
pub fn runbook_ids(dirs: &[PathBuf]) -> Vec<String> {
    let (catalog, _) = load_catalog(dirs);
    catalog
        .entries()
        .iter()
        .map(|e| e.runbook.id.clone())
        .collect()
}

fn toml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// Reads and lints one runbook file; an unreadable file is one error at 1:1.
pub fn lint_file(path: &Path) -> Vec<FileError> {
    match std::fs::read_to_string(path) {
        Ok(text) => crate::runbook::lint::lint(path, &text),
        Err(e) => vec![FileError::at_offset(
            path,
            "",
            0,
            format!("cannot read: {e}"),
        )],
    }
}

/// What a runbook check found: errors, and advice that stops nothing (a
/// runbook directory that does not exist yet, a probe naming no workload).
#[derive(Debug, Default)]
pub struct RunbookReview {
    pub errors: Vec<FileError>,
    pub advice: Vec<FileError>,
}

/// Every problem of the runbooks `files` (or, with none, of the whole
/// catalogue): each file's lint, then how it binds to the alerts its
/// triggers name; with a config, against its rules and targets too.
pub fn lint_runbooks(config: Option<&config::Config>, files: &[PathBuf]) -> Vec<FileError> {
    review_runbooks(config, files).errors
}

/// [`lint_runbooks`], with the advice kept apart.
pub fn review_runbooks(config: Option<&config::Config>, files: &[PathBuf]) -> RunbookReview {
    let rules = config.map_or_else(crate::alert::default_rules, crate::alert::specs_of);
    let (catalog, mut errors) = if files.is_empty() {
        let dirs = config.map(|c| c.runbook_dirs.clone()).unwrap_or_default();
        load_catalog(&dirs)
    } else {
        let mut catalog = Catalog::default();
        let mut errors = Vec::new();
        for f in files {
            match std::fs::read_to_string(f) {
                Ok(text) => catalog.add_file(f, text, &mut errors),
                // Reported as lint reports an unreadable file.
                Err(_) => errors.extend(lint_file(f)),
            }
        }
        (catalog, errors)
    };
    errors.extend(crate::binding::check(catalog.entries(), &rules, config));
    // A runbook directory not made yet holds no runbook to get wrong.
    let (missing_dirs, errors): (Vec<FileError>, Vec<FileError>) = errors
        .into_iter()
        .partition(|e| e.message.starts_with("cannot read runbook directory"));
    let mut advice = missing_dirs;
    if let Some(cfg) = config {
        advice.extend(crate::binding::advice(catalog.entries(), &rules, cfg));
    }
    RunbookReview { errors, advice }
}

/// A built-in theme by name, or a theme file by path.
pub fn load_theme(name_or_path: &str) -> Result<Theme, FileError> {
    Theme::load(name_or_path)
}

/// What the console reads from files before its loop starts.
pub struct Startup {
    /// The catalogue's runbook ids, for mapping alerts' runbook URLs onto.
    pub runbook_ids: Vec<String>,
    /// The acknowledgements log, or why it could not be read.
    pub acks: Result<Vec<Ack>, String>,
    /// Each Kubernetes target with the contexts of its kubeconfig, for `:ctx`.
    pub kube_contexts: Vec<(crate::connect::kube::KubeTarget, Vec<String>)>,
}

pub fn startup(config: &config::Config) -> Startup {
    Startup {
        runbook_ids: runbook_ids(&config.runbook_dirs),
        acks: read_acks(&acks_path()),
        kube_contexts: crate::connect::kube::targets(config)
            .into_iter()
            .map(|t| {
                let contexts = crate::connect::kube::contexts(&t).unwrap_or_default();
                (t, contexts)
            })
            .collect(),
    }
}

/// Where local acknowledgements are kept: `DATA_DIR/acks.jsonl`.
pub fn acks_path() -> PathBuf {
    config::paths::data_dir().join("acks.jsonl")
}

/// Every acknowledgement recorded at `path` (none when it does not exist yet).
pub fn read_acks(path: &Path) -> Result<Vec<Ack>, String> {
    read_lines(path)
}

/// Appends `ack` to the log at `path`, one fsync'd line.
pub fn append_ack(path: &Path, ack: &Ack) -> Result<(), String> {
    let line = serde_json::to_string(ack).map_err(|e| e.to_string())?;
    append_line(path, &line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::builtin::BUILTIN;
    use crate::runbook::catalog::Origin;
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
    fn user_files_override_by_id_and_bad_files_are_reported() {
        let dir = scratch("override");
        fs::write(dir.join("mine.toml"), MINE).unwrap();
        fs::write(
            dir.join("broken.toml"),
            "id = \"x\"\ntitle = \"X\"\n[[step]]\nid = \"a\"\nkind = \"nope\"\n",
        )
        .unwrap();
        fs::write(dir.join("notes.txt"), "not a runbook").unwrap();
        let (catalog, errors) = load_catalog(std::slice::from_ref(&dir));
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
        let (catalog, errors) = load_catalog(&[PathBuf::from("/nonexistent/opsdeck/runbooks")]);
        assert_eq!(catalog.entries().len(), BUILTIN.len());
        assert!(errors[0]
            .message
            .starts_with("cannot read runbook directory"));
    }

    #[test]
    fn unreadable_runbook_files_are_one_error() {
        let errs = lint_file(Path::new("/nonexistent/runbook.toml"));
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.starts_with("cannot read"));
    }
}

#[cfg(test)]
mod ack_tests {
    use crate::alert::{AlertState, AlertView};
    use crate::console::{Acks, AlertRow};
    use crate::model::Ack;
    use crate::model::Severity;

    fn row(state: AlertState, since: f64) -> AlertRow {
        AlertRow {
            source: "am".into(),
            sources: vec!["am".into()],
            alert: AlertView {
                rule: "DiskFull".into(),
                series: "fp1".into(),
                labels: Default::default(),
                annotations: Default::default(),
                notes: Vec::new(),
                state,
                severity: Severity::Critical,
                value: None,
                threshold: None,
                since,
                active_since: Some(since),
                runbook: None,
                message: None,
                flapping: false,
            },
            op: None,
            runbook_id: None,
            muted_by: Vec::new(),
            ack: None,
        }
    }

    #[test]
    fn an_ack_holds_until_the_state_changes_and_survives_a_reload() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("acks.jsonl");
        let read = |p: &std::path::Path| Acks::from_read(super::read_acks(p));
        let mut acks = read(&path);
        assert!(acks.load_error.is_none() && acks.all.is_empty());
        let firing = row(AlertState::Firing, 100.0);
        let ack = Ack::of(&firing, "ana@box", 1_800_000_000, " on it ");
        super::append_ack(&path, &ack).unwrap();
        acks.record(ack);
        let ack = acks.current(&firing).expect("acked");
        assert_eq!(
            ack.describe(),
            "acknowledged by ana@box at 2027-01-15T08:00:00Z (on it)"
        );
        assert!(acks.current(&row(AlertState::Resolved, 200.0)).is_none());
        assert!(
            acks.current(&row(AlertState::Firing, 300.0)).is_none(),
            "a new episode"
        );

        let reloaded = read(&path);
        assert!(reloaded.load_error.is_none());
        assert!(reloaded.current(&firing).is_some());
        assert_eq!(reloaded.between(1_799_999_999, 1_800_000_001).len(), 1);
        assert!(reloaded.between(0, 10).is_empty());
    }

    #[test]
    fn a_torn_log_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("acks.jsonl");
        std::fs::write(&path, "{not json\n").unwrap();
        let acks = Acks::from_read(super::read_acks(&path));
        assert!(acks.all.is_empty());
        assert!(acks.load_error.unwrap().contains("acks.jsonl:1"));
    }
}
