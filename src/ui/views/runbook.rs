//! The runbook view: the steps with their states on the left; on the right
//! the workload the run is about (live), the question the run waits on with
//! the keys that answer it, and the timeline as it happens.

use crate::base::units::{bytes, cpu};
use crate::console::runbook::Question;
use crate::console::runbook::RunbookSession;
use crate::console::Model;
use crate::model::Severity;
use crate::runbook::status::StepState;
use crate::ui::lists;
use crate::ui::state::UiState;
use crate::ui::widgets::pane_block;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    let Some(pane) = model.runbook.as_ref() else {
        let block = pane_block(&ui.theme, "Runbook", None, true);
        return Paragraph::new("no runbook run: Enter on an alert, or :runbook ID")
            .block(block)
            .render(area, buf);
    };
    let steps_w = (area.width * 2 / 5).clamp(20, 44);
    let [steps, right] =
        Layout::horizontal([Constraint::Length(steps_w), Constraint::Fill(1)]).areas(area);
    // The live panes of the workload the run is about, under its steps.
    match pane.workload.as_deref() {
        Some(w) if steps.height >= 24 => {
            let [list, panes] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(12)]).areas(steps);
            step_list(list, buf, ui, pane);
            super::workload_charts::render(panes, buf, model, ui, w);
        }
        _ => step_list(steps, buf, ui, pane),
    }
    let mut lines = workload_line(model, ui, pane)
        .into_iter()
        .collect::<Vec<_>>();
    lines.extend(question_lines(pane, ui));
    // Wrapped lines take more rows than they are lines.
    let inner_w = usize::from(right.width.saturating_sub(2).max(1));
    let rows: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum();
    let question_h = (rows as u16 + 2).min(right.height * 2 / 3).max(3);
    let [now, log] =
        Layout::vertical([Constraint::Length(question_h), Constraint::Fill(1)]).areas(right);
    let block = pane_block(&ui.theme, "Now", None, pane.question.is_some());
    let inner = block.inner(now);
    block.render(now, buf);
    // A question's keys are its last line: when a long plan or note runs
    // past the pane, they keep the bottom row, or nobody knows to press y.
    let pinned = if pane.question.is_some() && rows > usize::from(inner.height) {
        lines.pop()
    } else {
        None
    };
    let body = Rect {
        height: inner.height.saturating_sub(u16::from(pinned.is_some())),
        ..inner
    };
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(body, buf);
    if let Some(keys) = pinned {
        let row = Rect {
            y: body.bottom(),
            height: 1,
            ..inner
        };
        Paragraph::new(keys).render(row, buf);
    }
    timeline(log, buf, ui, pane);
}

fn mark(state: StepState, ui: &UiState) -> (&'static str, Style) {
    let t = &ui.theme;
    match state {
        StepState::Pending => ("·", t.muted),
        StepState::Running => ("▶", t.accent),
        StepState::Passed => ("✓", t.ok),
        StepState::Failed => ("✗", t.severity(Severity::Critical)),
        StepState::Skipped => ("↷", t.muted),
        StepState::WaitingForYou => ("?", t.severity(Severity::Warning)),
    }
}

fn step_list(area: Rect, buf: &mut Buffer, ui: &UiState, pane: &RunbookSession) {
    let state = match &pane.outcome {
        None => "running".to_string(),
        Some(Ok(o)) => o.describe(),
        Some(Err(_)) => "stopped".to_string(),
    };
    let title = format!("{} · {state}", pane.runbook.id);
    let block = pane_block(&ui.theme, &title, None, false);
    let lines: Vec<Line> = pane
        .runbook
        .steps
        .iter()
        .zip(&pane.states)
        .enumerate()
        .map(|(i, (step, st))| {
            let (m, style) = mark(*st, ui);
            let here = pane.current == Some(i);
            let text_style = if here {
                ui.theme.selection
            } else {
                ui.theme.text
            };
            Line::from(vec![
                Span::styled(format!("{m} "), style),
                Span::styled(format!("{} ", step.title), text_style),
                Span::styled(format!("[{}]", step.id), ui.theme.muted),
            ])
        })
        .collect();
    Paragraph::new(lines).block(block).render(area, buf);
}

/// The live state of the workload the run is about, as the workloads view has it.
fn workload_line(model: &Model, ui: &UiState, pane: &RunbookSession) -> Option<Line<'static>> {
    let addr = pane.workload.as_deref()?;
    let t = &ui.theme;
    let found = model
        .inventories
        .iter()
        .flat_map(|(_, inv)| inv.workloads.iter())
        .find(|w| w.addr.to_string() == addr);
    Some(match found {
        Some(w) => {
            let wanted = lists::wanted(model, w);
            let sev = lists::workload_severity(w, wanted);
            Line::from(vec![
                Span::styled(format!("{addr} "), t.title),
                Span::styled(format!("{}/{wanted} ready", w.ready), t.severity(sev)),
                Span::styled(
                    format!(
                        " · CPU {} · mem {} · restarts {} · {}",
                        cpu(w.usage.cpu_percent),
                        bytes(w.usage.mem_bytes as f64),
                        w.restarts,
                        w.images.join(", ")
                    ),
                    t.text,
                ),
            ])
        }
        None => Line::styled(format!("{addr}: not in any watched inventory"), t.muted),
    })
}

fn question_lines(pane: &RunbookSession, ui: &UiState) -> Vec<Line<'static>> {
    let t = &ui.theme;
    let keys = |k: &str| Line::styled(k.to_string(), t.key);
    let text = |s: &str, style: Style| -> Vec<Line<'static>> {
        s.lines()
            .map(|l| Line::styled(l.to_string(), style))
            .collect()
    };
    let Some(q) = &pane.question else {
        return match &pane.outcome {
            None => vec![Line::styled("working…", t.muted)],
            Some(result) => {
                let (what, sev) = match result {
                    Ok(o) if o.resume_step().is_none() => (o.describe(), Severity::Ok),
                    Ok(o) => (o.describe(), Severity::Critical),
                    Err(e) => (e.clone(), Severity::Critical),
                };
                let mut out = vec![Line::styled(format!("outcome: {what}"), t.severity(sev))];
                out.push(match &pane.report {
                    Some(Ok(p)) => Line::styled(format!("report: {}", p.display()), t.text),
                    _ => keys("w writes the incident report · Esc goes back"),
                });
                out
            }
        };
    };
    let mut out = Vec::new();
    match q {
        Question::Confirm {
            what, plan, undo, ..
        } => {
            let verb = if *undo { "Undo" } else { "Apply" };
            out.push(Line::styled(format!("{verb}: {what}?"), t.title));
            out.extend(text(plan, t.text));
            out.push(keys("y apply · n decline · x abort the run"));
        }
        Question::Input {
            prompt,
            choices,
            error,
            ..
        } => {
            out.push(Line::styled(prompt.clone(), t.title));
            if let Some(e) = error {
                out.push(Line::styled(e.clone(), t.severity(Severity::Warning)));
            }
            if !choices.is_empty() {
                out.push(Line::styled(
                    format!("one of: {}", choices.join(", ")),
                    t.muted,
                ));
            }
            out.push(Line::styled(format!("> {}_", pane.input), t.accent));
            out.push(keys("Enter gives it · Esc leaves it waiting"));
        }
        Question::Ack { text: note, .. } => {
            out.extend(text(note, t.text));
            out.push(keys("y or Enter continues · x aborts the run"));
        }
        Question::Halted { step, reason } => {
            out.push(Line::styled(
                format!("step {step} failed: {reason}"),
                t.severity(Severity::Critical),
            ));
            out.push(keys("r retry · s skip · x abort the run"));
        }
    }
    out
}

fn timeline(area: Rect, buf: &mut Buffer, ui: &UiState, pane: &RunbookSession) {
    let title = format!("Timeline · run {}", pane.run_id);
    let block = pane_block(&ui.theme, &title, None, false);
    let inner = block.inner(area);
    block.render(area, buf);
    let shown = inner.height as usize;
    let skip = pane.lines.len().saturating_sub(shown);
    let lines: Vec<Line> = pane.lines[skip..]
        .iter()
        .map(|l| {
            let style = if l.starts_with("==>") {
                ui.theme.title
            } else if l.contains("failed") {
                ui.theme.severity(Severity::Critical)
            } else {
                ui.theme.text
            };
            Line::styled(l.clone(), style)
        })
        .collect();
    Paragraph::new(lines).render(inner, buf);
}
