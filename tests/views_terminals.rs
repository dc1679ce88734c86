//! The console as each kind of terminal gets it, at 80x24: a Linux console or
//! `--ascii` (ASCII borders and bars, 16 colours), a VT100 (8 colours), and
//! NO_COLOR (no colour at all, every state still visible).

use crossterm::event::{KeyCode, KeyEvent};
use opsdeck::config::term_caps::{ColorDepth, TermCaps};
use opsdeck::config::theme::Theme;
use opsdeck::ui::state::{Mode, UiState, View};
use opsdeck::ui::update::{update, UiEvent};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use screen::fixtures::sample_model;

#[path = "support/screen.rs"]
mod screen;
use screen::*;

fn caps_of(vars: &[(&str, &str)], ascii: bool) -> TermCaps {
    TermCaps::from_vars(
        |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        },
        ascii,
    )
}

fn ui_for(caps: TermCaps, view: View) -> UiState {
    let mut ui = UiState::new(Theme::default().for_terminal(caps));
    ui.view = view;
    ui
}

fn linux() -> TermCaps {
    caps_of(&[("TERM", "linux")], false)
}

fn no_color() -> TermCaps {
    caps_of(&[("TERM", "xterm-256color"), ("NO_COLOR", "1")], false)
}

fn colours(buf: &Buffer) -> Vec<Color> {
    buf.content()
        .iter()
        .flat_map(|c| [c.fg, c.bg])
        .filter(|c| *c != Color::Reset)
        .collect()
}

fn assert_ascii(buf: &Buffer, what: &str) {
    for c in buf.content() {
        assert!(
            c.symbol().is_ascii(),
            "{what}: {:?}\n{}",
            c.symbol(),
            text(buf)
        );
    }
}

#[test]
fn overview_on_a_linux_console_80x24() {
    let buf = frame(&console(), &ui_for(linux(), View::Overview), 80, 24);
    assert_ascii(&buf, "overview");
    insta::assert_snapshot!(text(&buf));
}

#[test]
fn workloads_with_ascii_flag_80x24() {
    let caps = caps_of(&[("TERM", "xterm-256color")], true);
    let buf = frame(&console(), &ui_for(caps, View::Workloads), 80, 24);
    assert_ascii(&buf, "workloads");
    insta::assert_snapshot!(text(&buf));
}

#[test]
fn alerts_on_a_vt100_80x24() {
    let caps = caps_of(&[("TERM", "vt100")], false);
    let buf = frame(
        &sample_model(NOW, 4, 900),
        &ui_for(caps, View::Alerts),
        80,
        24,
    );
    assert_ascii(&buf, "alerts");
    // Eight colours: no bright variants, nothing indexed or RGB.
    for c in colours(&buf) {
        assert!(
            matches!(
                c,
                Color::Black
                    | Color::Red
                    | Color::Green
                    | Color::Yellow
                    | Color::Blue
                    | Color::Magenta
                    | Color::Cyan
                    | Color::Gray
            ),
            "{c:?}"
        );
    }
    insta::assert_snapshot!(text(&buf));
}

#[test]
fn every_view_and_overlay_is_ascii_on_a_dumb_terminal() {
    let caps = caps_of(&[("TERM", "dumb")], false);
    let model = sample_model(NOW, 4, 900);
    for view in [
        View::Overview,
        View::Workloads,
        View::Containers,
        View::Events,
        View::Alerts,
        View::Metrics,
        View::Database,
        View::Logs,
        View::Runbook,
        View::Load,
    ] {
        for mode in [Mode::Normal, Mode::Help, Mode::Targets] {
            let mut ui = ui_for(caps, view);
            ui.mode = mode.clone();
            for (w, h) in [(80, 24), (160, 48)] {
                assert_ascii(&frame(&model, &ui, w, h), &format!("{view:?} {mode:?}"));
            }
        }
    }
}

#[test]
fn no_color_workloads_80x24_selection_by_marker_and_reverse() {
    let mut model = console();
    let mut ui = ui_for(no_color(), View::Workloads);
    let before = frame(&model, &ui, 80, 24);
    assert!(colours(&before).is_empty(), "NO_COLOR draws no colour");
    let (_, first_row) = find(&before, "> ");
    update(
        &mut model,
        &mut ui,
        UiEvent::Key(KeyEvent::from(KeyCode::Char('j'))),
    );
    let after = frame(&model, &ui, 80, 24);
    assert!(colours(&after).is_empty());
    let (x, row) = find(&after, "> ");
    assert_eq!(row, first_row + 1, "j moves the marker down one row");
    assert!(after[(x + 4, row)].modifier.contains(Modifier::REVERSED));
    assert!(!after[(x + 4, first_row)]
        .modifier
        .contains(Modifier::REVERSED));
    insta::assert_snapshot!(text(&after));
}

#[test]
fn no_color_overview_80x24_keeps_states_and_charts() {
    let model = console();
    let plain = frame(&model, &ui(), 80, 24);
    let mono = frame(&model, &ui_for(no_color(), View::Overview), 80, 24);
    assert!(colours(&mono).is_empty());
    // The same words and charts as in colour: only the styling differs.
    assert_eq!(text(&mono), text(&plain));
    insta::assert_snapshot!(text(&mono));
}

#[test]
fn no_color_marks_problems_and_the_current_tab_without_colour() {
    let mut ui = ui_for(no_color(), View::Overview);
    ui.focus = opsdeck::ui::state::Pane::Load;
    let buf = frame(&sample_model(NOW, 4, 600), &ui, 160, 48);
    // /boot at 95% is critical, /var/lib/postgresql at 86% a warning.
    let crit = buf[find(&buf, "95.0%")].modifier;
    assert!(
        crit.contains(Modifier::BOLD | Modifier::UNDERLINED),
        "{crit:?}"
    );
    let warn = buf[find(&buf, "86.0%")].modifier;
    assert!(warn.contains(Modifier::UNDERLINED), "{warn:?}");
    let ok = buf[find(&buf, "62.0%")].modifier;
    assert!(
        !ok.intersects(Modifier::BOLD | Modifier::UNDERLINED),
        "{ok:?}"
    );
    let tab = buf[find(&buf, "Overview")].modifier;
    assert!(tab.contains(Modifier::REVERSED), "the current view's tab");
    let other = buf[find(&buf, "Workloads")].modifier;
    assert!(!other.contains(Modifier::REVERSED));
}

#[test]
fn colour_depths_keep_the_themes_meaning() {
    let linux_theme = Theme::default().for_terminal(linux());
    assert_eq!(linux_theme.critical, Theme::default().critical);
    let vt = Theme::default().for_terminal(caps_of(&[("TERM", "vt100")], false));
    assert_eq!(vt.critical.fg, Some(Color::Red));
    assert_eq!(vt.muted.fg, Some(Color::Gray));
    assert_eq!(ColorDepth::Mono, no_color().color);
}
