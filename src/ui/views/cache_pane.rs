//! The Cache pane of the Database view, shown when `[[redis]]` targets are
//! configured: per cache, what it is (endpoint, version, role), then the
//! lines `console::cache::facts` judges — memory against maxmemory, hit
//! ratio, evictions, clients, round trips, the latency monitor, the slow
//! log, replication, persistence — each coloured by its level, grey when
//! not known. A cache that stopped answering keeps its last lines, dimmed
//! under `as of … — stale`, as the PostgreSQL pane does.

use super::database::stale_line;
use crate::console::cache::{facts, Level};
use crate::console::Model;
use crate::model::cache::Replication;
use crate::model::{Health, Severity, TargetKind};
use crate::ui::state::UiState;
use crate::ui::widgets::pane_block;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// Whether the Database view has a Cache pane at all.
pub fn wanted(model: &Model) -> bool {
    model.targets.iter().any(|t| t.kind == TargetKind::Redis)
}

pub fn lines(model: &Model, ui: &UiState) -> Vec<Line<'static>> {
    let t = &ui.theme;
    let mut out = Vec::new();
    for target in model.targets.iter().filter(|x| x.kind == TargetKind::Redis) {
        let Some((name, at, c)) = model.caches.iter().find(|(n, ..)| *n == target.name) else {
            let (text, style) = match &target.health {
                Health::Degraded { reason, .. } => (
                    format!("degraded: {reason}"),
                    t.severity(Severity::Critical),
                ),
                other => (format!("{}: no reading yet", other.label()), t.muted),
            };
            out.push(Line::from(vec![
                Span::styled(format!(" {} ", target.name), t.title),
                Span::styled(text, style),
            ]));
            continue;
        };
        let stale = stale_line(model, name, *at);
        let role = match c.info.replication {
            Replication::Primary { .. } => "primary",
            Replication::Replica { .. } => "replica",
        };
        let mut head = vec![Span::styled(format!(" {name} "), t.title)];
        if let Some(s) = &stale {
            head.push(Span::styled(format!("{s} · "), t.warning));
        }
        head.push(Span::styled(
            format!(
                "{} · Redis {} · {role}{}",
                c.endpoint,
                c.info.version,
                if c.info.loading { " · LOADING" } else { "" }
            ),
            t.muted,
        ));
        out.push(Line::from(head));
        for f in facts(c, model.now) {
            let style = match (f.level.severity(), &stale) {
                (_, Some(_)) | (None, _) => t.muted,
                (Some(Severity::Ok), None) => t.severity(Severity::Ok),
                (Some(s), None) => t.severity(s),
            };
            let mark = match f.level {
                Level::Unknown => "?",
                _ => "",
            };
            out.push(Line::from(vec![
                Span::styled(format!("  {:<13}", f.label), t.muted),
                Span::styled(format!("{mark}{}", f.text), style),
            ]));
        }
    }
    out
}

pub fn render(area: Rect, buf: &mut Buffer, ui: &UiState, lines: Vec<Line<'static>>) {
    let block = pane_block(&ui.theme, "Cache", None, false);
    Paragraph::new(lines).block(block).render(area, buf);
}
