//! What changes the console's state: a collector's update, or an executor's
//! reply to a [`Command`](super::Command).

use super::panels::PanelRange;
use super::runbook::RunEvent;
use crate::action::{ActionEvent, Revision};
use crate::config::theme::Theme;
use crate::model::{Ack, LogLine, WorkloadAddr};
use crate::source::Update;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// What a collector saw.
    Source(Update),
    /// Lines for the logs view that asked for them (`stream` is its request number).
    Logs { stream: u64, lines: Vec<LogLine> },
    /// The live figures of the load run the console started (`:load`).
    Load(Box<crate::load::LoadFigures>),
    /// Where the console's capacity run (`:load --stages`) stands.
    Capacity(Box<crate::load::capacity::run::Progress>),
    /// The capacity run's `--report` written (its path), or why not.
    CapacityReport(Result<std::path::PathBuf, String>),
    /// A panel's range query, which the metrics view asked for.
    PanelRange { title: String, range: PanelRange },
    /// What a runbook run in the console reports: entries, questions, the end.
    Runbook(RunEvent),
    /// Progress of an action the console asked for.
    Action(ActionEvent),
    /// A workload's revisions, which the console asked for (`h`).
    History {
        workload: WorkloadAddr,
        revisions: Result<Vec<Revision>, String>,
    },
    /// The theme `:theme` asked for, or why it could not be loaded.
    Theme(Result<Box<Theme>, String>),
    /// An acknowledgement of alert `rule`, written to the log, or why it was not.
    Acknowledged {
        rule: String,
        result: Result<Ack, String>,
    },
}

impl From<Update> for Event {
    fn from(u: Update) -> Self {
        Event::Source(u)
    }
}
