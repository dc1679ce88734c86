//! The load view: the run's live figures (rate, percentiles, status codes,
//! error kinds), latency and rate per second as charts, and — when the URL
//! reaches a known workload — that workload's CPU and memory beside them. A
//! capacity run draws its stages instead (`capacity`).

use crate::console::load_run::LoadRun;
use crate::console::Model;
use crate::load::{ErrorKind, LoadFigures};
use crate::ui::state::action_flow::ActionFlow;
use crate::ui::state::UiState;
use crate::ui::widgets::{pane_block, SeriesChart};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    let Some(run) = model.load.as_ref() else {
        return;
    };
    if run.capacity.is_some() {
        return super::capacity::render(area, buf, model, ui, run);
    }
    let (main, side) = match &run.workload {
        Some(_) => {
            let [m, s] = Layout::horizontal([Constraint::Fill(2), Constraint::Fill(1)]).areas(area);
            (m, Some(s))
        }
        None => (area, None),
    };
    let [head, latency, rate] = Layout::vertical([
        Constraint::Length(6),
        Constraint::Fill(1),
        Constraint::Fill(1),
    ])
    .areas(main);
    figures(head, buf, ui, run);
    let series = run.figures.as_ref().map_or(&[][..], |f| &f.series[..]);
    let p99: Vec<f32> = series.iter().map(|p| p.p99_ms as f32).collect();
    let rps: Vec<f32> = series.iter().map(|p| p.requests as f32).collect();
    chart(latency, buf, ui, "Latency p99 per second", &p99, "ms");
    chart(rate, buf, ui, "Requests per second", &rps, "/s");
    if let (Some(side), Some(w)) = (side, &run.workload) {
        super::workload_charts::render(side, buf, model, ui, &w.to_string());
    }
}

fn status(ui: &UiState, run: &LoadRun) -> &'static str {
    match &ui.action {
        Some(ActionFlow::Planning(_)) => "planning",
        Some(ActionFlow::Confirm(_)) => "confirm: y to start, n to cancel",
        Some(ActionFlow::Running { .. }) => "running · x stops",
        _ if run.figures.is_none() => "not started",
        _ => "finished",
    }
}

fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn figures(area: Rect, buf: &mut Buffer, ui: &UiState, run: &LoadRun) {
    let t = &ui.theme;
    let url = crate::base::redact::redact(&run.spec.url);
    let title = format!("Load {url}");
    let block = pane_block(t, &title, Some(status(ui, run).to_string()), true);
    let inner = block.inner(area);
    block.render(area, buf);
    let spec = &run.spec;
    let mut lines = vec![Line::from(vec![
        Span::styled("profile ", t.muted),
        Span::raw(format!(
            "{} · {} connections · {} {}",
            spec.profile,
            spec.connections,
            spec.method,
            spec.protocol()
        )),
    ])];
    match &run.figures {
        None => lines.push(Line::styled("no requests finished yet", t.muted)),
        Some(f) => lines.extend(figure_lines(ui, f)),
    }
    Paragraph::new(lines).render(inner, buf);
}

fn figure_lines<'a>(ui: &UiState, f: &'a LoadFigures) -> Vec<Line<'a>> {
    let t = &ui.theme;
    let p = &f.latency;
    let mut out = vec![
        Line::from(vec![
            Span::styled("requests ", t.muted),
            Span::raw(format!(
                "{} in {:.0}s · {:.0}/s now · {:.0}/s overall",
                f.requests, f.elapsed_s, f.current_rps, f.rps
            )),
        ]),
        Line::from(vec![
            Span::styled("latency ms ", t.muted),
            Span::raw(format!(
                "p50 {}  p90 {}  p95 {}  p99 {}  p99.9 {}  max {}",
                ms(p.p50),
                ms(p.p90),
                ms(p.p95),
                ms(p.p99),
                ms(p.p999),
                ms(p.max)
            )),
        ]),
    ];
    let mut codes = vec![Span::styled("status ", t.muted)];
    for (code, n) in &f.statuses {
        let style = if *code >= 500 {
            t.critical
        } else if *code >= 400 {
            t.warning
        } else {
            t.ok
        };
        codes.push(Span::styled(format!("{code}: {n}  "), style));
    }
    codes.push(Span::styled("errors ", t.muted));
    if f.errors == 0 {
        codes.push(Span::styled("none", t.ok));
    }
    for k in ErrorKind::ALL {
        if let Some(n) = f.error_kinds.get(&k) {
            codes.push(Span::styled(format!("{}: {n}  ", k.label()), t.critical));
        }
    }
    out.push(Line::from(codes));
    out
}

pub(super) fn chart(
    area: Rect,
    buf: &mut Buffer,
    ui: &UiState,
    title: &str,
    values: &[f32],
    unit: &str,
) {
    let t = &ui.theme;
    let top = values.iter().copied().fold(0.0f32, f32::max);
    // No second finished yet is not a reading of 0.
    let extra = match values.last() {
        Some(last) => format!("· 1s per column · now {last:.1}{unit} · top {top:.1}{unit}"),
        None => "· 1s per column · no second finished yet".to_string(),
    };
    let block = pane_block(t, title, Some(extra), false);
    let inner = block.inner(area);
    block.render(area, buf);
    SeriesChart {
        values,
        max: top * 1.1,
        style: t.chart,
        gap_style: t.muted,
    }
    .render(inner, buf);
}
