//! `update(model, ui, event) -> commands`: the console's logic, pure. It never
//! awaits and never does I/O; what needs the outside world comes back as a Command.

use super::keymap::{action_for, Action};
use super::state::{Mode, UiState, ZOOM_STEPS};
use crate::diag::did_you_mean;
use crate::model::{Model, Severity};
use crate::source::Update;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

#[derive(Debug, Clone)]
pub enum Event {
    Key(KeyEvent),
    Source(Update),
    Resize,
    /// The clock moved on (unix seconds); lets the header's time advance.
    Tick(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Quit,
    /// Load a theme by name or path and switch to it.
    LoadTheme(String),
}

const COMMANDS: &[&str] = &["q", "quit", "theme", "help"];

pub fn update(model: &mut Model, ui: &mut UiState, event: Event) -> Vec<Command> {
    match event {
        Event::Source(u) => {
            model.apply(u);
            Vec::new()
        }
        Event::Tick(now) => {
            model.now = model.now.max(now);
            Vec::new()
        }
        Event::Resize => Vec::new(),
        Event::Key(key) if key.kind == KeyEventKind::Release => Vec::new(),
        Event::Key(key) => match ui.mode.clone() {
            Mode::Command(text) => command_key(ui, text, key),
            Mode::Filter(text) => {
                filter_key(ui, text, key);
                Vec::new()
            }
            Mode::Help | Mode::Normal => normal_key(ui, key),
        },
    }
}

fn normal_key(ui: &mut UiState, key: KeyEvent) -> Vec<Command> {
    let Some(action) = action_for(key) else {
        return Vec::new();
    };
    let in_help = ui.mode == Mode::Help;
    match action {
        Action::Quit => {
            ui.quit = true;
            return vec![Command::Quit];
        }
        Action::Help => ui.mode = if in_help { Mode::Normal } else { Mode::Help },
        Action::Back => {
            ui.mode = Mode::Normal;
            ui.message = None;
        }
        _ if in_help => {}
        Action::NextPane => ui.cycle_focus(true),
        Action::PrevPane => ui.cycle_focus(false),
        Action::Left => ui.move_focus(0, -1),
        Action::Right => ui.move_focus(0, 1),
        Action::Up => ui.move_focus(-1, 0),
        Action::Down => ui.move_focus(1, 0),
        Action::Command => ui.mode = Mode::Command(String::new()),
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
    }
    Vec::new()
}

/// Applies a key to a line being typed; returns Some(text) on Enter.
fn edit_line(text: &mut String, key: KeyEvent) -> Option<bool> {
    match key.code {
        KeyCode::Enter => Some(true),
        KeyCode::Esc => Some(false),
        KeyCode::Backspace => {
            text.pop();
            None
        }
        KeyCode::Char(c)
            if !key
                .modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL) =>
        {
            text.push(c);
            None
        }
        _ => None,
    }
}

fn filter_key(ui: &mut UiState, mut text: String, key: KeyEvent) {
    match edit_line(&mut text, key) {
        Some(true) => ui.mode = Mode::Normal,
        Some(false) => {
            ui.set_filter(ui.focus, String::new());
            ui.mode = Mode::Normal;
        }
        None => {
            // Filter as you type, like k9s.
            ui.set_filter(ui.focus, text.clone());
            ui.mode = Mode::Filter(text);
        }
    }
}

fn command_key(ui: &mut UiState, mut text: String, key: KeyEvent) -> Vec<Command> {
    match edit_line(&mut text, key) {
        Some(true) => {
            ui.mode = Mode::Normal;
            run_command(ui, text.trim())
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

fn run_command(ui: &mut UiState, line: &str) -> Vec<Command> {
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
            let names = super::theme::Theme::builtin_names().join(", ");
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
        other => {
            let hint = did_you_mean(other, COMMANDS.iter().copied())
                .map(|c| format!(" (did you mean :{c}?)"))
                .unwrap_or_default();
            ui.message = Some((format!("unknown command :{other}{hint}"), Severity::Warning));
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::state::Pane;
    use crate::ui::theme::Theme;
    use crossterm::event::KeyModifiers;
    use std::time::Duration;

    fn setup() -> (Model, UiState) {
        (
            Model::new(Duration::from_secs(2), false),
            UiState::new(Theme::default()),
        )
    }

    fn keys(m: &mut Model, ui: &mut UiState, s: &str) -> Vec<Command> {
        s.chars()
            .flat_map(|c| {
                let code = match c {
                    '\n' => KeyCode::Enter,
                    '\x1b' => KeyCode::Esc,
                    '\t' => KeyCode::Tab,
                    c => KeyCode::Char(c),
                };
                update(m, ui, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
            })
            .collect()
    }

    #[test]
    fn q_and_ctrl_c_quit() {
        let (mut m, mut ui) = setup();
        assert_eq!(keys(&mut m, &mut ui, "q"), vec![Command::Quit]);
        let (mut m, mut ui) = setup();
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            update(&mut m, &mut ui, Event::Key(ctrl_c)),
            vec![Command::Quit]
        );
    }

    #[test]
    fn help_toggles_and_swallows_navigation() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "?\t");
        assert_eq!((ui.mode.clone(), ui.focus), (Mode::Help, Pane::Cpu));
        keys(&mut m, &mut ui, "?");
        assert_eq!(ui.mode, Mode::Normal);
    }

    #[test]
    fn panes_move_by_tab_and_direction() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "l");
        assert_eq!(ui.focus, Pane::Memory);
        keys(&mut m, &mut ui, "lj");
        assert_eq!(ui.focus, Pane::Network);
        keys(&mut m, &mut ui, "j");
        assert_eq!(ui.focus, Pane::Disks);
        keys(&mut m, &mut ui, "jh");
        assert_eq!(ui.focus, Pane::Disks, "edges hold");
        keys(&mut m, &mut ui, "\t");
        assert_eq!(ui.focus, Pane::Cpu);
    }

    #[test]
    fn filter_applies_while_typing_and_esc_clears() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "jj/bo");
        assert_eq!(ui.focus, Pane::Disks);
        assert_eq!(ui.filter(Pane::Disks), "bo");
        keys(&mut m, &mut ui, "\n");
        assert_eq!(
            (ui.mode.clone(), ui.filter(Pane::Disks)),
            (Mode::Normal, "bo")
        );
        keys(&mut m, &mut ui, "/\x1b");
        assert_eq!(ui.filter(Pane::Disks), "");
    }

    #[test]
    fn filter_on_a_pane_without_list_says_so() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "l/");
        assert_eq!(ui.mode, Mode::Normal);
        assert!(ui
            .message
            .as_ref()
            .unwrap()
            .0
            .contains("Memory has no list"));
    }

    #[test]
    fn command_line_runs_theme_and_quit() {
        let (mut m, mut ui) = setup();
        assert_eq!(
            keys(&mut m, &mut ui, ":theme light\n"),
            vec![Command::LoadTheme("light".into())]
        );
        assert_eq!(keys(&mut m, &mut ui, ":q\n"), vec![Command::Quit]);
    }

    #[test]
    fn unknown_command_suggests() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, ":thme x\n");
        let (msg, sev) = ui.message.clone().unwrap();
        assert!(msg.contains("did you mean :theme"), "{msg}");
        assert_eq!(sev, Severity::Warning);
    }

    #[test]
    fn zoom_is_bounded() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "[[[[[[[[");
        assert_eq!(ui.zoom, ZOOM_STEPS.len() - 1);
        keys(&mut m, &mut ui, "]]]]]]]]]]");
        assert_eq!(ui.zoom, 0);
        assert_eq!(ui.chart_step(2), 2);
    }
}
