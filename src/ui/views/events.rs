//! What the engines reported happening, newest first; crashes, OOM kills and
//! failed health checks in the critical colour.

use super::list_frame::{self, ListFrame};
use crate::base::time::time_of_day;
use crate::console::Model;
use crate::model::EngineEvent;
use crate::ui::lists;
use crate::ui::state::UiState;
use crate::ui::widgets::{Cell, Column, Rows, Tone};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

const COLUMNS: [Column; 6] = [
    Column::left("TIME", 8, 8, 10),
    Column::left("TARGET", 6, 12, 3),
    Column::left("ACTION", 6, 20, 9),
    Column::left("INSTANCE", 12, 64, 8),
    Column::left("WORKLOAD", 12, 72, 5),
    Column::left("DETAIL", 8, 40, 7),
];

pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    let rows = lists::events(model, ui);
    let keys: Vec<String> = rows.iter().map(|e| lists::event_key(e)).collect();
    list_frame::draw(
        area,
        buf,
        ui,
        ListFrame {
            title: "Events",
            columns: &COLUMNS,
            rows: Rows::lazy(rows.len(), |n| row(rows[n])),
            selected: ui.tables.events.index(&keys),
            empty: "no engine events yet",
        },
    );
}

fn row(e: &EngineEvent) -> Vec<Cell> {
    let tone = Tone::Sev(lists::event_severity(e));
    vec![
        Cell::muted(time_of_day(e.at_nanos.div_euclid(1_000_000_000))),
        Cell::muted(e.target.clone()),
        Cell::new(e.action.clone(), tone),
        Cell::plain(e.instance.clone()),
        Cell::muted(e.workload.as_ref().map_or("-".into(), |w| w.to_string())),
        Cell::new(e.detail.clone(), tone),
    ]
}
