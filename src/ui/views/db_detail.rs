//! One session whole, over the sessions list (`Enter`): who and where from,
//! its state and transaction, its place in a lock chain, the lock it waits
//! for and those it holds, and the whole query wrapped (masked, scrollable),
//! with the keys that act on it. A stale target's session says so first.

use super::database::stale_line;
use crate::base::time::time_of_day;
use crate::console::Model;
use crate::model::database::{Chains, DbSession, Role};
use crate::model::Severity;
use crate::ui::levels;
use crate::ui::state::UiState;
use crate::ui::widgets::pane_block;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState, key: &str) {
    let t = &ui.theme;
    let (target, pid) = key.rsplit_once('/').unwrap_or((key, ""));
    let found = model
        .databases
        .iter()
        .find(|(n, ..)| n == target)
        .and_then(|(_, at, d)| {
            let s = d.sessions.iter().find(|s| s.pid.to_string() == pid)?;
            Some((*at, d, s))
        });
    Clear.render(area, buf);
    let title = format!("Session {pid} on {target}");
    let block = pane_block(t, &title, None, true);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    let keys_row = Rect {
        y: inner.bottom() - 1,
        height: 1,
        ..inner
    };
    let body = Rect {
        height: inner.height - 1,
        ..inner
    };
    let fields = match found {
        Some((at, d, s)) => {
            let mut fields = Vec::new();
            if let Some(stale) = stale_line(model, target, at) {
                fields.push((String::new(), stale, t.warning));
            }
            fields.extend(session_fields(ui, s, &d.chains(), at));
            fields
        }
        None => vec![(
            String::new(),
            format!("backend {pid} is not listed any more: it ended or went idle"),
            t.muted,
        )],
    };
    let lines = wrap_fields(fields, body.width as usize, t.muted);
    // Scrolling past the end shows the last page, not an empty pane.
    let total = lines.len() as u16;
    let scroll = ui.db.detail_scroll.min(total.saturating_sub(body.height));
    let shown: Vec<Line> = lines.into_iter().skip(scroll as usize).collect();
    Paragraph::new(shown).render(body, buf);
    let more = if total > body.height + scroll {
        "  ↓ more"
    } else {
        ""
    };
    Line::from(vec![
        Span::styled(" c", t.key),
        Span::styled(" cancel query  ", t.muted),
        Span::styled("x", t.key),
        Span::styled(" terminate  ", t.muted),
        Span::styled("↑↓ PgUp PgDn", t.key),
        Span::styled(" scroll  ", t.muted),
        Span::styled("Esc", t.key),
        Span::styled(" close", t.muted),
        Span::styled(more, t.muted),
    ])
    .render(keys_row, buf);
}

/// Label width: values line up after it, and wrap under themselves.
const LABEL: usize = 14;

/// Each (label, value, style) as lines of at most `width` cells, the value
/// wrapped at spaces under itself; the query's own lines are kept.
fn wrap_fields(
    fields: Vec<(String, String, Style)>,
    width: usize,
    label: Style,
) -> Vec<Line<'static>> {
    let room = width.saturating_sub(LABEL).max(8);
    let mut out = Vec::new();
    for (name, value, style) in fields {
        let mut first = true;
        for part in value.split('\n') {
            for piece in super::action_dialog::wrap(part, room) {
                let head = if first {
                    format!(" {name:<w$}", w = LABEL - 1)
                } else {
                    " ".repeat(LABEL)
                };
                first = false;
                out.push(Line::from(vec![
                    Span::styled(head, label),
                    Span::styled(piece, style),
                ]));
            }
        }
    }
    out
}

type Field = (String, String, Style);

fn session_fields(ui: &UiState, s: &DbSession, chains: &Chains, at: i64) -> Vec<Field> {
    let t = &ui.theme;
    let field = |name: &str, value: String, style: Style| (name.to_string(), value, style);
    let or_dash = |v: &str| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.to_string()
        }
    };
    let mut lines = vec![
        field(
            "user",
            format!(
                "{} · database {} · application {}",
                or_dash(&s.user),
                or_dash(&s.database),
                or_dash(&s.application)
            ),
            t.text,
        ),
        field(
            "client",
            format!("{} · {}", or_dash(&s.client), or_dash(&s.backend_type)),
            t.text,
        ),
        field(
            "state",
            format!("{} for {}", s.state, s.running_for()),
            t.severity(if s.state.starts_with("idle in transaction") {
                Severity::Warning
            } else {
                levels::query_secs(s.running_secs)
            }),
        ),
    ];
    lines.push(match (s.xact_start, s.xact_secs) {
        (Some(start), Some(secs)) => field(
            "transaction",
            format!(
                "open {} (began {} UTC, as of {})",
                s.xact_for().unwrap_or_default(),
                time_of_day(start),
                time_of_day(at)
            ),
            t.severity(levels::query_secs(secs)),
        ),
        _ => field("transaction", "none open".into(), t.muted),
    });
    match chains.role(s.pid) {
        Role::Root(r) => {
            let waiters: Vec<String> = r.waiters.iter().map(i32::to_string).collect();
            lines.push(field(
                "lock chain",
                format!(
                    "⇢ root of {}: {} wait behind it; ending it releases them",
                    r.waiters.len(),
                    waiters.join(", ")
                ),
                t.severity(Severity::Critical),
            ));
        }
        Role::Waiter(w) => lines.push(field(
            "lock chain",
            format!(
                "{}; c or x offers {} instead",
                w.describe(),
                match w.roots.first() {
                    Some(r) => format!("the root {r}"),
                    None => "nothing: a deadlock the server will break".into(),
                }
            ),
            t.severity(Severity::Warning),
        )),
        Role::Free => {}
    }
    lines.push(field(
        "wait event",
        if s.wait_event.is_empty() {
            "-".into()
        } else {
            s.wait_event.clone()
        },
        t.text,
    ));
    if let Some(l) = &s.lock_wait {
        lines.push(field("waits for", l.clone(), t.severity(Severity::Warning)));
    }
    if s.locks_held.is_empty() {
        lines.push(field("locks held", "none".into(), t.muted));
    }
    for (i, l) in s.locks_held.iter().enumerate() {
        lines.push(field(
            if i == 0 { "locks held" } else { "" },
            l.clone(),
            t.text,
        ));
    }
    lines.push(field("", String::new(), t.text));
    // The server's own line breaks are kept; long lines wrap in the pane.
    lines.push(field("query", s.query.clone(), t.text));
    lines
}
