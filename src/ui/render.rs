//! Draws a whole frame from the Model. Pure: no I/O, no clock, no awaiting.

use super::state::{Mode, UiState};
use super::views::{chrome, help, overview};
use crate::model::Model;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

pub fn render(frame: &mut Frame, model: &Model, ui: &UiState) {
    draw(frame.area(), frame.buffer_mut(), model, ui);
}

pub fn draw(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    buf.set_style(area, ui.theme.text);
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    chrome::header(head, buf, model, ui);
    overview::render(body, buf, model, ui);
    chrome::footer(foot, buf, ui);
    if ui.mode == Mode::Help {
        help::render(body, buf, ui);
    }
}
