//! A pod's containers over the pods list (Enter on a pod): state, restarts,
//! the last termination and usage against requests and limits for each, so a
//! sidecar near its memory limit is not hidden in the pod's sum.

use super::kube_rows::{container_row, CONTAINER_COLUMNS};
use crate::console::Model;
use crate::ui::lists;
use crate::ui::state::table::TableState;
use crate::ui::state::UiState;
use crate::ui::widgets::DataTable;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

/// `key` is the pod's row key in the pods list.
pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState, key: &str) {
    let pod = model
        .inventories
        .iter()
        .flat_map(|(_, inv)| &inv.instances)
        .find(|i| lists::is_container_key(i, key));
    let Some((name, detail)) = pod.and_then(|i| Some((&i.name, i.pod.as_deref()?))) else {
        let inner = super::popup::open(area, buf, ui, "Containers", 1);
        let gone = Line::styled(" the pod is gone", ui.theme.muted);
        Paragraph::new(gone).render(inner, buf);
        return;
    };
    let title = format!("Containers of {}/{name}", detail.namespace);
    let inner = super::popup::open(area, buf, ui, &title, detail.containers.len());
    let state = TableState::default();
    DataTable {
        columns: &CONTAINER_COLUMNS,
        rows: detail
            .containers
            .iter()
            .map(container_row)
            .collect::<Vec<_>>()
            .into(),
        selected: 0,
        state: &state,
        theme: &ui.theme,
        empty: "no containers",
    }
    .render(inner, buf);
}
