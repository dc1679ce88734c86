//! Every workload of every Docker or Kubernetes target, red first.

use super::kube_rows;
use super::list_frame::{self, ListFrame};
use crate::base::units::{bytes, cpu};
use crate::console::Model;
use crate::model::{Severity, Workload};
use crate::ui::levels;
use crate::ui::lists;
use crate::ui::state::UiState;
use crate::ui::widgets::{Cell, Column, Rows};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};

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
    // Kubernetes workloads get kubectl's rollout columns; a mixed list keeps Docker's.
    let kube = !rows.is_empty() && rows.iter().all(|w| w.rollout.is_some());
    let title = scope_title("Workloads", ui);
    let strip = super::cluster_strip::lines(model, ui);
    let area = if strip.is_empty() || area.height < 12 {
        area
    } else {
        let height = strip.len().min(6) as u16 + 2;
        let [list, bottom] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(height)]).areas(area);
        super::cluster_strip::render(bottom, buf, ui, strip);
        list
    };
    list_frame::draw(
        area,
        buf,
        ui,
        ListFrame {
            title: &title,
            columns: if kube {
                &kube_rows::WORKLOAD_COLUMNS
            } else {
                &COLUMNS
            },
            rows: Rows::lazy(rows.len(), |n| {
                let w = rows[n];
                let wanted = lists::wanted(model, w);
                if kube {
                    kube_rows::workload_row(w, wanted, model.now)
                } else {
                    row(w, wanted)
                }
            }),
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

/// `Workloads [ctx prod ns shop]` when `:ctx` or `:ns` narrows the list.
pub fn scope_title(title: &str, ui: &UiState) -> String {
    let mut scope = Vec::new();
    if let Some(c) = &ui.tables.context {
        scope.push(format!("ctx {c}"));
    }
    if let Some(n) = &ui.tables.namespace {
        scope.push(format!("ns {n}"));
    }
    if scope.is_empty() {
        title.to_string()
    } else {
        format!("{title} [{}]", scope.join(" "))
    }
}
