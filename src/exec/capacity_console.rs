//! The console's side of a capacity run (`:load URL --stages ...`): the
//! running stage's figures and the run's progress forwarded to the app loop
//! in the order they happen, and the `--report` written once the run is over,
//! as `opsdeck load --stages` writes it.

use crate::console::Event;
use crate::load::capacity::markdown;
use crate::load::capacity::run::Progress;
use crate::load::capacity::spec::CapacitySpec;
use crate::load::LoadFigures;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, watch};

/// Forwards figures and progress until the run's orchestrator is gone;
/// `started` takes the time the first stage began (the report's).
pub async fn forward(
    mut figures: watch::Receiver<Option<LoadFigures>>,
    mut progress: watch::Receiver<Progress>,
    started: Arc<OnceLock<String>>,
    tx: mpsc::Sender<Event>,
) {
    loop {
        tokio::select! {
            // A stage's last figures go before the progress that ends it,
            // which clears them for the next stage.
            biased;
            changed = figures.changed() => {
                if changed.is_err() {
                    break;
                }
                let f = figures.borrow_and_update().clone();
                if let Some(f) = f {
                    if tx.send(Event::Load(Box::new(f))).await.is_err() {
                        return;
                    }
                }
            }
            changed = progress.changed() => {
                if changed.is_err() {
                    break;
                }
                let p = progress.borrow_and_update().clone();
                if p.current.is_some() {
                    let _ = started.set(crate::base::time::now_rfc3339());
                }
                if tx.send(Event::Capacity(Box::new(p))).await.is_err() {
                    return;
                }
            }
        }
    }
    // The verdict may land as the figures' channel closes: the last word is
    // the run's progress as it ended.
    let last = progress.borrow().clone();
    let _ = tx.send(Event::Capacity(Box::new(last))).await;
}

/// What writes the report once the run is over: nothing when no stage
/// started or the run ended without a verdict (the action's own failure
/// says why).
pub fn report(
    spec: CapacitySpec,
    progress: watch::Receiver<Progress>,
    started: Arc<OnceLock<String>>,
    path: PathBuf,
) -> impl FnOnce() -> Option<Event> + Send + 'static {
    move || {
        let done = progress.borrow().clone();
        let when = started.get()?;
        let verdict = done.verdict.as_ref()?;
        let written = markdown::write(&path, &spec, &done.rows, verdict, when).map(|()| path);
        Some(Event::CapacityReport(written))
    }
}
