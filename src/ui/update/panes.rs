//! Keys of the overview's host panes.

use super::Command;
use crate::model::Severity;
use crate::ui::keymap::Action;
use crate::ui::state::{Mode, UiState, ZOOM_STEPS};

pub fn key(ui: &mut UiState, action: Action) -> Vec<Command> {
    match action {
        Action::NextPane => ui.cycle_focus(true),
        Action::PrevPane => ui.cycle_focus(false),
        Action::Left => ui.move_focus(0, -1),
        Action::Right => ui.move_focus(0, 1),
        Action::Up => ui.move_focus(-1, 0),
        Action::Down => ui.move_focus(1, 0),
        Action::Filter if ui.focus.is_list() => {
            ui.mode = Mode::Filter(ui.filter(ui.focus).to_string())
        }
        Action::Filter => {
            ui.message = Some((
                format!("{} has no list to filter", ui.focus.title()),
                Severity::Info,
            ))
        }
        Action::ZoomOut => ui.zoom = (ui.zoom + 1).min(ZOOM_STEPS.len() - 1),
        Action::ZoomIn => ui.zoom = ui.zoom.saturating_sub(1),
        _ => {}
    }
    Vec::new()
}
