//! Keys of the Database view: `Enter` opens a session whole, `Tab` switches
//! between the sessions and who holds the connections, arrows scroll an open
//! detail, and `c`/`x` plan a cancel or terminate. On a waiter of a lock
//! chain they plan its root instead and say so: stopping a waiter releases
//! nothing the root holds. `v` starts the restore drill of the backup `b`
//! marks.

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
use crate::ui::state::{PendingRun, UiState};

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
        Intent::NextBackup => {
            match model.backups.len() {
                0 => ui.message = Some((NO_BACKUP.into(), Severity::Info)),
                n => ui.db.backup = (ui.db.backup + 1) % n,
            }
            Some(Vec::new())
        }
        Intent::VerifyBackup => Some(drill(model, ui)),
        _ => None,
    }
}

const NO_BACKUP: &str = "no [[backup]] is configured (see opsdeck config init)";

/// `v`: the built-in backup runbook at its restore drill, for the marked
/// backup, as an alert opens it: the plan is confirmed in the run, and `w`
/// writes its report. One that cannot be drilled says what to configure.
fn drill(model: &Model, ui: &mut UiState) -> Vec<Command> {
    let Some(b) = model.backups.get(ui.db.backup) else {
        ui.message = Some((NO_BACKUP.into(), Severity::Info));
        return Vec::new();
    };
    if let Some(why) = b.drill_refused() {
        ui.message = Some((why, Severity::Warning));
        return Vec::new();
    }
    let params = [("backup", b.name.as_str()), ("metric", "drill")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let run = PendingRun {
        id: "backup".into(),
        params,
        labels: Default::default(),
        alert: None,
    };
    // The run view opens when the run says it started, as from an alert.
    super::runbook::start(model, ui, run)
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

#[cfg(test)]
mod tests {
    use super::super::testkit::{keys, setup};
    use super::Command;
    use crate::console::backups::BackupDef;

    fn backup(name: &str, restore_to: Option<&str>) -> BackupDef {
        BackupDef {
            name: name.into(),
            postgres: "main-db".into(),
            dumps: true,
            restore_to: restore_to.map(str::to_string),
            ..BackupDef::default()
        }
    }

    #[test]
    fn v_starts_the_backup_runbook_at_the_drill_of_the_marked_backup() {
        let (mut m, mut ui) = setup();
        m.backups = vec![backup("nightly", None), backup("weekly", Some("drills"))];
        // No restore_to: nothing starts, and the message says what to add.
        assert!(keys(&mut m, &mut ui, "7v").is_empty());
        let (said, _) = ui.message.clone().unwrap();
        assert!(said.contains("add restore_to = \"TARGET\""), "{said}");
        // `b` marks the next one; `v` starts the run for it.
        let out = keys(&mut m, &mut ui, "bv");
        let Some(Command::StartRunbook { id, params, .. }) = out.first() else {
            panic!("{out:?}")
        };
        assert_eq!(id, "backup");
        assert_eq!(params["backup"], "weekly");
        assert_eq!(params["metric"], "drill");
    }
}
