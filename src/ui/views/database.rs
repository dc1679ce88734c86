//! The Database view: each PostgreSQL target's connections against the limit,
//! throughput, cache, sizes, lag, statements and what the role cannot see;
//! below, every busy session longest first, blocked ones and the heads of
//! lock chains marked. `c` cancels the selected query, `x` ends the session.

use super::list_frame::{self, ListFrame};
use crate::base::units::{bytes, percent};
use crate::console::Model;
use crate::model::database::{DbSession, DbSnapshot, Statements};
use crate::model::{Health, Severity};
use crate::ui::levels;
use crate::ui::lists;
use crate::ui::state::UiState;
use crate::ui::widgets::{pane_block, Cell, Column, Rows};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

// The query is kept but widened last: it takes whatever room the others leave.
const COLUMNS: [Column; 9] = [
    Column::left("TARGET", 6, 16, 4),
    Column::right("PID", 5, 7, 10),
    Column::left("USER", 4, 12, 6),
    Column::left("APP", 3, 16, 3),
    Column::left("STATE", 6, 30, 9),
    Column::left("WAIT", 4, 22, 5),
    Column::right("RUNNING", 7, 9, 8),
    Column::left("BLOCKED BY", 7, 16, 7),
    Column::left("QUERY", 10, 160, 1),
];

pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    let summary = summary_lines(model, ui);
    let height = (summary.len() as u16 + 2).min(area.height / 2).max(3);
    let [top, rest] =
        Layout::vertical([Constraint::Length(height), Constraint::Fill(1)]).areas(area);
    let block = pane_block(&ui.theme, "PostgreSQL", None, false);
    Paragraph::new(summary).block(block).render(top, buf);

    let rows = lists::sessions(model, ui);
    let keys: Vec<String> = rows.iter().map(|(t, s)| lists::session_key(t, s)).collect();
    let empty = if model.databases.is_empty() {
        "no PostgreSQL target has reported yet"
    } else if ui.tables.database.filter.is_empty() {
        "no session is busy"
    } else {
        "no session matches the filter"
    };
    list_frame::draw(
        rest,
        buf,
        ui,
        ListFrame {
            title: "Sessions",
            columns: &COLUMNS,
            rows: Rows::lazy(rows.len(), |n| {
                let (t, s) = rows[n];
                let snap = model.databases.iter().find(|(n, ..)| n == t);
                row(t, s, snap.map(|(_, _, d)| d))
            }),
            selected: ui.tables.database.index(&keys),
            empty,
        },
    );
}

fn row(target: &str, s: &DbSession, snap: Option<&DbSnapshot>) -> Vec<Cell> {
    let blocks = snap.map_or(0, |d| {
        d.blocking
            .iter()
            .filter(|e| e.blockers.contains(&s.pid))
            .count()
    });
    let state = if blocks > 0 {
        Cell::sev(format!("{} ⇢ blocks {blocks}", s.state), Severity::Critical)
    } else if s.state == "idle in transaction" {
        Cell::sev(s.state.clone(), Severity::Warning)
    } else {
        Cell::plain(s.state.clone())
    };
    let blocked_by = if s.blocked_by.is_empty() {
        Cell::muted("-")
    } else {
        let pids: Vec<String> = s.blocked_by.iter().map(i32::to_string).collect();
        Cell::sev(pids.join(","), Severity::Warning)
    };
    vec![
        Cell::plain(target),
        Cell::plain(s.pid.to_string()),
        Cell::plain(s.user.clone()),
        Cell::muted(s.application.clone()),
        state,
        Cell::muted(s.wait_event.clone()),
        Cell::sev(s.running_for(), levels::query_secs(s.running_secs)),
        blocked_by,
        Cell::plain(s.query.clone()),
    ]
}

fn summary_lines(model: &Model, ui: &UiState) -> Vec<Line<'static>> {
    let t = &ui.theme;
    let mut lines = Vec::new();
    let targets = model
        .targets
        .iter()
        .filter(|x| x.kind == crate::model::TargetKind::Postgres);
    for target in targets {
        let name = target.name.clone();
        let (health, health_style) = match &target.health {
            Health::Ok => ("ok".to_string(), t.ok),
            Health::Degraded { reason, .. } => (
                format!("degraded: {reason}"),
                t.severity(Severity::Critical),
            ),
            other => (other.label().to_string(), t.muted),
        };
        let mut head = vec![
            Span::styled(format!(" {name} "), t.title),
            Span::styled(health, health_style),
        ];
        let Some((_, _, d)) = model.databases.iter().find(|(n, ..)| *n == name) else {
            lines.push(Line::from(head));
            continue;
        };
        let ratio = d.saturation();
        head.push(Span::styled(
            format!(" · PostgreSQL {} · connections ", d.server_version),
            t.muted,
        ));
        head.push(Span::styled(
            format!(
                "{}/{} {}",
                d.connections,
                d.max_connections,
                percent(ratio * 100.0)
            ),
            t.severity(levels::connections(ratio)),
        ));
        head.push(Span::styled(
            format!(" · blocked {}", d.blocking.len()),
            t.severity(if d.blocking.is_empty() {
                Severity::Ok
            } else {
                Severity::Warning
            }),
        ));
        lines.push(Line::from(head));
        let sizes: Vec<String> = d
            .databases
            .iter()
            .take(4)
            .map(|(n, b)| format!("{n} {}", bytes(*b as f64)))
            .collect();
        lines.push(Line::styled(
            format!(
                "   active {} · idle in tx {} · tps {} · cache {} · lag {} · sizes {}",
                d.count_in("active"),
                d.count_in("idle in transaction"),
                d.tps.map_or("—".into(), |v| format!("{v:.1}")),
                d.cache_hit_ratio.map_or("—".into(), |v| percent(v * 100.0)),
                d.replication_lag()
                    .map_or("—".into(), |v| format!("{v:.1}s")),
                sizes.join(", ")
            ),
            t.text,
        ));
        let statements = match &d.statements {
            Statements::Top { rows } => match rows.first() {
                Some(top) => format!(
                    "top statement: {} in {} calls: {}",
                    crate::base::duration::format(std::time::Duration::from_secs(
                        (top.total_ms / 1000.0) as u64
                    )),
                    top.calls,
                    top.query
                ),
                None => "pg_stat_statements has no statements yet".into(),
            },
            Statements::Unavailable { reason } => reason.clone(),
        };
        lines.push(Line::styled(format!("   {statements}"), t.muted));
        for l in &d.limits {
            lines.push(Line::styled(format!("   note: {l}"), t.warning));
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled(
            " no [[postgres]] target is configured (see opsdeck config init)",
            t.muted,
        ));
    }
    lines
}
