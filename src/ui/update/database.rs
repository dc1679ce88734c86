//! Keys of the Database view: `Enter` opens a session whole, `Tab` switches
//! between the sessions and who holds the connections, arrows scroll an open
//! detail, and `c`/`x` plan a cancel or terminate. On a waiter of a lock
//! chain they plan its root instead and say so: stopping a waiter releases
//! nothing the root holds.

use super::actions::plan;
use super::Command;
use crate::action::postgres::backends_addr;
use crate::action::{Request, Verb};
use crate::console::Model;
use crate::model::database::Role;
use crate::model::Severity;
use crate::ui::keymap::Intent;
use crate::ui::lists;
use crate::ui::state::database::DbList;
use crate::ui::state::UiState;

/// The keys this view handles itself; None leaves the key to the table.
pub fn key(model: &Model, ui: &mut UiState, intent: Intent) -> Option<Vec<Command>> {
    if ui.db.detail.is_some() {
        let page = 10u16;
        let scroll = &mut ui.db.detail_scroll;
        match intent {
            Intent::Up => *scroll = scroll.saturating_sub(1),
            Intent::Down => *scroll = scroll.saturating_add(1),
            Intent::PageUp => *scroll = scroll.saturating_sub(page),
            Intent::PageDown => *scroll = scroll.saturating_add(page),
            Intent::Top => *scroll = 0,
            Intent::Bottom => *scroll = u16::MAX,
            Intent::CancelQuery | Intent::Terminate => return Some(act(model, ui, intent)),
            _ => return Some(Vec::new()),
        }
        return Some(Vec::new());
    }
    match intent {
        Intent::Open if ui.db.list == DbList::Sessions => {
            match lists::selected_session(model, ui) {
                Some((t, s)) => {
                    ui.db.detail = Some(lists::session_key(t, s));
                    ui.db.detail_scroll = 0;
                }
                None => ui.message = Some(("no session selected".into(), Severity::Info)),
            }
            Some(Vec::new())
        }
        Intent::Open => {
            ui.message = Some((
                "x terminates every session of this holder listed in PIDS (after its plan)".into(),
                Severity::Info,
            ));
            Some(Vec::new())
        }
        Intent::NextList => {
            ui.db.list = ui.db.list.next();
            Some(Vec::new())
        }
        _ => None,
    }
}

/// Entering the view with a lock chain on screen selects its root.
pub fn entered(model: &Model, ui: &mut UiState) {
    let chained = model
        .databases
        .iter()
        .any(|(_, _, d)| !d.blocking.is_empty());
    if chained && ui.db.list == DbList::Sessions {
        ui.tables.database.selected = None;
    }
}

/// Esc: closes the detail first.
pub fn back(ui: &mut UiState) -> bool {
    ui.db.detail.take().is_some()
}

/// `c` / `x` on the session in the detail, the selected session, or every
/// backend of the selected holder: through the same plan and dialog.
pub fn act(model: &Model, ui: &mut UiState, intent: Intent) -> Vec<Command> {
    let verb = match intent {
        Intent::CancelQuery => Verb::Cancel,
        Intent::Terminate => Verb::Terminate,
        _ => return Vec::new(),
    };
    if ui.db.list == DbList::Holders && ui.db.detail.is_none() {
        let Some((target, h)) = lists::selected_holder(model, ui) else {
            ui.message = Some(("no holder selected".into(), Severity::Info));
            return Vec::new();
        };
        if h.pids.is_empty() {
            ui.message = Some(("these are opsdeck's own connections".into(), Severity::Info));
            return Vec::new();
        }
        let workload = backends_addr(target, &h.pids);
        return plan(ui, Request { workload, verb });
    }
    let session = match &ui.db.detail {
        Some(key) => lists::sessions(model, ui)
            .into_iter()
            .find(|(t, s)| lists::session_key(t, s) == *key),
        None => lists::selected_session(model, ui),
    };
    let Some((target, s)) = session else {
        ui.message = Some(("no session selected".into(), Severity::Info));
        return Vec::new();
    };
    let chains = model
        .databases
        .iter()
        .find(|(n, ..)| n == target)
        .map(|(_, _, d)| d.chains())
        .unwrap_or_default();
    let offered = match chains.role(s.pid) {
        Role::Waiter(w) => w.roots.first().map(|root| {
            let note = format!(
                "{} {}: offering its root {root} instead — ending the root releases the chain",
                s.pid,
                w.describe()
            );
            (*root, note)
        }),
        _ => None,
    };
    let pid = offered.as_ref().map_or(s.pid, |(root, _)| *root);
    let workload = backends_addr(target, &[pid]);
    ui.db.offer = offered.map(|(_, note)| (workload.clone(), note));
    let out = plan(ui, Request { workload, verb });
    if let Some((_, note)) = &ui.db.offer {
        ui.message = Some((note.clone(), Severity::Warning));
    }
    out
}
