//! `T` or `:targets`: every target, worst first, with its kind, health, how
//! long it has been degraded and why; the header shows only what fits.

use crate::console::Model;
use crate::model::{worst_first, Health, Severity};
use crate::ui::state::table::TableState;
use crate::ui::state::UiState;
use crate::ui::widgets::{Cell, Column, DataTable};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

const COLUMNS: [Column; 5] = [
    Column::left("HEALTH", 10, 10, 10),
    Column::left("TARGET", 6, 24, 9),
    Column::left("KIND", 6, 12, 5),
    Column::right("SINCE", 5, 6, 4),
    Column::left("REASON", 10, 90, 8),
];

pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    let targets = worst_first(&model.targets);
    let degraded = targets.iter().filter(|t| t.health.rank() == 0).count();
    let title = format!("Targets: {} ({degraded} degraded)", targets.len());
    let inner = super::popup::open(area, buf, ui, &title, targets.len());
    let state = TableState::default();
    DataTable {
        columns: &COLUMNS,
        rows: targets
            .iter()
            .map(|t| row(t, model.now))
            .collect::<Vec<_>>()
            .into(),
        selected: 0,
        state: &state,
        theme: &ui.theme,
        empty: "no targets",
    }
    .render(inner, buf);
}

fn row(t: &crate::model::Target, now: i64) -> Vec<Cell> {
    let kind = match &t.discovered_by {
        Some(by) => format!("{} (found by {by})", kind_name(t)),
        None => kind_name(t),
    };
    match &t.health {
        Health::Degraded { reason, since, .. } => vec![
            Cell::sev("▲ degraded", Severity::Warning),
            Cell::plain(t.name.clone()),
            Cell::muted(kind),
            Cell::plain(super::kube_rows::age_text(*since, now)),
            Cell::plain(reason.clone()),
        ],
        h => vec![
            match h {
                Health::Ok => Cell::sev("● ok", Severity::Ok),
                _ => Cell::muted("○ connecting"),
            },
            Cell::plain(t.name.clone()),
            Cell::muted(kind),
            Cell::muted("-"),
            Cell::muted(""),
        ],
    }
}

fn kind_name(t: &crate::model::Target) -> String {
    serde_json::to_value(t.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
