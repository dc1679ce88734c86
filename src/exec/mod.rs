//! Everything the console and the CLI do to the outside world on the Model's
//! behalf: performing Commands (actions, logs, runbook runs, load runs, panel
//! queries) and answering with Events, and the files opsdeck keeps (config,
//! acknowledgements, themes, the runbook catalogue, run timelines).
pub mod backup_drill;
pub mod capacity;
mod capacity_console;
mod describe;
mod discover;
pub mod files;
mod logs;
mod panels;
mod performer;
pub mod runbook;
pub mod shell;

pub use discover::add_labelled_probes;
pub use performer::Performer;

/// The runtime every entry point runs on: two workers are plenty for a
/// console and keep a bastion's other users' cores free.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}
