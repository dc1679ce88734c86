//! Panes over the screen, centred: the rollout history and a pod's
//! containers open framed and sized to their rows, so the list stays in view
//! around them; help and the action dialog use the same centring.

use crate::ui::state::UiState;
use crate::ui::widgets::pane_block;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Widget};

/// Clears and frames a pane for `rows` lines of at most 120 columns inside
/// `area`; returns the inside of the frame.
pub fn open(area: Rect, buf: &mut Buffer, ui: &UiState, title: &str, rows: usize) -> Rect {
    let popup = centred(
        area,
        area.width.saturating_sub(4).clamp(1, 120),
        rows as u16 + 4,
    );
    Clear.render(popup, buf);
    let block = pane_block(&ui.theme, title, Some("Esc closes".into()), true);
    let inner = block.inner(popup);
    block.render(popup, buf);
    inner
}

/// A `width` × `height` rectangle in the middle of `area`, cut to fit it.
pub fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let (width, height) = (width.min(area.width), height.min(area.height));
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}
