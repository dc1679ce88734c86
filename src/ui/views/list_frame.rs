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
    draw_under(area, buf, ui, frame, Vec::new());
}

/// [`draw`] with `banner` lines above the table, inside the frame (what the
/// rows below are, such as `as of 12:03:41 — stale: ...`).
pub fn draw_under(
    area: Rect,
    buf: &mut Buffer,
    ui: &UiState,
    frame: ListFrame,
    banner: Vec<ratatui::text::Line<'_>>,
) {
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
    let mut inner = block.inner(area);
    block.render(area, buf);
    let above = (banner.len() as u16).min(inner.height.saturating_sub(2));
    if above > 0 {
        let top = Rect {
            height: above,
            ..inner
        };
        ratatui::widgets::Paragraph::new(banner).render(top, buf);
        inner.y += above;
        inner.height -= above;
    }
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
