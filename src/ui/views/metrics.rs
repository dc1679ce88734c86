//! The metrics view: a latency pane per service (p50 / p95 / p99, error
//! ratio, requests per second, with the source named), the selected
//! service's latency history, and the `[[panel]]` charts over the chosen range.

use super::host_panes::Ctx;
use super::list_frame::{self, ListFrame};
use crate::base::units::Unit;
use crate::base::units::{range_name, span, with_unit};
use crate::console::panels::PANEL_RANGES;
use crate::console::{Model, PanelDef, ServiceRow};
use crate::model::Severity;
use crate::ui::lists;
use crate::ui::state::UiState;
use crate::ui::widgets::{pane_block, Cell, Column, Tone};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

const COLUMNS: [Column; 9] = [
    Column::left("SERVICE", 8, 56, 9),
    Column::right("P50", 6, 9, 5),
    Column::right("P95", 6, 9, 8),
    Column::right("P99", 6, 9, 6),
    Column::right("ERR", 5, 7, 7),
    Column::right("RPS", 5, 9, 6),
    Column::left("SOURCE", 8, 48, 4),
    Column::left("TLS", 4, 9, 2),
    Column::left("NOTE", 10, 60, 1),
];

/// Panels side by side from this width on.
const TWO_COLUMNS_FROM: u16 = 100;
/// A chart pane shorter than this shows too little to read.
const MIN_PANE_HEIGHT: u16 = 5;
/// The error ratio from which a service's row turns red.
const ERROR_CRITICAL: f64 = 0.05;
const ERROR_WARNING: f64 = 0.01;
/// Latency from which p95 shows as a warning, as the default alert rule has it.
const SLOW_P95: f64 = 1.0;
/// A certificate closer than this to expiry is a warning; 7 days critical.
const CERT_WARNING_SECS: f64 = 21.0 * 86400.0;
const CERT_CRITICAL_SECS: f64 = 7.0 * 86400.0;

/// How many points a panel chart needs at this terminal width: the inner
/// width of one grid cell, so Prometheus returns one point per column.
pub fn chart_columns(screen_width: u16) -> u16 {
    let cells = if screen_width >= TWO_COLUMNS_FROM {
        2
    } else {
        1
    };
    (screen_width / cells).saturating_sub(2).max(1)
}

pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    let rows = lists::services(model, ui);
    let want = rows.len().max(1) as u16 + 3;
    let table_h = want.min((area.height * 2 / 5).max(MIN_PANE_HEIGHT));
    let [table, charts] =
        Layout::vertical([Constraint::Length(table_h), Constraint::Fill(1)]).areas(area);
    let keys: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
    let selected = ui.tables.services.index(&keys);
    let empty = if model.services.is_empty() {
        "no services: add a [[probe]], [[scrape]] or [[service]] to the config"
    } else {
        "no service matches the filter"
    };
    list_frame::draw(
        table,
        buf,
        ui,
        ListFrame {
            title: "Services",
            columns: &COLUMNS,
            rows: rows.iter().map(row).collect::<Vec<_>>().into(),
            selected,
            empty,
        },
    );
    grid(charts, buf, model, ui, rows.get(selected));
}

fn row(r: &ServiceRow) -> Vec<Cell> {
    let secs = |v: Option<f64>| v.map_or("-".into(), |v| with_unit(Unit::Seconds, v));
    let err_tone = match r.error_ratio {
        Some(e) if e > ERROR_CRITICAL => Tone::Sev(Severity::Critical),
        Some(e) if e > ERROR_WARNING => Tone::Sev(Severity::Warning),
        _ => Tone::Plain,
    };
    let p95_tone = match r.p95 {
        Some(p) if p > SLOW_P95 => Tone::Sev(Severity::Warning),
        _ => Tone::Plain,
    };
    let measured = r.p95.is_some() || r.rps.is_some() || r.error_ratio.is_some();
    vec![
        Cell::new(
            r.name.clone(),
            if measured {
                err_tone
            } else {
                Tone::Sev(Severity::Warning)
            },
        ),
        Cell::plain(secs(r.p50)),
        Cell::new(secs(r.p95), p95_tone),
        Cell::plain(secs(r.p99)),
        Cell::new(
            r.error_ratio
                .map_or("-".into(), |e| with_unit(Unit::Ratio, e)),
            err_tone,
        ),
        Cell::plain(r.rps.map_or("-".into(), |v| with_unit(Unit::None, v))),
        Cell::muted(r.source.clone()),
        cert_cell(r.cert_expires_in),
        Cell::muted(r.note.clone().unwrap_or_default()),
    ]
}

fn cert_cell(expires_in: Option<f64>) -> Cell {
    let Some(secs) = expires_in else {
        return Cell::muted("-");
    };
    let text = if secs <= 0.0 {
        "EXPIRED".to_string()
    } else {
        format!("{}d", (secs / 86400.0).floor())
    };
    match secs {
        s if s < CERT_CRITICAL_SECS => Cell::sev(text, Severity::Critical),
        s if s < CERT_WARNING_SECS => Cell::sev(text, Severity::Warning),
        _ => Cell::plain(text),
    }
}

/// The charts: the selected service's latency first, then every panel.
fn grid(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState, svc: Option<&ServiceRow>) {
    let count = model.panels.len() + usize::from(svc.is_some());
    if count == 0 || area.height < MIN_PANE_HEIGHT {
        return;
    }
    let cols = if area.width >= TWO_COLUMNS_FROM { 2 } else { 1 };
    let fit = (area.height / MIN_PANE_HEIGHT).max(1) as usize;
    let rows = count.div_ceil(cols).min(fit);
    let row_areas = Layout::vertical(vec![Constraint::Fill(1); rows]).split(area);
    let mut cells = Vec::new();
    for r in row_areas.iter() {
        cells.extend(
            Layout::horizontal(vec![Constraint::Fill(1); cols])
                .split(*r)
                .iter()
                .copied(),
        );
    }
    let mut cells = cells.into_iter();
    if let Some(svc) = svc {
        if let Some(cell) = cells.next() {
            service_chart(cell, buf, model, ui, svc);
        }
    }
    for (panel, cell) in model.panels.iter().zip(cells) {
        panel_chart(cell, buf, model, ui, panel);
    }
}

fn service_chart(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState, svc: &ServiceRow) {
    let ctx = Ctx { model, ui };
    let step = ui.chart_step(model.refresh.as_secs() as i64);
    let title = format!("{} p95", svc.name);
    let extra = format!(
        "· {} · {}",
        svc.source,
        span(step * i64::from(area.width - 2))
    );
    let block = pane_block(&ui.theme, &title, Some(extra), false);
    let inner = block.inner(area);
    block.render(area, buf);
    let t = &ui.theme;
    let secs = |v: Option<f64>| v.map_or("-".into(), |v| with_unit(Unit::Seconds, v));
    let text = format!(
        "p50 {}  p95 {}  p99 {}",
        secs(svc.p50),
        secs(svc.p95),
        secs(svc.p99)
    );
    // Which series the figures are read from, so nobody guesses what was counted.
    let named = u16::from(svc.series.is_some() && inner.height > 3);
    let [line, series, chart] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(named),
        Constraint::Fill(1),
    ])
    .areas(inner);
    Paragraph::new(Line::styled(text, t.text)).render(line, buf);
    if let Some(names) = svc.series.as_deref().filter(|_| named > 0) {
        Paragraph::new(Line::styled(names, t.muted)).render(series, buf);
    }
    let values = svc
        .p95_series
        .as_deref()
        .and_then(|s| ctx.window(s, chart.width));
    match values {
        Some(values) => {
            let max = values
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .fold(0.0, f32::max);
            ctx.draw(
                chart,
                buf,
                &values,
                if max > 0.0 { max } else { 1.0 },
                t.chart,
            );
        }
        None => Paragraph::new(Line::styled("no latency measured yet", t.muted)).render(chart, buf),
    }
}

fn panel_chart(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState, panel: &PanelDef) {
    let t = &ui.theme;
    let range = PANEL_RANGES[ui.panel_range.min(PANEL_RANGES.len() - 1)];
    let got = model.panel_ranges.get(&panel.title);
    let stale = got.is_some_and(|g| g.range_secs != range);
    let extra = format!(
        "· {} {}{}",
        panel.prometheus,
        range_name(range),
        if stale { " (asking…)" } else { "" }
    );
    let block = pane_block(t, &panel.title, Some(extra), false);
    let inner = block.inner(area);
    block.render(area, buf);
    let [line, chart] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
    let Some(got) = got else {
        let text = format!("asking Prometheus {}…", panel.prometheus);
        return Paragraph::new(Line::styled(text, t.muted)).render(line, buf);
    };
    let series = match &got.result {
        Err(e) => return Paragraph::new(Line::styled(e.clone(), t.warning)).render(inner, buf),
        Ok(series) if series.is_empty() => {
            return Paragraph::new(Line::styled("no data over this range", t.muted))
                .render(line, buf)
        }
        Ok(series) => series,
    };
    let first = &series[0];
    let finite = || first.values.iter().copied().filter(|v| v.is_finite());
    let now = first.values.iter().rev().copied().find(|v| v.is_finite());
    let max = finite().fold(f64::NEG_INFINITY, f64::max);
    let mut text = format!(
        "now {}  max {}",
        now.map_or("-".into(), |v| with_unit(panel.unit, v)),
        if max.is_finite() {
            with_unit(panel.unit, max)
        } else {
            "-".into()
        }
    );
    if series.len() > 1 {
        text.push_str(&format!("  {} of {} series", first.labels, series.len()));
    }
    Paragraph::new(Line::styled(text, t.text)).render(line, buf);
    let values: Vec<f32> = first.values.iter().map(|v| *v as f32).collect();
    let scale = if max.is_finite() && max > 0.0 {
        max as f32
    } else {
        1.0
    };
    Ctx { model, ui }.draw(chart, buf, &values, scale, t.chart);
}
