//! Helpers for the update tests: a model with the sample inventory and a way
//! to type keys.

use super::{update, Command, UiEvent};
use crate::config::theme::Theme;
use crate::console::Model;
use crate::fixtures::sample_model;
use crate::ui::state::UiState;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub const NOW: i64 = 1_790_000_000;

pub fn setup() -> (Model, UiState) {
    (sample_model(NOW, 2, 10), UiState::new(Theme::default()))
}

/// Types `s`: `\n` is Enter, `\x1b` Esc, `\t` Tab, `\x02` PgUp, `\x03` PgDn.
pub fn keys(m: &mut Model, ui: &mut UiState, s: &str) -> Vec<Command> {
    s.chars()
        .flat_map(|c| {
            let code = match c {
                '\n' => KeyCode::Enter,
                '\x1b' => KeyCode::Esc,
                '\t' => KeyCode::Tab,
                '\x02' => KeyCode::PageUp,
                '\x03' => KeyCode::PageDown,
                '\x08' => KeyCode::Backspace,
                c => KeyCode::Char(c),
            };
            update(m, ui, UiEvent::Key(KeyEvent::new(code, KeyModifiers::NONE)))
        })
        .collect()
}
