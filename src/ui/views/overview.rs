//! The first screen: every pane of the local host in a grid that still reads at 80×24.

use super::host_panes::{self, Ctx};
use crate::console::Model;
use crate::ui::state::{Pane, UiState};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};

pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    let ctx = Ctx { model, ui };
    let [top, middle, bottom] = Layout::vertical([
        Constraint::Fill(4),
        Constraint::Fill(3),
        Constraint::Fill(3),
    ])
    .areas(area);
    let halves =
        |r: Rect| Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas::<2>(r);
    let [cpu, mem] = halves(top);
    let [load, net] = halves(middle);
    for (pane, rect) in [
        (Pane::Cpu, cpu),
        (Pane::Memory, mem),
        (Pane::Load, load),
        (Pane::Network, net),
        (Pane::Disks, bottom),
    ] {
        host_panes::render(pane, rect, buf, &ctx);
    }
}
