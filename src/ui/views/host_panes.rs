//! The local host's panes: CPU, memory, load, network and disks, each a current
//! value plus a chart of the recent past.

use crate::base::units::{bytes, percent, rate, span};
use crate::console::Model;
use crate::model::{ratio, HostSnapshot, Severity};
use crate::ui::levels;
use crate::ui::state::{Pane, UiState};
use crate::ui::views::chrome::severity_style;
use crate::ui::widgets::{pane_block, usage_bar, SeriesChart};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub struct Ctx<'a> {
    pub model: &'a Model,
    pub ui: &'a UiState,
}

impl Ctx<'_> {
    fn block(&self, pane: Pane, inner_width: u16) -> ratatui::widgets::Block<'static> {
        let step = self.ui.chart_step(self.model.refresh.as_secs() as i64);
        let mut extra = if pane == Pane::Disks {
            String::new()
        } else {
            format!("· {}", span(step * inner_width as i64))
        };
        let filter = self.ui.filter(pane);
        if !filter.is_empty() {
            extra.push_str(&format!(" /{filter}"));
        }
        pane_block(
            &self.ui.theme,
            pane.title(),
            (!extra.is_empty()).then_some(extra),
            self.ui.focus == pane,
        )
    }

    fn sev(&self, s: Severity) -> Style {
        severity_style(self.ui, s)
    }

    /// Draws a series into `area` as a chart, one column per chart step.
    pub fn chart(&self, area: Rect, buf: &mut Buffer, series: &str, max: f32, style: Style) {
        if let Some(values) = self.window(series, area.width) {
            self.draw(area, buf, &values, max, style);
        }
    }

    /// The chart's values for `series`: one per column, newest last.
    pub fn window(&self, series: &str, columns: u16) -> Option<Vec<f32>> {
        let id = self.model.store.id(series)?;
        let step = self.ui.chart_step(self.model.refresh.as_secs() as i64);
        // Columns sit on the step grid, so the chart moves one whole column per
        // step however often other collectors advance the clock in between.
        let to = self.model.now.div_euclid(step) * step + step - 1;
        Some(self.model.store.window(id, to, step, columns as usize))
    }

    pub fn draw(&self, area: Rect, buf: &mut Buffer, values: &[f32], max: f32, style: Style) {
        SeriesChart {
            values,
            max,
            style,
            gap_style: self.ui.theme.muted,
        }
        .render(area, buf);
    }

    fn matches(&self, pane: Pane, name: &str) -> bool {
        let f = self.ui.filter(pane);
        f.is_empty() || name.to_lowercase().contains(&f.to_lowercase())
    }
}

/// Splits a pane's inner area into text lines on top and the chart below.
fn split(inner: Rect, text_lines: u16) -> (Rect, Rect) {
    let text_h = text_lines.min(inner.height);
    (
        Rect {
            height: text_h,
            ..inner
        },
        Rect {
            y: inner.y + text_h,
            height: inner.height - text_h,
            ..inner
        },
    )
}

fn gauge_line<'a>(
    label: &'a str,
    value: String,
    frac: f64,
    width: u16,
    style: Style,
    muted: Style,
) -> Line<'a> {
    let used = label.chars().count() + value.chars().count() + 2;
    let bar = (width as usize).saturating_sub(used).min(30);
    Line::from(vec![
        Span::styled(label, muted),
        Span::raw(" "),
        Span::styled(value, style),
        Span::raw(" "),
        Span::styled(usage_bar(frac, bar), style),
    ])
}

fn waiting(area: Rect, buf: &mut Buffer, ctx: &Ctx, pane: Pane) {
    let block = ctx.block(pane, area.width.saturating_sub(2));
    Paragraph::new(Line::styled(
        "waiting for the first reading…",
        ctx.ui.theme.muted,
    ))
    .block(block)
    .render(area, buf);
}

pub fn render(pane: Pane, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
    let Some(host) = ctx.model.host() else {
        return waiting(area, buf, ctx, pane);
    };
    let block = ctx.block(pane, area.width.saturating_sub(2));
    let inner = block.inner(area);
    block.render(area, buf);
    match pane {
        Pane::Cpu => cpu(inner, buf, ctx, host),
        Pane::Memory => memory(inner, buf, ctx, host),
        Pane::Load => load(inner, buf, ctx, host),
        Pane::Network => network(inner, buf, ctx, host),
        Pane::Disks => disks(inner, buf, ctx, host),
    }
}

fn cpu(inner: Rect, buf: &mut Buffer, ctx: &Ctx, h: &HostSnapshot) {
    let t = &ctx.ui.theme;
    let total = ctx.sev(levels::cpu(h.cpu_percent));
    let mut lines = vec![gauge_line(
        "total",
        percent(h.cpu_percent),
        h.cpu_percent / 100.0,
        inner.width,
        total,
        t.muted,
    )];
    // One cell per core scales to many cores; numbers are added when they fit.
    let cores: Vec<(usize, f64)> = h
        .cpu_per_core
        .iter()
        .copied()
        .enumerate()
        .filter(|(i, _)| ctx.matches(Pane::Cpu, &format!("cpu{i}")))
        .collect();
    let numeric = cores.len() * 10 <= inner.width as usize;
    let mut spans = vec![Span::styled("cores", t.muted), Span::raw(" ")];
    for (i, c) in &cores {
        let level = ((c / 100.0) * 8.0).round().clamp(1.0, 8.0) as usize;
        let cell = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'][level - 1];
        let style = ctx.sev(levels::cpu(*c));
        if numeric {
            spans.push(Span::styled(
                format!("{i}:{cell}{:>4} ", format!("{c:.0}%")),
                style,
            ));
        } else {
            spans.push(Span::styled(cell.to_string(), style));
        }
    }
    lines.push(Line::from(spans));
    let (text, chart) = split(inner, 2);
    Paragraph::new(lines).render(text, buf);
    ctx.chart(chart, buf, "host:cpu", 100.0, t.chart);
}

fn memory(inner: Rect, buf: &mut Buffer, ctx: &Ctx, h: &HostSnapshot) {
    let t = &ctx.ui.theme;
    let mem = ratio(h.mem_used_bytes, h.mem_total_bytes);
    let swap = ratio(h.swap_used_bytes, h.swap_total_bytes);
    let mem_text = format!(
        "{} / {} {}",
        bytes(h.mem_used_bytes as f64),
        bytes(h.mem_total_bytes as f64),
        percent(mem * 100.0)
    );
    let swap_text = if h.swap_total_bytes == 0 {
        "none".to_string()
    } else {
        format!(
            "{} / {}",
            bytes(h.swap_used_bytes as f64),
            bytes(h.swap_total_bytes as f64)
        )
    };
    let lines = vec![
        gauge_line(
            "mem ",
            mem_text,
            mem,
            inner.width,
            ctx.sev(levels::memory(mem)),
            t.muted,
        ),
        gauge_line(
            "swap",
            swap_text,
            swap,
            inner.width,
            ctx.sev(levels::swap(swap)),
            t.muted,
        ),
    ];
    let (text, chart) = split(inner, 2);
    Paragraph::new(lines).render(text, buf);
    ctx.chart(chart, buf, "host:mem_used_ratio", 1.0, t.chart);
}

fn load(inner: Rect, buf: &mut Buffer, ctx: &Ctx, h: &HostSnapshot) {
    let t = &ctx.ui.theme;
    let cores = h.cpu_per_core.len().max(1);
    let mut spans = Vec::new();
    for (label, v) in [("1m", h.load[0]), ("5m", h.load[1]), ("15m", h.load[2])] {
        spans.push(Span::styled(format!("{label} "), t.muted));
        spans.push(Span::styled(
            format!("{v:.2}  "),
            ctx.sev(levels::load(v, cores)),
        ));
    }
    let uptime = format!("up {}", span(h.uptime_secs as i64));
    let lines = vec![
        Line::from(spans),
        Line::from(Span::styled(format!("{cores} cores · {uptime}"), t.muted)),
    ];
    let (text, chart) = split(inner, 2);
    Paragraph::new(lines).render(text, buf);
    // Scale to the core count, so a full bar means every core has a runnable task.
    let max = ctx
        .model
        .store
        .latest_by_name("host:load1")
        .map_or(0.0, |(_, v)| v)
        .max(cores as f64) as f32;
    ctx.chart(chart, buf, "host:load1", max, t.chart);
}

fn network(inner: Rect, buf: &mut Buffer, ctx: &Ctx, h: &HostSnapshot) {
    let t = &ctx.ui.theme;
    let shown: Vec<_> = h
        .networks
        .iter()
        .filter(|n| ctx.matches(Pane::Network, &n.interface))
        .collect();
    let rows = (inner.height / 2).max(1) as usize;
    let mut lines: Vec<Line> = shown
        .iter()
        .take(rows)
        .map(|n| {
            Line::from(vec![
                Span::styled(format!("{:<10.10} ", n.interface), t.text),
                Span::styled("↓", t.muted),
                Span::styled(format!("{:>11} ", rate(n.rx_bytes_per_sec)), t.chart),
                Span::styled("↑", t.muted),
                Span::styled(format!("{:>11}", rate(n.tx_bytes_per_sec)), t.chart_alt),
            ])
        })
        .collect();
    if shown.len() > rows {
        lines.push(Line::styled(
            format!("… {} more (/ to filter)", shown.len() - rows),
            t.muted,
        ));
    }
    if shown.is_empty() {
        lines.push(Line::styled("no interfaces match", t.muted));
    }
    let (text, chart) = split(inner, lines.len() as u16);
    Paragraph::new(lines).render(text, buf);
    // Received above, sent below, on one shared scale so they compare.
    let rx = ctx
        .window("host:net:rx_bps", chart.width)
        .unwrap_or_default();
    let tx = ctx
        .window("host:net:tx_bps", chart.width)
        .unwrap_or_default();
    let max = rx
        .iter()
        .chain(&tx)
        .filter(|v| !v.is_nan())
        .fold(1024.0f32, |m, v| m.max(*v));
    let top = Rect {
        height: chart.height.div_ceil(2),
        ..chart
    };
    let bottom = Rect {
        y: top.y + top.height,
        height: chart.height - top.height,
        ..chart
    };
    ctx.draw(top, buf, &rx, max, t.chart);
    ctx.draw(bottom, buf, &tx, max, t.chart_alt);
}

fn disks(inner: Rect, buf: &mut Buffer, ctx: &Ctx, h: &HostSnapshot) {
    let t = &ctx.ui.theme;
    let shown: Vec<_> = h
        .disks
        .iter()
        .filter(|d| ctx.matches(Pane::Disks, &d.mount))
        .collect();
    let mount_w = shown
        .iter()
        .map(|d| d.mount.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 30);
    let rows = inner.height as usize;
    let mut lines: Vec<Line> = Vec::new();
    for d in shown.iter().take(if shown.len() > rows {
        rows.saturating_sub(1)
    } else {
        rows
    }) {
        let r = ratio(d.used_bytes, d.total_bytes);
        let style = ctx.sev(levels::disk(r));
        let sizes = format!(
            "{:>9} / {:<9}",
            bytes(d.used_bytes as f64),
            bytes(d.total_bytes as f64)
        );
        let used = mount_w + sizes.len() + 8;
        let bar = (inner.width as usize).saturating_sub(used).min(40);
        lines.push(Line::from(vec![
            Span::styled(format!("{:<mount_w$.mount_w$} ", d.mount), t.text),
            Span::styled(format!("{:>6} ", percent(r * 100.0)), style),
            Span::styled(usage_bar(r, bar), style),
            Span::styled(format!(" {sizes}"), t.muted),
        ]));
    }
    if shown.len() > lines.len() {
        lines.push(Line::styled(
            format!("… {} more (/ to filter)", shown.len() - lines.len()),
            t.muted,
        ));
    }
    if shown.is_empty() {
        lines.push(Line::styled("no mounts match", t.muted));
    }
    Paragraph::new(lines).render(inner, buf);
}
