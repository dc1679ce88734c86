//! The Database view's lower pane: the sessions as pg_activity users read
//! them (each lock chain together; only a root is red, `⇢ root of 2`; a
//! waiter says whom it waits for and its root), or who holds the
//! connections. At 80 columns the PID, the chain, the state and how long it
//! has run come first and the query takes the width that is left; a root's
//! marker is never cut before a waiter's.

use super::database::stale_line;
use super::list_frame::{self, ListFrame};
use crate::base::units::percent;
use crate::console::Model;
use crate::model::database::{Chains, DbSession, DbSnapshot, Holder, Role};
use crate::model::Severity;
use crate::ui::levels;
use crate::ui::lists;
use crate::ui::state::database::DbList;
use crate::ui::state::UiState;
use crate::ui::widgets::{Cell, Column, Rows};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// The sessions' columns, each with its place in the priority order.
#[derive(Clone, Copy, PartialEq)]
enum Col {
    Target,
    Pid,
    Chain,
    State,
    Running,
    Query,
    Xact,
    User,
    Lock,
    Database,
    App,
    Client,
    Backend,
}

const ORDER: [Col; 13] = [
    Col::Target,
    Col::Pid,
    Col::Chain,
    Col::State,
    Col::Xact,
    Col::Running,
    Col::User,
    Col::Database,
    Col::App,
    Col::Client,
    Col::Backend,
    Col::Lock,
    Col::Query,
];

/// The chain column never grows wider: several roots make a long waiter text.
const CHAIN_MAX: u16 = 28;

fn column(c: Col, chain_min: u16) -> Column {
    match c {
        Col::Target => Column::left("TARGET", 6, 16, 4),
        Col::Pid => Column::right("PID", 5, 7, 10),
        Col::Chain => Column::left("CHAIN", chain_min, CHAIN_MAX, 9),
        Col::State => Column::left("STATE", 10, 20, 8),
        Col::Running => Column::right("RUNNING", 7, 9, 8),
        Col::Query => Column::left("QUERY", 24, 1000, 7).filling(),
        Col::Xact => Column::right("XACT", 5, 9, 5),
        Col::User => Column::left("USER", 6, 12, 6),
        Col::Lock => Column::left("LOCK", 16, 40, 4),
        Col::Database => Column::left("DB", 6, 12, 3),
        Col::App => Column::left("APP", 8, 16, 3),
        Col::Client => Column::left("CLIENT", 9, 15, 2),
        Col::Backend => Column::left("BACKEND", 7, 12, 2),
    }
}

pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    match ui.db.list {
        DbList::Sessions => sessions(area, buf, model, ui),
        DbList::Holders => holders(area, buf, model, ui),
    }
}

/// The stale targets' `as of … — stale: …` lines, above the rows they dim.
fn banner<'a>(model: &Model, ui: &UiState) -> Vec<Line<'a>> {
    model
        .databases
        .iter()
        .filter_map(|(name, at, _)| stale_line(model, name, *at).map(|s| format!(" {name} {s}")))
        .map(|s| Line::styled(s, ui.theme.warning))
        .collect()
}

fn sessions(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    let rows = lists::sessions(model, ui);
    let keys: Vec<String> = rows.iter().map(|(t, s)| lists::session_key(t, s)).collect();
    let per_target: Vec<(&str, Chains, bool)> = model
        .databases
        .iter()
        .map(|(n, at, d)| {
            (
                n.as_str(),
                d.chains(),
                lists::stale(model, n, *at).is_some(),
            )
        })
        .collect();
    let chains_of = |t: &str| per_target.iter().find(|(n, ..)| *n == t);
    // The chain column is as wide as its markers (or as it may be) before
    // any less important column shows: only a waiter's text, longer than
    // any root's `⇢ root of N`, is ever cut, and only past the cap.
    let chain_min = rows
        .iter()
        .filter_map(|(t, s)| chains_of(t)?.1.marker(s.pid))
        .map(|m| (m.chars().count() as u16).min(CHAIN_MAX))
        .max();
    let multi = model.databases.len() > 1;
    let cols: Vec<Col> = ORDER
        .into_iter()
        .filter(|c| match c {
            Col::Target => multi,
            Col::Chain => chain_min.is_some(),
            _ => true,
        })
        .collect();
    let columns: Vec<Column> = cols
        .iter()
        .map(|c| column(*c, chain_min.unwrap_or(0)))
        .collect();
    let empty = if model.databases.is_empty() {
        "no PostgreSQL target has reported yet"
    } else if ui.tables.database.filter.is_empty() {
        "no session is busy"
    } else {
        "no session matches the filter"
    };
    list_frame::draw_under(
        area,
        buf,
        ui,
        ListFrame {
            title: "Sessions",
            columns: &columns,
            rows: Rows::lazy(rows.len(), |n| {
                let (t, s) = rows[n];
                let (chains, stale) =
                    chains_of(t).map_or((None, false), |(_, c, st)| (Some(c), *st));
                let mut cells: Vec<Cell> = cols.iter().map(|c| cell(*c, t, s, chains)).collect();
                if stale {
                    for cell in &mut cells {
                        *cell = Cell::muted(std::mem::take(&mut cell.text));
                    }
                }
                cells
            }),
            selected: ui.tables.database.index(&keys),
            empty,
        },
        banner(model, ui),
    );
}

fn cell(c: Col, target: &str, s: &DbSession, chains: Option<&Chains>) -> Cell {
    match c {
        Col::Target => Cell::plain(target),
        Col::Pid => Cell::plain(s.pid.to_string()),
        Col::Chain => match chains.map_or(Role::Free, |ch| ch.role(s.pid)) {
            Role::Root(r) => {
                Cell::sev(format!("⇢ root of {}", r.waiters.len()), Severity::Critical)
            }
            Role::Waiter(w) => Cell::sev(w.describe(), Severity::Warning),
            Role::Free => Cell::muted(""),
        },
        Col::State if s.state.starts_with("idle in transaction") => {
            Cell::sev(s.short_state(), Severity::Warning)
        }
        Col::State => Cell::plain(s.short_state()),
        Col::Running => Cell::sev(s.running_for(), levels::query_secs(s.running_secs)),
        Col::Xact => match (s.xact_for(), s.xact_secs) {
            (Some(text), Some(secs)) => Cell::sev(text, levels::query_secs(secs)),
            _ => Cell::muted("-"),
        },
        Col::Query => Cell::plain(s.query_line(1000)),
        Col::User => Cell::plain(s.user.clone()),
        Col::Lock => match &s.lock_wait {
            Some(l) => Cell::sev(l.clone(), Severity::Warning),
            None => Cell::muted(""),
        },
        Col::Database => Cell::muted(s.database.clone()),
        Col::App => Cell::muted(s.application.clone()),
        Col::Client => Cell::muted(s.client.clone()),
        Col::Backend => Cell::muted(s.short_backend_type()),
    }
}

const HOLDER_COLUMNS: [Column; 8] = [
    Column::left("TARGET", 6, 16, 3),
    Column::left("USER", 6, 16, 10),
    Column::left("APPLICATION", 8, 24, 8),
    Column::left("CLIENT", 8, 18, 7),
    Column::left("STATE", 10, 30, 9),
    Column::right("CONNS", 5, 7, 10),
    Column::right("SHARE", 6, 7, 6),
    Column::left("PIDS", 10, 1000, 1),
];

fn holders(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    let rows = lists::holders(model, ui);
    let keys: Vec<String> = rows.iter().map(|(t, h)| lists::holder_key(t, h)).collect();
    let snap = |t: &str| {
        model
            .databases
            .iter()
            .find(|(n, ..)| n == t)
            .map(|(_, at, d)| (*at, d))
    };
    let empty = if model.databases.is_empty() {
        "no PostgreSQL target has reported yet"
    } else {
        "no connection matches the filter"
    };
    // One target: its name on every row says nothing.
    let skip = usize::from(model.databases.len() <= 1);
    list_frame::draw_under(
        area,
        buf,
        ui,
        ListFrame {
            title: "Who holds the connections",
            columns: &HOLDER_COLUMNS[skip..],
            rows: Rows::lazy(rows.len(), |n| {
                let (t, h) = rows[n];
                let (stale, d) = match snap(t) {
                    Some((at, d)) => (lists::stale(model, t, at).is_some(), Some(d)),
                    None => (false, None),
                };
                holder_row(t, h, d, stale).split_off(skip)
            }),
            selected: ui.db.holders.index(&keys),
            empty,
        },
        banner(model, ui),
    );
}

/// One client holding half the server's connections is the likely culprit.
fn holder_level(share: f64) -> Severity {
    match share {
        s if s >= 0.8 => Severity::Critical,
        s if s >= 0.5 => Severity::Warning,
        _ => Severity::Ok,
    }
}

fn holder_row(target: &str, h: &Holder, d: Option<&DbSnapshot>, stale: bool) -> Vec<Cell> {
    let share = d.map_or(0.0, |d| {
        f64::from(h.connections) / f64::from(d.max_connections.max(1))
    });
    let pids: Vec<String> = h.pids.iter().map(i32::to_string).collect();
    let cells = vec![
        Cell::plain(target),
        Cell::plain(h.user.clone()),
        Cell::plain(h.application.clone()),
        Cell::plain(if h.client.is_empty() {
            "?".into()
        } else {
            h.client.clone()
        }),
        if h.state == "idle in transaction" {
            Cell::sev(h.state.clone(), Severity::Warning)
        } else {
            Cell::plain(h.state.clone())
        },
        Cell::sev(h.connections.to_string(), holder_level(share)),
        Cell::muted(percent(share * 100.0)),
        Cell::muted(pids.join(",")),
    ];
    if stale {
        cells.into_iter().map(|c| Cell::muted(c.text)).collect()
    } else {
        cells
    }
}
