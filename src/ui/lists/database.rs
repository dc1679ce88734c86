//! The Database view's rows: every listed session of every PostgreSQL
//! target (each lock chain together, root first), or who holds the
//! connections; and whether a target's reading is stale.

use super::contains_ignore_case;
use crate::console::Model;
use crate::model::database::{DbSession, Holder};
use crate::model::Health;
use crate::ui::state::database::DbList;
use crate::ui::state::UiState;

/// A reading older than this many refreshes is no longer live, even while
/// the collector has not yet given up on the target.
const STALE_AFTER_REFRESHES: u32 = 3;

/// Why `target`'s latest reading is not live, if it is not: the target is
/// degraded, or nothing new came for a while.
pub fn stale(model: &Model, target: &str, at: i64) -> Option<String> {
    if let Some(Health::Degraded { reason, .. }) = model.target(target).map(|t| &t.health) {
        return Some(reason.clone());
    }
    let after = (model.refresh * STALE_AFTER_REFRESHES).as_secs().max(10) as i64;
    let age = model.now - at;
    (age > after).then(|| format!("no reading for {}", crate::base::units::span(age)))
}

/// Every listed session of every PostgreSQL target, in the order each
/// reading gives (lock chains first, root then waiters), targets in config order.
pub fn sessions<'m>(model: &'m Model, ui: &UiState) -> Vec<(&'m str, &'m DbSession)> {
    let filter = &ui.tables.database.filter;
    model
        .databases
        .iter()
        .flat_map(|(target, _, snap)| snap.sessions.iter().map(move |s| (target.as_str(), s)))
        .filter(|(t, s)| {
            filter.is_empty()
                || contains_ignore_case(
                    &format!(
                        "{t} {} {} {} {} {} {} {}",
                        s.pid, s.user, s.application, s.database, s.client, s.state, s.query
                    ),
                    filter,
                )
        })
        .collect()
}

pub fn session_key(target: &str, s: &DbSession) -> String {
    format!("{target}/{}", s.pid)
}

pub fn selected_session<'m>(model: &'m Model, ui: &UiState) -> Option<(&'m str, &'m DbSession)> {
    let rows = sessions(model, ui);
    let keys: Vec<String> = rows.iter().map(|(t, s)| session_key(t, s)).collect();
    rows.get(ui.tables.database.index(&keys)).copied()
}

/// Every target's connection holders, most connections first within each.
pub fn holders<'m>(model: &'m Model, ui: &UiState) -> Vec<(&'m str, &'m Holder)> {
    let filter = &ui.db.holders.filter;
    model
        .databases
        .iter()
        .flat_map(|(target, _, snap)| snap.holders.iter().map(move |h| (target.as_str(), h)))
        .filter(|(t, h)| {
            filter.is_empty()
                || contains_ignore_case(
                    &format!("{t} {} {} {} {}", h.user, h.application, h.client, h.state),
                    filter,
                )
        })
        .collect()
}

pub fn holder_key(target: &str, h: &Holder) -> String {
    format!(
        "{target}/{}/{}/{}/{}",
        h.user, h.application, h.client, h.state
    )
}

pub fn selected_holder<'m>(model: &'m Model, ui: &UiState) -> Option<(&'m str, &'m Holder)> {
    let rows = holders(model, ui);
    let keys: Vec<String> = rows.iter().map(|(t, h)| holder_key(t, h)).collect();
    rows.get(ui.db.holders.index(&keys)).copied()
}

/// The keys of the list the view shows now.
pub fn keys(model: &Model, ui: &UiState) -> Vec<String> {
    match ui.db.list {
        DbList::Sessions => sessions(model, ui)
            .into_iter()
            .map(|(t, s)| session_key(t, s))
            .collect(),
        DbList::Holders => holders(model, ui)
            .into_iter()
            .map(|(t, h)| holder_key(t, h))
            .collect(),
    }
}
