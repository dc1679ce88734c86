//! The header (the view, targets and their health, read-only badge, clock) and
//! the footer (keys that work here, the command, filter or prompt line, or a message).

use crate::console::Model;
use crate::model::{Health, Severity};
use crate::ui::keymap::{bindings_of, Scope};
use crate::ui::state::action_flow::ActionFlow;
use crate::ui::state::{Mode, UiState, View};
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
    spans.extend(view_tabs(model, ui, area.width >= 100));
    let show_clock = model.now > 0 && area.width > 40;
    let clock = clock_hhmm(model.now);
    let text_width = if show_clock {
        area.width.saturating_sub(clock.len() as u16 + 2)
    } else {
        area.width
    };
    let used: usize = spans.iter().map(|s| s.width()).sum();
    spans.extend(target_spans(
        model,
        ui,
        usize::from(text_width).saturating_sub(used),
    ));
    // The clock keeps its corner; a long degraded reason is cut short instead.
    let text_area = if show_clock {
        Rect {
            width: area.width.saturating_sub(clock.len() as u16 + 2),
            ..area
        }
    } else {
        area
    };
    Paragraph::new(Line::from(spans))
        .style(t.header)
        .render(text_area, buf);
    if show_clock {
        let x = area.right().saturating_sub(clock.len() as u16 + 1);
        buf.set_string(x, area.y, clock, t.header);
    }
}

/// A degraded reason is cut to this many characters when not every target fits.
const SHORT_REASON: usize = 24;

/// How much of a target the header says.
#[derive(Clone, Copy, PartialEq)]
enum Detail {
    /// `name degraded: reason`, `name ok`.
    Full,
    /// `name: reason` cut short, `name`.
    Short,
    /// The name alone; the mark says the health.
    Name,
}

/// The targets, worst first, as many as fit in `room` columns: in full,
/// else with reasons cut short, else by name as many as fit, ending `+N more
/// (K degraded)`, so nothing degraded is hidden without saying so (`T` lists
/// them all with their reasons).
fn target_spans(model: &Model, ui: &UiState, room: usize) -> Vec<Span<'static>> {
    let t = &ui.theme;
    // Found targets (labelled containers) are listed in the metrics view, not here.
    let shown =
        crate::model::worst_first(model.targets.iter().filter(|t| t.discovered_by.is_none()));
    let entry = |target: &crate::model::Target, detail: Detail| {
        let (mark, style) = match &target.health {
            Health::Ok => ("●", t.ok),
            Health::Connecting => ("○", t.muted),
            Health::Degraded { .. } => ("▲", t.warning),
        };
        let label = match (&target.health, detail) {
            (Health::Degraded { reason, .. }, Detail::Full) => {
                format!(" {} degraded: {reason}", target.name)
            }
            (Health::Degraded { reason, .. }, Detail::Short) => {
                format!(" {}: {}", target.name, cut(reason, SHORT_REASON))
            }
            (h, Detail::Full) => format!(" {} {}", target.name, h.label()),
            _ => format!(" {}", target.name),
        };
        [
            Span::raw("  "),
            Span::styled(mark, patch_bg(style, t.header)),
            Span::raw(label),
        ]
    };
    let width = |e: &[Span; 3]| e.iter().map(|s| s.width()).sum::<usize>();
    for detail in [Detail::Full, Detail::Short] {
        let all: Vec<[Span; 3]> = shown.iter().map(|t| entry(t, detail)).collect();
        if all.iter().map(width).sum::<usize>() <= room {
            return all.into_iter().flatten().collect();
        }
    }
    let more = |from: usize| {
        let hidden = &shown[from..];
        let degraded = hidden.iter().filter(|t| t.health.rank() == 0).count();
        let text = if degraded > 0 {
            format!("  +{} more ({degraded} degraded)", hidden.len())
        } else {
            format!("  +{} more", hidden.len())
        };
        let style = if degraded > 0 { t.warning } else { t.muted };
        Span::styled(text, patch_bg(style, t.header))
    };
    let mut out = Vec::new();
    let mut used = 0;
    for (i, target) in shown.iter().enumerate() {
        let e = entry(target, Detail::Name);
        let rest = if i + 1 == shown.len() {
            0
        } else {
            more(i + 1).width()
        };
        if used + width(&e) + rest > room {
            out.push(more(i));
            return out;
        }
        used += width(&e);
        out.extend(e);
    }
    out
}

/// `text` in at most `max` characters, an ellipsis marking a cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// Every numbered view when there is room, else only the current one; the
/// current view stands out either way.
fn view_tabs(model: &Model, ui: &UiState, wide: bool) -> Vec<Span<'static>> {
    let t = &ui.theme;
    let mut spans = vec![Span::raw(" ")];
    for (n, view) in View::NUMBERED.iter().enumerate() {
        let current = *view == ui.view;
        if current || wide {
            let style = if current { t.selection } else { t.header };
            spans.push(Span::styled(format!(" {} {} ", n + 1, view.title()), style));
        }
    }
    if let Some(logs) = ui.logs.as_ref().filter(|_| ui.view == View::Logs) {
        spans.push(Span::styled(format!(" Logs {} ", logs.title), t.selection));
    }
    if ui.view == View::Load {
        spans.push(Span::styled(" Load ", t.selection));
    }
    if ui.view == View::Runbook {
        let id = model.runbook.as_ref().map_or("", |r| r.runbook.id.as_str());
        spans.push(Span::styled(format!(" Runbook {id} "), t.selection));
    }
    spans
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
    if let Some(p) = ui.action.as_ref().and_then(ActionFlow::prompt) {
        let mut spans = vec![
            Span::styled(format!(" {}", p.ask), t.key),
            Span::styled(format!("{}▏", p.text), t.text),
            Span::styled(format!("  {}", p.hint), t.muted),
        ];
        if let Some(e) = p.error {
            spans.push(Span::styled(format!("  {e}"), t.warning));
        }
        Paragraph::new(Line::from(spans)).render(area, buf);
        return;
    }
    let modal = ui.action.as_ref().is_some_and(|f| f.is_modal());
    let line = match &ui.mode {
        Mode::Command(text) => Line::from(vec![
            Span::styled(":", t.key),
            Span::styled(format!("{text}▏"), t.text),
        ]),
        Mode::Filter(text) => Line::from(vec![
            Span::styled(format!("/{} ", ui.filter_label()), t.key),
            Span::styled(format!("{text}▏"), t.text),
            Span::styled("  Enter keep · Esc clear", t.muted),
        ]),
        _ => match &ui.message {
            Some((text, sev)) => {
                Line::from(Span::styled(format!(" {text}"), severity_style(ui, *sev)))
            }
            None if modal => key_hints(ui, &[Scope::Confirm], area.width),
            None => key_hints(ui, ui.view.scopes(), area.width),
        },
    };
    Paragraph::new(line).render(area, buf);
}

/// The footer entries of the bindings in `scopes`: help, then the view's own,
/// then the rest, as many whole entries as fit; how to quit always shows, last.
fn key_hints(ui: &UiState, scopes: &[Scope], width: u16) -> Line<'static> {
    let t = &ui.theme;
    let footer = |scope: Scope| bindings_of(scope).filter_map(|b| b.footer);
    let global = scopes.contains(&Scope::Global);
    let is_quit = |e: &(&str, &str)| e.0 == "q";
    let mut entries: Vec<(&str, &str)> = Vec::new();
    if global {
        entries.extend(footer(Scope::Global).take(1));
    }
    // A description is read once: following, times, the previous instance do not apply.
    let document =
        ui.view == crate::ui::state::View::Logs && ui.logs.as_ref().is_some_and(|l| l.document);
    let stream_only = |e: &(&str, &str)| document && matches!(e.0, "f" | "t" | "p");
    for scope in scopes.iter().filter(|s| **s != Scope::Global) {
        entries.extend(footer(*scope).filter(|e| !stream_only(e)));
    }
    if global {
        entries.extend(footer(Scope::Global).skip(1).filter(|e| !is_quit(e)));
    }
    let quit = global
        .then(|| footer(Scope::Global).find(is_quit))
        .flatten();
    let cells = |(key, what): (&str, &str)| key.chars().count() + what.chars().count() + 3;
    let room = (width as usize).saturating_sub(quit.map_or(0, cells));
    let mut spans = Vec::new();
    let mut used = 0;
    // A key an earlier scope takes (`s`: a shell over scale) is not offered twice.
    let mut shown: Vec<&str> = Vec::new();
    for entry in entries {
        if shown.contains(&entry.0) {
            continue;
        }
        shown.push(entry.0);
        if used + cells(entry) > room {
            break;
        }
        used += cells(entry);
        spans.push(Span::styled(format!(" {}", entry.0), t.key));
        spans.push(Span::styled(format!(" {} ", entry.1), t.muted));
    }
    if let Some((key, what)) = quit {
        spans.push(Span::styled(format!(" {key}"), t.key));
        spans.push(Span::styled(format!(" {what} "), t.muted));
    }
    Line::from(spans)
}

pub fn severity_style(ui: &UiState, sev: Severity) -> Style {
    match sev {
        Severity::Ok | Severity::Info => ui.theme.text,
        s => ui.theme.severity(s),
    }
}
