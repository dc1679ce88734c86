//! One log stream: the newest lines at the bottom while following, container
//! names in front when several containers share the stream, search matches
//! highlighted.

use crate::base::time::time_of_day_millis;
use crate::model::LogLine;
use crate::ui::state::log_view::LogView;
use crate::ui::state::UiState;
use crate::ui::widgets::pane_block;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub fn render(area: Rect, buf: &mut Buffer, ui: &UiState) {
    let Some(l) = ui.logs.as_ref() else {
        return;
    };
    let t = &ui.theme;
    let mut extra = if l.document {
        format!("{} lines", l.lines.len())
    } else if l.follow {
        "following".to_string()
    } else {
        format!("paused, {} newer", l.back)
    };
    if !l.search.is_empty() {
        let n = l.lines.iter().filter(|line| l.matches(line)).count();
        extra.push_str(&format!(
            " · /{} {n} match{}",
            l.search,
            if n == 1 { "" } else { "es" }
        ));
    }
    let title = if l.document {
        l.title.clone()
    } else if l.previous {
        format!("Logs {} (previous instance · p: current)", l.title)
    } else {
        format!("Logs {}", l.title)
    };
    let block = pane_block(t, &title, Some(extra), true);
    let inner = block.inner(area);
    block.render(area, buf);
    let height = inner.height as usize;
    l.page.set(height.max(1));
    let Some(bottom) = l.bottom() else {
        let waiting = if l.document {
            "reading…"
        } else {
            "waiting for log lines…"
        };
        Paragraph::new(Line::styled(waiting, t.muted)).render(inner, buf);
        return;
    };
    // A document fills the window from its top, whatever page size it was
    // scrolled with before this frame measured the window.
    let bottom = if l.document {
        bottom.max(l.lines.len().min(height).saturating_sub(1))
    } else {
        bottom
    };
    let first = (bottom + 1).saturating_sub(height);
    let name_width = if l.prefixed() {
        l.instances
            .iter()
            .map(|(_, n)| n.chars().count())
            .max()
            .unwrap_or(0)
            .min(24)
    } else {
        0
    };
    let current = l.current.and_then(|n| n.checked_sub(l.dropped));
    let lines: Vec<Line> = (first..=bottom)
        .map(|i| {
            let line = &l.lines[i];
            draw_line(ui, l, line, name_width, current == Some(i as u64))
        })
        .collect();
    Paragraph::new(lines).render(inner, buf);
}

fn draw_line<'a>(
    ui: &UiState,
    l: &'a LogView,
    line: &'a LogLine,
    name_width: usize,
    current: bool,
) -> Line<'a> {
    let t = &ui.theme;
    let mut spans = Vec::new();
    if l.timestamps {
        spans.push(Span::styled(
            format!("{} ", time_of_day_millis(line.at_nanos)),
            t.muted,
        ));
    }
    if name_width > 0 {
        let name: String = l.name_of(&line.instance).chars().take(name_width).collect();
        spans.push(Span::styled(format!("{name:<name_width$} "), t.accent));
    }
    let text_style = if line.stderr { t.warning } else { t.text };
    let hit = if current {
        t.selection.add_modifier(ratatui::style::Modifier::BOLD)
    } else {
        t.selection
    };
    spans.extend(highlight(&line.text, &l.search, text_style, hit));
    Line::from(spans)
}

/// `text` split into spans with every case-insensitive occurrence of `needle`
/// in `hit` style.
pub fn highlight<'a>(text: &'a str, needle: &str, style: Style, hit: Style) -> Vec<Span<'a>> {
    if needle.is_empty() {
        return vec![Span::styled(text, style)];
    }
    let lower = text.to_lowercase();
    let needle = needle.to_lowercase();
    // Lower-casing can change byte lengths outside ASCII; then show no highlight
    // rather than cut a character in half.
    if lower.len() != text.len() {
        return vec![Span::styled(text, style)];
    }
    let mut spans = Vec::new();
    let mut at = 0;
    for (start, m) in lower.match_indices(&needle) {
        if start > at {
            spans.push(Span::styled(&text[at..start], style));
        }
        spans.push(Span::styled(&text[start..start + m.len()], hit));
        at = start + m.len();
    }
    if at < text.len() {
        spans.push(Span::styled(&text[at..], style));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_splits_on_every_match_ignoring_case() {
        let (s, h) = (Style::new(), Style::new().bold());
        let spans = highlight("Timeout then timeout", "TIMEOUT", s, h);
        let parts: Vec<(&str, bool)> = spans
            .iter()
            .map(|sp| (sp.content.as_ref(), sp.style == h))
            .collect();
        assert_eq!(
            parts,
            vec![("Timeout", true), (" then ", false), ("timeout", true)]
        );
        assert_eq!(highlight("abc", "", s, h).len(), 1);
    }
}
