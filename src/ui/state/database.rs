//! The Database view's own state: which list the lower pane shows (sessions
//! or who holds the connections), the open session detail and its scroll,
//! the root offered in place of a waiter the user pressed `x` or `c` on, and
//! the backup `v` drills.

use super::table::TableState;
use crate::model::WorkloadAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DbList {
    #[default]
    Sessions,
    /// Connections grouped by user, application, client address and state.
    Holders,
}

impl DbList {
    pub fn next(self) -> DbList {
        match self {
            DbList::Sessions => DbList::Holders,
            DbList::Holders => DbList::Sessions,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct DbView {
    pub list: DbList,
    pub holders: TableState,
    /// The session shown whole (`TARGET/PID`); None when closed.
    pub detail: Option<String>,
    /// Lines scrolled past at the top of the detail.
    pub detail_scroll: u16,
    /// A root planned in place of the waiter the keys were pressed on, and
    /// what to say about it while its plan is shown.
    pub offer: Option<(WorkloadAddr, String)>,
    /// The `[[backup]]` marked `▸` for `v` (an index into the model's backups).
    pub backup: usize,
}
