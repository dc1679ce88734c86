//! Typing a line: the `:` command line and the `/` filter (a pane's or a
//! table's filter, or the logs search — whatever the current view filters).

use super::Command;
use crate::base::diag::did_you_mean;
use crate::console::Model;
use crate::model::Severity;
use crate::ui::state::{Mode, UiState, View};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const COMMANDS: &[&str] = &[
    "q", "quit", "theme", "help", "runbook", "rb", "load", "exec", "ctx", "ns", "targets",
];

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

/// What one key did to a prompt whose text is parsed on Enter.
pub enum Prompted<T> {
    /// Esc: the prompt closes.
    Cancel,
    /// Enter, and the text parsed.
    Submit(T),
    /// Still typing, or Enter on text that did not parse: the prompt stays,
    /// with this complaint (typing again clears the last one).
    Stay(Option<String>),
}

pub fn prompt_key<T>(
    text: &mut String,
    error: Option<String>,
    key: KeyEvent,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Prompted<T> {
    match edit_line(text, key) {
        Some(false) => Prompted::Cancel,
        Some(true) => match parse(text) {
            Ok(v) => Prompted::Submit(v),
            Err(e) => Prompted::Stay(Some(e)),
        },
        None if matches!(key.code, KeyCode::Backspace | KeyCode::Char(_)) => Prompted::Stay(None),
        None => Prompted::Stay(error),
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
    model: &mut Model,
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

fn run_command(model: &mut Model, ui: &mut UiState, line: &str) -> Vec<Command> {
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
        "targets" => {
            ui.mode = Mode::Targets;
            Vec::new()
        }
        "theme" if arg.is_empty() => {
            let names = crate::config::theme::Theme::builtin_names().join(", ");
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
        "ctx" | "context" => super::scope::context(model, ui, &arg),
        "ns" | "namespace" => super::scope::namespace(model, ui, &arg),
        "runbook" | "rb" if arg.is_empty() => super::runbook::show(model, ui),
        "runbook" | "rb" => {
            let mut words = arg.split_whitespace();
            let id = words.next().unwrap_or_default().to_string();
            let mut params = std::collections::BTreeMap::new();
            for kv in words {
                match kv.split_once('=') {
                    Some((k, v)) if !k.is_empty() => {
                        params.insert(k.to_string(), v.to_string());
                    }
                    _ => {
                        ui.message = Some((
                            format!(":runbook {id}: `{kv}` is not NAME=VALUE"),
                            Severity::Warning,
                        ));
                        return Vec::new();
                    }
                }
            }
            super::runbook::start_typed(model, ui, &id, params)
        }
        "load" => super::load::command(model, ui, &arg),
        // The rest of the line as typed: a command's quoting and spacing matter.
        "exec" => super::shell::command(model, ui, line.trim_start()[verb.len()..].trim()),
        other => {
            let hint = did_you_mean(other, COMMANDS.iter().copied())
                .map(|c| format!(" (did you mean :{c}?)"))
                .unwrap_or_default();
            ui.message = Some((format!("unknown command :{other}{hint}"), Severity::Warning));
            Vec::new()
        }
    }
}
