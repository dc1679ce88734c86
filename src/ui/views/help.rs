//! `?`: the key bindings that work in the current view, drawn from the keymap
//! table itself.

use crate::ui::keymap::{bindings_of, Scope};
use crate::ui::state::UiState;
use crate::ui::widgets::pane_block;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

pub fn render(area: Rect, buf: &mut Buffer, ui: &UiState) {
    let t = &ui.theme;
    // The view's own keys first, then those that work everywhere.
    let mut scopes: Vec<Scope> = ui.view.scopes().to_vec();
    scopes.retain(|s| *s != Scope::Global);
    scopes.push(Scope::Global);
    let bindings: Vec<_> = scopes.iter().flat_map(|s| bindings_of(*s)).collect();
    let key_width = bindings
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = bindings
        .iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!(" {:<key_width$}  ", b.label), t.key),
                Span::styled(b.what, t.text),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " Commands: :theme NAME|PATH  :runbook [ID [k=v...]]  :load [URL ...]  :targets  :help  :q",
        t.muted,
    ));
    let width = lines.iter().map(Line::width).max().unwrap_or(20) as u16 + 4;
    let popup = super::popup::centred(area, width, lines.len() as u16 + 2);
    Clear.render(popup, buf);
    let title = format!("Keys: {}", ui.view.title());
    Paragraph::new(lines)
        .block(pane_block(t, &title, Some("? or Esc closes".into()), true))
        .render(popup, buf);
}
