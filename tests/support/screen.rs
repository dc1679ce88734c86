//! Drawing a whole screen into a buffer and reading it back, for the view tests.
#![allow(dead_code)]

use opsdeck::config::theme::Theme;
#[path = "fixtures/mod.rs"]
pub mod fixtures;

use fixtures::sample_model;
use opsdeck::console::Model;
use opsdeck::ui::render::draw;
use opsdeck::ui::state::{UiState, View};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

pub const NOW: i64 = 1_790_000_000;

pub fn frame(model: &Model, ui: &UiState, w: u16, h: u16) -> Buffer {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    draw(area, &mut buf, model, ui);
    buf
}

pub fn text(buf: &Buffer) -> String {
    let a = buf.area;
    (a.top()..a.bottom())
        .map(|y| {
            (a.left()..a.right())
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn ui() -> UiState {
    UiState::new(Theme::default())
}

/// Finds the first cell of `needle` on screen.
pub fn find(buf: &Buffer, needle: &str) -> (u16, u16) {
    let a = buf.area;
    for y in a.top()..a.bottom() {
        let row: Vec<&str> = (a.left()..a.right())
            .map(|x| buf[(x, y)].symbol())
            .collect();
        let line: String = row.concat();
        if let Some(byte) = line.find(needle) {
            let col = line[..byte].chars().count() as u16;
            return (col, y);
        }
    }
    panic!("{needle:?} not on screen:\n{}", text(buf));
}

pub fn in_view(view: View) -> UiState {
    let mut ui = ui();
    ui.view = view;
    ui
}

pub fn console() -> Model {
    sample_model(NOW, 4, 120)
}
