//! Draws a whole frame from the Model. Pure: no I/O, no clock, no awaiting.

use super::state::{Mode, UiState, View};
use super::views::{
    action_dialog, alerts, chrome, containers, database, events, help, history, load, logs,
    metrics, overview, pod_containers, runbook, targets, workloads,
};
use crate::console::Model;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

pub fn render(frame: &mut Frame, model: &Model, ui: &UiState) {
    draw(frame.area(), frame.buffer_mut(), model, ui);
}

pub fn draw(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    buf.set_style(area, ui.theme.text);
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    chrome::header(head, buf, model, ui);
    match ui.view {
        View::Overview => overview::render(body, buf, model, ui),
        View::Workloads => workloads::render(body, buf, model, ui),
        View::Containers => containers::render(body, buf, model, ui),
        View::Events => events::render(body, buf, model, ui),
        View::Alerts => alerts::render(body, buf, model, ui),
        View::Metrics => metrics::render(body, buf, model, ui),
        View::Database => database::render(body, buf, model, ui),
        View::Logs => logs::render(body, buf, ui),
        View::Runbook => runbook::render(body, buf, model, ui),
        View::Load => load::render(body, buf, model, ui),
    }
    chrome::footer(foot, buf, ui);
    if let Some(pane) = &ui.history {
        history::render(body, buf, ui, pane, model.now);
    }
    if let Some(pod) = ui
        .pod_containers
        .as_deref()
        .filter(|_| ui.view == View::Containers)
    {
        pod_containers::render(body, buf, model, ui, pod);
    }
    if let Some(flow) = ui.action.as_ref().filter(|f| f.is_modal()) {
        action_dialog::render(body, buf, ui, flow);
    }
    if ui.mode == Mode::Help {
        help::render(body, buf, ui);
    }
    if ui.mode == Mode::Targets {
        targets::render(body, buf, model, ui);
    }
    if ui.theme.caps.ascii {
        super::ascii::fold_buffer(buf);
    }
}
