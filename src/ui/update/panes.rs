//! Keys of the overview's host panes.

use super::Command;
use crate::model::Severity;
use crate::ui::keymap::Intent;
use crate::ui::state::{Mode, UiState, ZOOM_STEPS};

pub fn key(ui: &mut UiState, action: Intent) -> Vec<Command> {
    match action {
        Intent::NextPane => ui.cycle_focus(true),
        Intent::PrevPane => ui.cycle_focus(false),
        Intent::Left => ui.move_focus(0, -1),
        Intent::Right => ui.move_focus(0, 1),
        Intent::Up => ui.move_focus(-1, 0),
        Intent::Down => ui.move_focus(1, 0),
        Intent::Filter if ui.focus.is_list() => {
            ui.mode = Mode::Filter(ui.filter(ui.focus).to_string())
        }
        Intent::Filter => {
            ui.message = Some((
                format!("{} has no list to filter", ui.focus.title()),
                Severity::Info,
            ))
        }
        Intent::ZoomOut => ui.zoom = (ui.zoom + 1).min(ZOOM_STEPS.len() - 1),
        Intent::ZoomIn => ui.zoom = ui.zoom.saturating_sub(1),
        _ => {}
    }
    Vec::new()
}
