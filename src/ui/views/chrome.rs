//! The header (targets and their health, read-only badge, clock) and the footer
//! (keys that work here, the command or filter line, or a message).

use crate::model::{Health, Model, Severity};
use crate::ui::keymap::FOOTER;
use crate::ui::state::{Mode, UiState};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub fn header(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    let t = &ui.theme;
    buf.set_style(area, t.header);
    let mut spans = vec![Span::styled(
        " opsdeck ",
        t.header.add_modifier(ratatui::style::Modifier::BOLD),
    )];
    if model.read_only {
        spans.push(Span::styled(" READ-ONLY ", t.read_only));
    }
    for target in &model.targets {
        let (mark, style) = match &target.health {
            Health::Ok => ("●", t.ok),
            Health::Connecting => ("○", t.muted),
            Health::Degraded { .. } => ("▲", t.warning),
        };
        spans.push(Span::raw("  "));
        spans.push(Span::styled(mark, patch_bg(style, t.header)));
        let label = match &target.health {
            Health::Degraded { reason, .. } => format!(" {} degraded: {reason}", target.name),
            h => format!(" {} {}", target.name, h.label()),
        };
        spans.push(Span::raw(label));
    }
    Paragraph::new(Line::from(spans))
        .style(t.header)
        .render(area, buf);
    if model.now > 0 && area.width > 40 {
        let clock = clock_hhmm(model.now);
        let x = area.right().saturating_sub(clock.len() as u16 + 1);
        buf.set_string(x, area.y, clock, t.header);
    }
}

/// Severity colours on the header bar keep the bar's background.
fn patch_bg(style: Style, header: Style) -> Style {
    match style.bg {
        Some(_) => style,
        None => style.bg(header.bg.unwrap_or(ratatui::style::Color::Reset)),
    }
}

/// Minutes, not seconds: a clock that ticks every second would redraw the
/// header every second, the largest part of an idle console's output.
fn clock_hhmm(unix: i64) -> String {
    let secs = unix.rem_euclid(86400);
    format!("{:02}:{:02} UTC", secs / 3600, (secs % 3600) / 60)
}

pub fn footer(area: Rect, buf: &mut Buffer, ui: &UiState) {
    let t = &ui.theme;
    let line = match &ui.mode {
        Mode::Command(text) => Line::from(vec![
            Span::styled(":", t.key),
            Span::styled(format!("{text}▏"), t.text),
        ]),
        Mode::Filter(text) => Line::from(vec![
            Span::styled(format!("/{} ", ui.focus.title().to_lowercase()), t.key),
            Span::styled(format!("{text}▏"), t.text),
            Span::styled("  Enter keep · Esc clear", t.muted),
        ]),
        _ => match &ui.message {
            Some((text, sev)) => {
                Line::from(Span::styled(format!(" {text}"), severity_style(ui, *sev)))
            }
            None => {
                let mut spans = Vec::new();
                for (key, what) in FOOTER {
                    spans.push(Span::styled(format!(" {key}"), t.key));
                    spans.push(Span::styled(format!(" {what} "), t.muted));
                }
                Line::from(spans)
            }
        },
    };
    Paragraph::new(line).render(area, buf);
}

pub fn severity_style(ui: &UiState, sev: Severity) -> Style {
    match sev {
        Severity::Ok | Severity::Info => ui.theme.text,
        s => ui.theme.severity(s),
    }
}
