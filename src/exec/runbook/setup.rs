//! Setting a run up, one way for the CLI and the console: the runbook looked
//! up in the catalogue (with a did-you-mean), its params bound from what was
//! given and the alert's labels, the run named, its timeline opened and its
//! engine made; or a run rebuilt from its timeline to resume it.

use super::runs::{self, TimelineFile};
use crate::runbook::catalog::Catalog;
use crate::runbook::engine::Engine;
use crate::runbook::spec::Runbook;
use crate::runbook::status::RunMode;
use crate::runbook::timeline::RunState;
use std::collections::BTreeMap;

/// Which run to set up.
#[derive(Debug, Clone)]
pub enum Start {
    /// A new run of runbook `id` with the params `given` and an alert's `labels`.
    New {
        id: String,
        given: BTreeMap<String, String>,
        labels: BTreeMap<String, String>,
    },
    /// The run `run_id` again, from its failed step (`id`, when given, must
    /// match), with the params its timeline withheld `given` again.
    Resume {
        run_id: String,
        id: Option<String>,
        given: BTreeMap<String, String>,
    },
}

/// A run ready to drive.
pub struct Prepared {
    pub run_id: String,
    pub runbook: Runbook,
    pub engine: Engine,
    pub timeline: TimelineFile,
}

pub fn prepare(catalog: &Catalog, start: Start, mode: RunMode) -> Result<Prepared, String> {
    let (engine, run_id) = match start {
        Start::New { id, given, labels } => {
            let rb = runbook(catalog, &id)?;
            let params = rb
                .bind_params(&given, &labels)
                .map_err(|errors| errors.join("; "))?;
            let run_id = runs::new_id(&rb.id, &crate::base::time::now_rfc3339());
            (Engine::new(rb, params, labels, mode), run_id)
        }
        Start::Resume { run_id, id, given } => {
            let dir = runs::runs_dir();
            let path = runs::path_of(&dir, &run_id)?;
            if !path.exists() {
                let recent = runs::recent(&dir, 5);
                return Err(if recent.is_empty() {
                    format!("no run `{run_id}`: {} holds no runs", dir.display())
                } else {
                    format!("no run `{run_id}`; the latest: {}", recent.join(", "))
                });
            }
            let entries = runs::read(&path)?;
            let snap = RunState::rebuild(&entries)?;
            if let Some(id) = id.filter(|id| *id != snap.runbook) {
                return Err(format!(
                    "run {run_id} is a run of `{}`, not `{id}`",
                    snap.runbook
                ));
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
