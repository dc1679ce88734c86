//! Setting a run up, one way for the CLI and the console: the runbook looked
//! up in the catalogue (with a did-you-mean), its params bound from what was
//! given and the alert's labels, the run named, its timeline opened and its
//! engine made; or a run rebuilt from its timeline to resume it.

use super::runs::{self, TimelineFile};
use crate::runbook::catalog::Catalog;
use crate::runbook::engine::Engine;
use crate::runbook::spec::Runbook;
use crate::runbook::status::RunMode;
use crate::runbook::timeline::{FiredAlert, RunState};
use std::collections::BTreeMap;

/// Which run to set up.
#[derive(Debug, Clone)]
pub enum Start {
    /// A new run of runbook `id` with the params `given` and an alert's `labels`.
    New {
        id: String,
        given: BTreeMap<String, String>,
        labels: BTreeMap<String, String>,
        /// The alert that opened it, when one did.
        alert: Option<FiredAlert>,
    },
    /// The run `run_id` again, from its failed step (`id`, when given, must
    /// match), with the params its timeline withheld `given` again.
    Resume {
        run_id: String,
        id: Option<String>,
        given: BTreeMap<String, String>,
    },
}

/// Why a run could not be set up.
#[derive(Debug, Clone, PartialEq)]
pub enum NotReady {
    /// Params that nothing gave (no `--param`, no alert label, no default):
    /// a person must name them; the run never guesses.
    Missing {
        params: Vec<String>,
        reason: String,
    },
    Other(String),
}

impl std::fmt::Display for NotReady {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotReady::Missing { reason, .. } | NotReady::Other(reason) => f.write_str(reason),
        }
    }
}

impl From<String> for NotReady {
    fn from(s: String) -> Self {
        NotReady::Other(s)
    }
}

/// A run ready to drive.
pub struct Prepared {
    pub run_id: String,
    pub runbook: Runbook,
    pub engine: Engine,
    pub timeline: TimelineFile,
}

pub fn prepare(catalog: &Catalog, start: Start, mode: RunMode) -> Result<Prepared, NotReady> {
    let (engine, run_id) = match start {
        Start::New {
            id,
            given,
            labels,
            alert,
        } => {
            let rb = runbook(catalog, &id)?;
            let params = rb.bind_params(&given, &labels).map_err(|errors| {
                let missing: Vec<String> = errors
                    .iter()
                    .filter(|e| e.contains(": no value"))
                    .filter_map(|e| e.split('`').nth(1).map(str::to_string))
                    .collect();
                let reason = format!("runbook {id}: {}", errors.join("; "));
                if missing.is_empty() || missing.len() < errors.len() {
                    NotReady::Other(reason)
                } else {
                    NotReady::Missing {
                        params: missing,
                        reason,
                    }
                }
            })?;
            let run_id = runs::new_id(&rb.id, &crate::base::time::now_rfc3339());
            (
                Engine::new(rb, params, labels, mode).with_alert(alert),
                run_id,
            )
        }
        Start::Resume { run_id, id, given } => {
            let dir = runs::runs_dir();
            let path = runs::path_of(&dir, &run_id)?;
            if !path.exists() {
                let recent = runs::recent(&dir, 5);
                return Err(NotReady::Other(if recent.is_empty() {
                    format!("no run `{run_id}`: {} holds no runs", dir.display())
                } else {
                    format!("no run `{run_id}`; the latest: {}", recent.join(", "))
                }));
            }
            let entries = runs::read(&path)?;
            let snap = RunState::rebuild(&entries)?;
            if let Some(id) = id.filter(|id| *id != snap.runbook) {
                return Err(NotReady::Other(format!(
                    "run {run_id} is a run of `{}`, not `{id}`",
                    snap.runbook
                )));
            }
            let rb = runbook(catalog, &snap.runbook)?;
            (Engine::resume(rb, &entries, mode, &given)?, run_id)
        }
    };
    let path = runs::path_of(&runs::runs_dir(), &run_id)?;
    let timeline = TimelineFile::open(&path)?;
    Ok(Prepared {
        run_id,
        runbook: engine.runbook().clone(),
        engine,
        timeline,
    })
}

fn runbook(catalog: &Catalog, id: &str) -> Result<Runbook, String> {
    match catalog.get(id) {
        Some(entry) => Ok(entry.runbook.clone()),
        None => Err(match catalog.suggest(id) {
            Some(s) => {
                format!("no runbook `{id}` (did you mean `{s}`?); see `opsdeck runbook list`")
            }
            None => format!("no runbook `{id}`; see `opsdeck runbook list`"),
        }),
    }
}
