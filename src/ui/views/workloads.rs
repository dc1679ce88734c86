//! Every workload of every Docker or Kubernetes target, red first.

use super::list_frame::{self, ListFrame};
use crate::model::{Model, Severity, Workload};
use crate::ui::format::{bytes, cpu};
use crate::ui::levels;
use crate::ui::lists;
use crate::ui::state::UiState;
use crate::ui::widgets::{Cell, Column};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

const COLUMNS: [Column; 7] = [
    Column::left("WORKLOAD", 16, 72, 10),
    Column::left("KIND", 7, 11, 4),
    Column::right("READY", 5, 7, 9),
    Column::left("IMAGES", 10, 60, 3),
    Column::right("CPU", 6, 8, 7),
    Column::right("MEM", 7, 10, 6),
    Column::right("RESTARTS", 8, 8, 5),
];

pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    let rows = lists::workloads(model, ui);
    let keys: Vec<String> = rows.iter().map(|w| lists::workload_key(w)).collect();
    let empty = if model.inventories.is_empty() {
        "no Docker or Kubernetes target has reported yet"
    } else {
        "no workload matches the filter"
    };
    list_frame::draw(
        area,
        buf,
        ui,
        ListFrame {
            title: "Workloads",
            columns: &COLUMNS,
            rows: rows
                .iter()
                .map(|w| row(w, lists::wanted(model, w)))
                .collect(),
            selected: ui.tables.workloads.index(&keys),
            empty,
        },
    );
}

fn row(w: &Workload, wanted: u32) -> Vec<Cell> {
    // Usage of a workload with nothing running would read as a healthy zero.
    let (cpu_cell, mem_cell) = if w.running == 0 {
        (Cell::muted("-"), Cell::muted("-"))
    } else {
        (Cell::plain(cpu(w.usage.cpu_percent)), mem(w))
    };
    let restarts = if w.restarts > 0 {
        Cell::sev(w.restarts.to_string(), Severity::Warning)
    } else {
        Cell::muted("0")
    };
    vec![
        Cell::plain(w.addr.to_string()),
        Cell::muted(w.kind.label()),
        Cell::sev(
            format!("{}/{wanted}", w.ready),
            lists::workload_severity(w, wanted),
        ),
        Cell::plain(w.images.join(", ")),
        cpu_cell,
        mem_cell,
        restarts,
    ]
}

/// Memory, coloured against the summed limits where every instance has one.
fn mem(w: &Workload) -> Cell {
    let text = bytes(w.usage.mem_bytes as f64);
    if w.usage.mem_limit_bytes > 0 {
        let r = w.usage.mem_bytes as f64 / w.usage.mem_limit_bytes as f64;
        Cell::sev(text, levels::memory(r))
    } else {
        Cell::plain(text)
    }
}
