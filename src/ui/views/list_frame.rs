//! The frame around a table view: title, row count, filter, and the table.

use crate::ui::state::UiState;
use crate::ui::widgets::{pane_block, Column, DataTable, Rows};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

pub struct ListFrame<'a> {
    pub title: &'a str,
    pub columns: &'a [Column],
    pub rows: Rows<'a>,
    pub selected: usize,
    pub empty: &'a str,
}

pub fn draw(area: Rect, buf: &mut Buffer, ui: &UiState, frame: ListFrame) {
    let Some(state) = ui.table(ui.view) else {
        return;
    };
    let mut extra = if frame.rows.is_empty() {
        "0".to_string()
    } else {
        format!("{}/{}", frame.selected + 1, frame.rows.len())
    };
    if !state.filter.is_empty() {
        extra.push_str(&format!(" /{}", state.filter));
    }
    let block = pane_block(&ui.theme, frame.title, Some(extra), true);
    let inner = block.inner(area);
    block.render(area, buf);
    DataTable {
        columns: frame.columns,
        rows: frame.rows,
        selected: frame.selected,
        state,
        theme: &ui.theme,
        empty: frame.empty,
    }
    .render(inner, buf);
}
