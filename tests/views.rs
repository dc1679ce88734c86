//! Snapshots of every view through ratatui's TestBackend, and checks that
//! severity colours land on the right cells.

use opsdeck::model::sample::sample_model;
use opsdeck::model::{Health, Model};
use opsdeck::ui::render::draw;
use opsdeck::ui::state::{Mode, Pane, UiState};
use opsdeck::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::time::Duration;

const NOW: i64 = 1_790_000_000;

fn frame(model: &Model, ui: &UiState, w: u16, h: u16) -> Buffer {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    draw(area, &mut buf, model, ui);
    buf
}

fn text(buf: &Buffer) -> String {
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

fn ui() -> UiState {
    UiState::new(Theme::default())
}

#[test]
fn overview_80x24() {
    insta::assert_snapshot!(text(&frame(&sample_model(NOW, 4, 600), &ui(), 80, 24)));
}

#[test]
fn overview_160x48() {
    insta::assert_snapshot!(text(&frame(&sample_model(NOW, 16, 3600), &ui(), 160, 48)));
}

#[test]
fn help_80x24() {
    let mut ui = ui();
    ui.mode = Mode::Help;
    insta::assert_snapshot!(text(&frame(&sample_model(NOW, 4, 600), &ui, 80, 24)));
}

#[test]
fn help_160x48() {
    let mut ui = ui();
    ui.mode = Mode::Help;
    insta::assert_snapshot!(text(&frame(&sample_model(NOW, 4, 600), &ui, 160, 48)));
}

#[test]
fn filtered_disks_and_read_only_degraded_header() {
    let mut model = sample_model(NOW, 2, 120);
    model.read_only = true;
    model.targets[0].health = Health::Degraded {
        reason: "cannot read /proc".into(),
        since: NOW,
        retry_in: Duration::from_secs(8),
    };
    let mut ui = ui();
    ui.focus = Pane::Disks;
    ui.set_filter(Pane::Disks, "boot".into());
    ui.mode = Mode::Filter("boot".into());
    insta::assert_snapshot!(text(&frame(&model, &ui, 80, 24)));
}

#[test]
fn before_the_first_reading_panes_say_so() {
    let mut model = Model::new(Duration::from_secs(2), false);
    model.add_target("local", opsdeck::model::TargetKind::Host);
    let t = text(&frame(&model, &ui(), 80, 24));
    assert!(t.contains("waiting for the first reading"), "{t}");
    assert!(t.contains("local connecting"), "{t}");
}

/// Finds the first cell of `needle` on screen.
fn find(buf: &Buffer, needle: &str) -> (u16, u16) {
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

#[test]
fn severity_colours_land_on_the_right_cells() {
    for theme_name in Theme::builtin_names() {
        let theme = Theme::load(theme_name).unwrap();
        let mut ui = UiState::new(theme.clone());
        ui.focus = Pane::Load;
        let buf = frame(&sample_model(NOW, 4, 600), &ui, 160, 48);
        // /boot is 95% full: critical. /var/lib/postgresql is 86%: warning. / is 62%: ok.
        let crit = find(&buf, "95.0%");
        assert_eq!(
            buf[crit].fg,
            theme.critical.fg.unwrap(),
            "{theme_name} /boot"
        );
        let warn = find(&buf, "86.0%");
        assert_eq!(
            buf[warn].fg,
            theme.warning.fg.unwrap(),
            "{theme_name} postgres disk"
        );
        let ok = find(&buf, "62.0%");
        assert_eq!(
            buf[ok].fg,
            theme.text.fg.unwrap_or(ratatui::style::Color::Reset),
            "{theme_name} root disk"
        );
        // The header target dot shows health in the ok colour.
        assert_eq!(
            buf[find(&buf, "●")].fg,
            theme.ok.fg.unwrap(),
            "{theme_name} header"
        );
        // The focused pane's border uses the focus colour.
        let (x, y) = find(&buf, " Load ");
        assert_eq!(
            buf[(x - 1, y)].fg,
            theme.border_focused.fg.unwrap(),
            "{theme_name} focus"
        );
    }
}

#[test]
fn every_size_down_to_tiny_renders_without_panic() {
    let model = sample_model(NOW, 64, 300);
    for (w, h) in [
        (1, 1),
        (10, 5),
        (40, 12),
        (80, 24),
        (81, 25),
        (120, 30),
        (300, 90),
    ] {
        let mut ui = ui();
        frame(&model, &ui, w, h);
        ui.mode = Mode::Help;
        frame(&model, &ui, w, h);
    }
}
