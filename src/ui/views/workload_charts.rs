//! CPU and memory charts of one workload, one above the other: beside a load
//! run, under a runbook's steps and under the pods or containers of a
//! workload. Where the orchestrator states requests and limits (Kubernetes),
//! the title names them and a full-height bar is the limit, so the OOM line
//! and throttling are the top of the chart.

use crate::base::units::{bytes, cpu};
use crate::console::Model;
use crate::model::Resources;
use crate::ui::state::UiState;
use crate::ui::views::host_panes::Ctx;
use crate::ui::widgets::pane_block;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Widget;

pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState, w: &str) {
    let t = &ui.theme;
    let ctx = Ctx { model, ui };
    let (requests, limits) = stated(model, w);
    let [cpu_area, mem_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Fill(1)]).areas(area);

    let cpu_series = format!("workload:{w}:cpu");
    let mut extra = model
        .store
        .latest_by_name(&cpu_series)
        .map(|(_, v)| cpu(v))
        .unwrap_or_default();
    // Percent of one core, as the series holds it: 1000 millicores = 100 %.
    let cpu_top = match (requests.cpu_millis, limits.cpu_millis) {
        (r, l) if l > 0 => {
            extra.push_str(&format!(
                " · req {} · lim {} (top)",
                cpu(r as f64 / 10.0),
                cpu(l as f64 / 10.0)
            ));
            l as f32 / 10.0
        }
        (r, _) if r > 0 => {
            extra.push_str(&format!(" · req {}", cpu(r as f64 / 10.0)));
            100.0
        }
        _ => 100.0,
    };
    let title = format!("CPU {w}");
    let block = pane_block(t, &title, Some(extra), false);
    let inner = block.inner(cpu_area);
    block.render(cpu_area, buf);
    ctx.chart(inner, buf, &cpu_series, cpu_top, t.chart);

    let mem_series = format!("workload:{w}:mem_bytes");
    let mut extra = model
        .store
        .latest_by_name(&mem_series)
        .map(|(_, v)| bytes(v))
        .unwrap_or_default();
    if requests.mem_bytes > 0 {
        extra.push_str(&format!(" · req {}", bytes(requests.mem_bytes as f64)));
    }
    if limits.mem_bytes > 0 {
        extra.push_str(&format!(" · lim {} (top)", bytes(limits.mem_bytes as f64)));
    }
    let title = format!("Memory {w}");
    let block = pane_block(t, &title, Some(extra), false);
    let inner = block.inner(mem_area);
    block.render(mem_area, buf);
    if let Some(values) = ctx.window(&mem_series, inner.width) {
        let top = if limits.mem_bytes > 0 {
            limits.mem_bytes as f32
        } else {
            values
                .iter()
                .copied()
                .filter(|v| !v.is_nan())
                .fold(0.0f32, f32::max)
                * 1.25
        };
        ctx.draw(inner, buf, &values, top, t.chart_alt);
    }
}

/// The workload's summed requests and limits, where its orchestrator states them.
fn stated(model: &Model, w: &str) -> (Resources, Resources) {
    model
        .inventories
        .iter()
        .flat_map(|(_, inv)| &inv.workloads)
        .find(|x| x.addr.to_string() == w)
        .and_then(|x| x.rollout.as_ref())
        .map_or_else(Default::default, |r| (r.requests, r.limits))
}
