//! The Database view: each PostgreSQL target's summary leading with what is
//! wrong (blocked sessions and their root, connections against the limit,
//! who holds them), the health checklist as a strip, then throughput, sizes,
//! statements and what the role cannot see; below, the sessions with each
//! lock chain together (`Tab`: who holds the connections), and `Enter`'s
//! detail over them. A target that stopped answering is marked stale and
//! its figures dimmed: they are what it said last, not what it says now.

use super::db_detail;
use super::db_tables;
use crate::base::time::time_of_day;
use crate::base::units::{bytes, percent};
use crate::console::Model;
use crate::model::database::{checklist, DbSnapshot, Statements};
use crate::model::{Health, Severity, TargetKind};
use crate::ui::levels;
use crate::ui::lists;
use crate::ui::state::UiState;
use crate::ui::widgets::pane_block;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    let summary = summary_lines(model, ui, area.width.saturating_sub(2) as usize);
    let height = (summary.len() as u16 + 2).min(area.height / 2).max(3);
    let [top, rest] =
        Layout::vertical([Constraint::Length(height), Constraint::Fill(1)]).areas(area);
    let block = pane_block(&ui.theme, "PostgreSQL", None, false);
    Paragraph::new(summary).block(block).render(top, buf);
    // Caches sit between the database's summary and its sessions: a cold
    // or evicting cache is what sends the load the sessions show.
    let rest = if super::cache_pane::wanted(model) {
        let lines = super::cache_pane::lines(model, ui);
        let height = (lines.len() as u16 + 2).min(rest.height / 2).max(3);
        let [cache, rest] =
            Layout::vertical([Constraint::Length(height), Constraint::Fill(1)]).areas(rest);
        super::cache_pane::render(cache, buf, ui, lines);
        rest
    } else {
        rest
    };
    db_tables::render(rest, buf, model, ui);
    // The detail takes the whole view: a long query needs the room.
    if let Some(key) = &ui.db.detail {
        db_detail::render(area, buf, model, ui, key);
    }
}

/// `as of 12:03:41 — stale: connection refused` when `target`'s reading is not live.
pub fn stale_line(model: &Model, target: &str, at: i64) -> Option<String> {
    lists::stale(model, target, at).map(|why| format!("as of {} — stale: {why}", time_of_day(at)))
}

fn summary_lines(model: &Model, ui: &UiState, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for target in model
        .targets
        .iter()
        .filter(|x| x.kind == TargetKind::Postgres)
    {
        let reading = model.databases.iter().find(|(n, ..)| *n == target.name);
        match reading {
            Some((name, at, d)) => lines.extend(target_lines(model, ui, name, *at, d, width)),
            None => {
                let t = &ui.theme;
                let (health, style) = match &target.health {
                    Health::Degraded { reason, .. } => (
                        format!("degraded: {reason}"),
                        t.severity(Severity::Critical),
                    ),
                    other => (format!("{}: no reading yet", other.label()), t.muted),
                };
                lines.push(Line::from(vec![
                    Span::styled(format!(" {} ", target.name), t.title),
                    Span::styled(health, style),
                ]));
            }
        }
        lines.extend(backup_lines(model, ui, &target.name));
    }
    if lines.is_empty() {
        lines.push(Line::styled(
            " no [[postgres]] target is configured (see opsdeck config init)",
            ui.theme.muted,
        ));
    }
    lines
}

/// One target's lines, most important first, so a short pane cuts the least.
fn target_lines(
    model: &Model,
    ui: &UiState,
    name: &str,
    at: i64,
    d: &DbSnapshot,
    width: usize,
) -> Vec<Line<'static>> {
    let t = &ui.theme;
    let stale = stale_line(model, name, at);
    // Stale figures keep their words but lose their colours: nothing in them is live.
    let tone = |s: Style| if stale.is_some() { t.muted } else { s };
    let sev = |s: Severity| tone(t.severity(s));
    let mut head = vec![Span::styled(format!(" {name} "), t.title)];
    match &stale {
        Some(text) => head.push(Span::styled(format!("{text} · "), t.warning)),
        None => {
            let health = model.target(name).map(|x| &x.health);
            if !matches!(health, Some(Health::Ok)) {
                let label = health.map_or("unknown", Health::label);
                head.push(Span::styled(format!("{label} · "), t.muted));
            }
        }
    }
    let chains = d.chains();
    if !d.blocking.is_empty() {
        let root = match chains.roots.as_slice() {
            [] => "deadlock".to_string(),
            [r] => format!("root {}", r.pid),
            [r, more @ ..] => format!("root {} +{}", r.pid, more.len()),
        };
        head.push(Span::styled(
            format!("blocked {} ({root})", d.blocking.len()),
            sev(Severity::Critical),
        ));
        head.push(Span::styled(" · ", t.muted));
    }
    let ratio = d.saturation();
    head.push(Span::styled(
        format!(
            "connections {}/{} {}",
            d.connections,
            d.max_connections,
            percent(ratio * 100.0)
        ),
        sev(levels::connections(ratio)),
    ));
    let idle_tx = d.count_in("idle in transaction");
    if idle_tx > 0 {
        head.push(Span::styled(
            format!(" · idle in tx {idle_tx}"),
            sev(Severity::Warning),
        ));
    }
    let longest = d.longest_query_secs();
    if longest >= 1.0 {
        let label = crate::base::duration::format(std::time::Duration::from_secs(longest as u64));
        head.push(Span::styled(
            format!(" · longest {label}"),
            sev(levels::query_secs(longest)),
        ));
    }
    if d.blocking.is_empty() {
        head.push(Span::styled(" · blocked 0", tone(t.ok)));
    }
    head.push(Span::styled(format!(" · PG {}", d.server_version), t.muted));
    let mut lines = vec![Line::from(head)];

    let items: Vec<Vec<Span<'static>>> = checklist::judge(d, at)
        .into_iter()
        .map(|i| {
            let style = match i.level {
                Severity::Ok => tone(t.ok),
                Severity::Info => t.muted,
                s => sev(s),
            };
            vec![Span::styled(i.figure, style)]
        })
        .collect();
    lines.extend(pack(items, width, ui));

    if let Some(top) = d.top_holder() {
        let share = f64::from(top.connections) / f64::from(d.max_connections.max(1));
        let idle = if top.idle_in_tx > 0 {
            format!(", {} idle in tx", top.idle_in_tx)
        } else {
            String::new()
        };
        lines.push(Line::from(vec![
            Span::styled("   most connections: ", t.muted),
            Span::styled(
                format!(
                    "{} {} of {}{idle}",
                    top.who(),
                    top.connections,
                    d.connections
                ),
                sev(if top.idle_in_tx > 0 && share >= 0.5 {
                    Severity::Warning
                } else {
                    Severity::Ok
                }),
            ),
            Span::styled("  (Tab: every holder)", t.muted),
        ]));
    }
    let sizes: Vec<String> = d
        .databases
        .iter()
        .take(4)
        .map(|(n, b)| format!("{n} {}", bytes(*b as f64)))
        .collect();
    lines.push(Line::styled(
        format!(
            "   active {} · tps {} · sizes {}",
            d.count_in("active"),
            d.tps.map_or("—".into(), |v| format!("{v:.1}")),
            sizes.join(", ")
        ),
        tone(t.text),
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
        lines.push(Line::styled(format!("   note: {l}"), tone(t.warning)));
    }
    lines
}

/// A line per `[[backup]]` of `target`: what protects it, and how well;
/// `▸` marks the one `v` drills when there is more than one to choose.
fn backup_lines(model: &Model, ui: &UiState, target: &str) -> Vec<Line<'static>> {
    let t = &ui.theme;
    let marked = model
        .backups
        .get(ui.db.backup)
        .filter(|_| model.backups.len() > 1)
        .map(|b| b.name.as_str());
    crate::console::backups::rows_of(model, target)
        .into_iter()
        .map(|row| {
            let style = match row.level {
                Severity::Ok => t.ok,
                Severity::Info => t.muted,
                s => t.severity(s),
            };
            Line::from(vec![
                Span::styled(
                    format!(
                        " {} backup {}: ",
                        if marked == Some(row.name.as_str()) {
                            '▸'
                        } else {
                            ' '
                        },
                        row.name
                    ),
                    t.muted,
                ),
                Span::styled(row.text, style),
            ])
        })
        .collect()
}

/// The checklist's items on as few lines as fit `width`, never one cut in two.
fn pack(items: Vec<Vec<Span<'static>>>, width: usize, ui: &UiState) -> Vec<Line<'static>> {
    let indent = "   ";
    let sep = " · ";
    let sep_w = sep.chars().count();
    let mut lines = Vec::new();
    let mut line: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for spans in items {
        let len: usize = spans.iter().map(|s| s.content.chars().count()).sum();
        if !line.is_empty() && used + sep_w + len > width {
            lines.push(Line::from(std::mem::take(&mut line)));
            used = 0;
        }
        if line.is_empty() {
            line.push(Span::raw(indent));
            used = indent.len();
        } else {
            line.push(Span::styled(sep, ui.theme.muted));
            used += sep_w;
        }
        used += len;
        line.extend(spans);
    }
    if !line.is_empty() {
        lines.push(Line::from(line));
    }
    lines
}
