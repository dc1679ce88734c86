//! Typing a line: the `:` command line and the `/` filter (a pane's or a
//! table's filter, or the logs search — whatever the current view filters).

use super::Command;
use crate::diag::did_you_mean;
use crate::model::{Model, Severity};
use crate::ui::state::{Mode, UiState, View};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const COMMANDS: &[&str] = &["q", "quit", "theme", "help", "load"];

/// Applies a key to a line being typed: Some(true) on Enter, Some(false) on Esc.
pub fn edit_line(text: &mut String, key: KeyEvent) -> Option<bool> {
    match key.code {
        KeyCode::Enter => Some(true),
        KeyCode::Esc => Some(false),
        KeyCode::Backspace => {
            text.pop();
            None
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            text.push(c);
            None
        }
        _ => None,
    }
}

pub fn filter_key(ui: &mut UiState, mut text: String, key: KeyEvent) {
    match edit_line(&mut text, key) {
        Some(true) => {
            ui.mode = Mode::Normal;
            if ui.view == View::Logs {
                super::logs::first_match(ui);
            }
        }
        Some(false) => {
            ui.set_current_filter(String::new());
            ui.mode = Mode::Normal;
        }
        None => {
            // Filter as you type, like k9s.
            ui.set_current_filter(text.clone());
            ui.mode = Mode::Filter(text);
        }
    }
}

pub fn command_key(
    model: &Model,
    ui: &mut UiState,
    mut text: String,
    key: KeyEvent,
) -> Vec<Command> {
    match edit_line(&mut text, key) {
        Some(true) => {
            ui.mode = Mode::Normal;
            run_command(model, ui, text.trim())
        }
        Some(false) => {
            ui.mode = Mode::Normal;
            Vec::new()
        }
        None => {
            ui.mode = Mode::Command(text);
            Vec::new()
        }
    }
}

fn run_command(model: &Model, ui: &mut UiState, line: &str) -> Vec<Command> {
    let mut words = line.split_whitespace();
    let Some(verb) = words.next() else {
        return Vec::new();
    };
    let arg = words.collect::<Vec<_>>().join(" ");
    match verb {
        "q" | "quit" => {
            ui.quit = true;
            vec![Command::Quit]
        }
        "help" => {
            ui.mode = Mode::Help;
            Vec::new()
        }
        "theme" if arg.is_empty() => {
            let names = crate::ui::theme::Theme::builtin_names().join(", ");
            ui.message = Some((
                format!(
                    "theme is {}; :theme NAME|PATH, built-in: {names}",
                    ui.theme.name
                ),
                Severity::Info,
            ));
            Vec::new()
        }
        "theme" => vec![Command::LoadTheme(arg)],
        "load" => super::load::command(model, ui, &arg),
        other => {
            let hint = did_you_mean(other, COMMANDS.iter().copied())
                .map(|c| format!(" (did you mean :{c}?)"))
                .unwrap_or_default();
            ui.message = Some((format!("unknown command :{other}{hint}"), Severity::Warning));
            Vec::new()
        }
    }
}
