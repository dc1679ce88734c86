use crate::config::theme::Theme;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};

/// The frame every pane is drawn in; the focused one stands out.
pub fn pane_block<'a>(
    theme: &Theme,
    title: &'a str,
    extra: Option<String>,
    focused: bool,
) -> Block<'a> {
    let mut spans = vec![Span::styled(format!(" {title} "), theme.title)];
    if let Some(extra) = extra {
        spans.push(Span::styled(format!("{extra} "), theme.muted));
    }
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(if focused {
            theme.border_focused
        } else {
            theme.border
        })
        .title(Line::from(spans))
}
