//! Every key binding in one table: the handler looks keys up here and the help
//! view lists this same table, so the two cannot disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    NextPane,
    PrevPane,
    Left,
    Right,
    Up,
    Down,
    Command,
    Filter,
    ZoomOut,
    ZoomIn,
    Back,
}

pub struct Binding {
    pub keys: &'static str,
    pub action: Action,
    pub what: &'static str,
}

pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: "?",
        action: Action::Help,
        what: "show or hide this help",
    },
    Binding {
        keys: "q  Ctrl-C",
        action: Action::Quit,
        what: "quit",
    },
    Binding {
        keys: "Tab  Shift-Tab",
        action: Action::NextPane,
        what: "next / previous pane",
    },
    Binding {
        keys: "←↓↑→  h j k l",
        action: Action::Left,
        what: "move to the pane in that direction",
    },
    Binding {
        keys: ":",
        action: Action::Command,
        what: "command line (:theme NAME, :q, :help)",
    },
    Binding {
        keys: "/",
        action: Action::Filter,
        what: "filter the focused list (Enter keeps, Esc clears)",
    },
    Binding {
        keys: "[  ]",
        action: Action::ZoomOut,
        what: "charts: longer / shorter time span",
    },
    Binding {
        keys: "Esc",
        action: Action::Back,
        what: "close help, cancel input, clear message",
    },
];

/// The keys the footer shows in the normal view, most used first.
pub const FOOTER: &[(&str, &str)] = &[
    ("?", "help"),
    ("q", "quit"),
    ("Tab", "pane"),
    ("/", "filter"),
    (":", "command"),
    ("[ ]", "span"),
];

pub fn action_for(key: KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, KeyCode::Char('c')).then_some(Action::Quit);
    }
    Some(match key.code {
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Tab => Action::NextPane,
        KeyCode::BackTab => Action::PrevPane,
        KeyCode::Left | KeyCode::Char('h') => Action::Left,
        KeyCode::Right | KeyCode::Char('l') => Action::Right,
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::Char(':') => Action::Command,
        KeyCode::Char('/') => Action::Filter,
        KeyCode::Char('[') => Action::ZoomOut,
        KeyCode::Char(']') => Action::ZoomIn,
        KeyCode::Esc => Action::Back,
        _ => return None,
    })
}
