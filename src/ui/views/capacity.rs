//! A capacity run in the load view (`:load URL --stages ...`): the stages as
//! a table (each finished one with its figures, its result against the
//! thresholds and what was read beside it; the running one with its figures
//! so far), the running stage's progress, and at the end the verdict and the
//! bottleneck — in the capacity module's own words, as the command prints
//! them. The workload's CPU and memory sit beside, as for one URL.

use crate::console::load_run::{CapacityRun, LoadRun};
use crate::console::Model;
use crate::load::capacity::infra::{Peak, StageInfra};
use crate::load::capacity::verdict::{Outcome, StageRow};
use crate::load::capacity::{bottleneck, table};
use crate::load::report::progress_line;
use crate::model::Severity;
use crate::ui::state::action_flow::ActionFlow;
use crate::ui::state::{TableState, UiState};
use crate::ui::widgets::table::{Cell, Column, DataTable, Tone};
use crate::ui::widgets::{pane_block, usage_bar};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The columns of `table::HEADER` shown here (all but max, which is the
/// report's), by their index there.
const SHOWN: [usize; 8] = [0, 1, 2, 3, 4, 6, 7, 8];

/// Those columns, then what was read beside the stage.
const COLUMNS: [Column; 10] = [
    Column::left("stage", 17, 24, 9),
    Column::right("requests/s", 6, 10, 7),
    Column::right("p50", 6, 8, 4),
    Column::right("p95", 6, 8, 8),
    Column::right("p99", 6, 8, 5),
    Column::left("errors", 6, 24, 6),
    Column::left("status codes", 6, 24, 1),
    Column::left("result", 10, 48, 10),
    Column::left("workload", 10, 60, 3),
    Column::left("postgres", 10, 80, 2),
];

pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState, run: &LoadRun) {
    let Some(cap) = run.capacity.as_ref() else {
        return;
    };
    let stages = cap.spec.stages.len() as u16;
    let head_lines = heading(ui, run, cap);
    let [head, stage_table, rest] = Layout::vertical([
        Constraint::Length(head_lines.len() as u16 + 2),
        Constraint::Length(stages + 3),
        Constraint::Fill(1),
    ])
    .areas(area);
    let url = crate::base::redact::redact(&run.spec.url);
    let title = format!("Capacity {} {url}", run.spec.method);
    let block = pane_block(&ui.theme, &title, Some(status(ui, cap)), true);
    let inner = block.inner(head);
    block.render(head, buf);
    Paragraph::new(head_lines).render(inner, buf);
    stage_rows(stage_table, buf, ui, run, cap);
    // The verdict and the running stage's latency beside the workload's panes.
    let (main, side) = match &run.workload {
        Some(_) => {
            let [m, s] = Layout::horizontal([Constraint::Fill(2), Constraint::Fill(1)]).areas(rest);
            (m, Some(s))
        }
        None => (rest, None),
    };
    let inner_w = main.width.saturating_sub(2) as usize;
    let said: Vec<Line> = ending(ui, cap)
        .into_iter()
        .flat_map(|(text, style)| {
            super::action_dialog::wrap(&text, inner_w)
                .into_iter()
                .map(move |l| Line::styled(l, style))
        })
        .collect();
    let [verdict, latency] = Layout::vertical([
        Constraint::Length(said.len() as u16 + 2),
        Constraint::Fill(1),
    ])
    .areas(main);
    let block = pane_block(&ui.theme, "Verdict", None, false);
    let inner = block.inner(verdict);
    block.render(verdict, buf);
    Paragraph::new(said).render(inner, buf);
    let series = run.figures.as_ref().map_or(&[][..], |f| &f.series[..]);
    let p99: Vec<f32> = series.iter().map(|p| p.p99_ms as f32).collect();
    let which = if cap.progress.current.is_none() && cap.progress.verdict.is_some() {
        "Latency p99 per second, the last stage run"
    } else {
        "Latency p99 per second, this stage"
    };
    super::load::chart(latency, buf, ui, which, &p99, "ms");
    if let (Some(side), Some(w)) = (side, &run.workload) {
        super::workload_charts::render(side, buf, model, ui, &w.to_string());
    }
}

/// The cells of `table::HEADER` this table shows.
fn shown(cells: Vec<String>) -> Vec<Cell> {
    SHOWN
        .iter()
        .filter_map(|i| cells.get(*i))
        .map(|c| Cell::plain(c.clone()))
        .collect()
}

fn status(ui: &UiState, cap: &CapacityRun) -> String {
    let n = cap.spec.stages.len();
    match (&ui.action, cap.progress.current) {
        (Some(ActionFlow::Planning(_)), _) => "planning".into(),
        (Some(ActionFlow::Confirm(_)), _) => "confirm: y to start, n to cancel".into(),
        (_, Some(i)) => format!("stage {}/{n} · x stops", i + 1),
        (Some(ActionFlow::Running { .. }), None) => "running · x stops".into(),
        _ if cap.progress.stopped => "stopped".into(),
        _ if cap.progress.verdict.is_some() => "finished".into(),
        _ => "not started".into(),
    }
}

/// What is asked of each stage and, while one runs, its progress and figures.
fn heading<'a>(ui: &UiState, run: &LoadRun, cap: &CapacityRun) -> Vec<Line<'a>> {
    let t = &ui.theme;
    let spec = &cap.spec;
    let thresholds: Vec<&str> = spec.thresholds.iter().map(|t| t.text.as_str()).collect();
    let mut lines = vec![Line::from(vec![
        Span::styled("each stage must hold ", t.muted),
        Span::raw(thresholds.join(" and ")),
        Span::styled(" · target ", t.muted),
        Span::raw(spec.target.to_string()),
        Span::styled(" · ", t.muted),
        Span::raw(format!("{} {}", spec.base.method, spec.base.protocol())),
    ])];
    if let Some(from) = &spec.planned_from {
        lines.push(Line::from(vec![
            Span::styled("levels from ", t.muted),
            Span::raw(from.clone()),
        ]));
    }
    match cap.progress.current {
        Some(i) => {
            let stage = &spec.stages[i];
            let hold = stage.hold.as_secs_f64().max(0.001);
            let elapsed = run.figures.as_ref().map_or(0.0, |f| f.elapsed_s);
            lines.push(Line::from(vec![
                Span::styled(format!("stage {}/{} ", i + 1, spec.stages.len()), t.muted),
                Span::raw(format!("{} ", table::stage_cell(stage))),
                Span::styled(usage_bar((elapsed / hold).min(1.0), 20), t.chart),
                Span::styled(format!(" {elapsed:.0}s of {:.0}s", hold), t.muted),
            ]));
            lines.push(match &run.figures {
                Some(f) => Line::raw(progress_line(f)),
                None => Line::styled("no requests finished yet in this stage", t.muted),
            });
        }
        None if cap.progress.verdict.is_none() => lines.push(Line::styled(
            format!(
                "{} stages, {} in all",
                spec.stages.len(),
                crate::base::duration::HumanDuration(spec.total())
            ),
            t.muted,
        )),
        None => {}
    }
    lines
}

/// A finished stage's cells, coloured by how it was judged.
fn done_cells(row: &StageRow) -> Vec<Cell> {
    let tone = match row.outcome {
        Outcome::Passed => Tone::Good,
        Outcome::Failed | Outcome::NothingAnswered => Tone::Sev(Severity::Critical),
        Outcome::NotRun { .. } => Tone::Muted,
    };
    let mut cells = shown(table::cells(row));
    if let Some(result) = cells.last_mut() {
        result.tone = tone;
    }
    cells.extend(beside(row.infra.as_ref()));
    cells
}

/// The workload's and the databases' peaks; a source that could not be read
/// says so, with no figure.
fn beside(infra: Option<&StageInfra>) -> [Cell; 2] {
    let Some(infra) = infra else {
        return [Cell::muted("-"), Cell::muted("-")];
    };
    let workload = match &infra.workload {
        None => Cell::muted("-"),
        Some(p @ Peak::Read(_)) => Cell::plain(table::workload_text(p, false)),
        Some(p @ Peak::Unread(_)) => Cell::sev(table::workload_text(p, false), Severity::Warning),
    };
    let dbs = table::databases_text(infra);
    let unread = infra.databases.iter().any(|(_, p)| p.read().is_none());
    let databases = match (dbs.is_empty(), unread) {
        (true, _) => Cell::muted("-"),
        (false, true) => Cell::sev(dbs.join(", "), Severity::Warning),
        (false, false) => Cell::plain(dbs.join(", ")),
    };
    [workload, databases]
}

fn stage_rows(area: Rect, buf: &mut Buffer, ui: &UiState, run: &LoadRun, cap: &CapacityRun) {
    let t = &ui.theme;
    let done = &cap.progress.rows;
    let block = pane_block(
        t,
        "Stages",
        Some(format!(
            "{} of {} judged",
            done.len(),
            cap.spec.stages.len()
        )),
        false,
    );
    let inner = block.inner(area);
    block.render(area, buf);
    let rows: Vec<Vec<Cell>> = cap
        .spec
        .stages
        .iter()
        .enumerate()
        .map(|(i, stage)| match done.get(i) {
            Some(row) => done_cells(row),
            None => {
                let running = cap.progress.current == Some(i);
                let figures = if running { run.figures.as_ref() } else { None };
                let mut all = vec![table::stage_cell(stage)];
                all.extend(table::figure_cells(figures));
                let mut cells = shown(all);
                cells.push(if running {
                    Cell::sev("running", Severity::Info)
                } else {
                    Cell::muted("waiting")
                });
                cells.extend(beside(None));
                cells
            }
        })
        .collect();
    // The row in view: the stage running, or the first that did not pass.
    let selected = cap
        .progress
        .current
        .or_else(|| done.iter().position(|r| !r.passed()))
        .unwrap_or(done.len().saturating_sub(1));
    let state = TableState::default();
    DataTable {
        columns: &COLUMNS,
        rows: rows.into(),
        selected,
        state: &state,
        theme: t,
        empty: "no stages",
    }
    .render(inner, buf);
}

/// The verdict, the bottleneck and the report, once the run is over.
fn ending(ui: &UiState, cap: &CapacityRun) -> Vec<(String, Style)> {
    let t = &ui.theme;
    let Some(line) = cap.progress.verdict_line() else {
        let mut waiting = vec![(
            "the verdict comes when the stages are through".to_string(),
            t.muted,
        )];
        if let Some(path) = &cap.report {
            let then = format!("then the report is written to {}", path.display());
            waiting.push((then, t.muted));
        }
        return waiting;
    };
    let passed = cap
        .progress
        .verdict
        .as_ref()
        .is_some_and(|v| v.target_passed);
    let mut lines = vec![
        (line, if passed { t.ok } else { t.critical }),
        (
            bottleneck::sentence(&cap.progress.rows, false)
                .trim_end()
                .to_string(),
            t.text,
        ),
    ];
    match (&cap.written, &cap.report) {
        (Some(Ok(path)), _) => {
            lines.push((format!("report written to {}", path.display()), t.muted));
        }
        (Some(Err(e)), _) => lines.push((e.clone(), t.critical)),
        (None, Some(path)) => lines.push((format!("report to {}", path.display()), t.muted)),
        (None, None) => {}
    }
    lines
}
