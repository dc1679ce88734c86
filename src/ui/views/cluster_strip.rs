//! Under the workloads list, one line per Kubernetes target: how many nodes
//! are ready, which are not or are under pressure, how busy the cluster is;
//! then what the target could not read (metrics.k8s.io, a denied list).

use crate::console::Model;
use crate::model::{Inventory, NodeInfo};
use crate::ui::state::UiState;
use crate::ui::widgets::pane_block;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The lines to show, so the caller can size the strip; empty for no Kubernetes target.
pub fn lines(model: &Model, ui: &UiState) -> Vec<Line<'static>> {
    let t = &ui.theme;
    let mut out = Vec::new();
    for (target, inv) in &model.inventories {
        if ui.tables.context.as_ref().is_some_and(|c| c != target) {
            continue;
        }
        if !inv.nodes.is_empty() {
            out.push(nodes_line(target, inv, ui));
        }
        for note in &inv.notes {
            out.push(Line::from(vec![
                Span::styled(format!("{target}  "), t.muted),
                Span::styled(note.clone(), t.warning),
            ]));
        }
    }
    out
}

fn nodes_line(target: &str, inv: &Inventory, ui: &UiState) -> Line<'static> {
    let t = &ui.theme;
    let ready = inv.nodes.iter().filter(|n| n.ready).count();
    let mut spans = vec![
        Span::styled(format!("{target}  "), t.muted),
        Span::raw(format!("nodes {ready}/{} ready", inv.nodes.len())),
    ];
    if let Some(busy) = busy(&inv.nodes) {
        spans.push(Span::raw(busy));
    }
    for n in &inv.nodes {
        let mut trouble: Vec<String> = n.pressure.clone();
        if !n.ready {
            trouble.insert(0, "NotReady".into());
        }
        if n.unschedulable {
            trouble.push("SchedulingDisabled".into());
        }
        if !trouble.is_empty() {
            let style = if n.ready { t.warning } else { t.critical };
            spans.push(Span::raw("  "));
            spans.push(Span::styled(
                format!("{} {}", n.name, trouble.join(",")),
                style,
            ));
        }
    }
    Line::from(spans)
}

/// `· cpu 12% mem 30% of allocatable`, when metrics.k8s.io reports node usage.
fn busy(nodes: &[NodeInfo]) -> Option<String> {
    let (mut cpu, mut mem, mut cpu_all, mut mem_all) = (0u64, 0u64, 0u64, 0u64);
    for n in nodes {
        let u = n.usage?;
        cpu += u.cpu_millis;
        mem += u.mem_bytes;
        cpu_all += n.allocatable.cpu_millis;
        mem_all += n.allocatable.mem_bytes;
    }
    (cpu_all > 0 && mem_all > 0).then(|| {
        format!(
            " · cpu {:.0}% mem {:.0}% of allocatable",
            cpu as f64 * 100.0 / cpu_all as f64,
            mem as f64 * 100.0 / mem_all as f64
        )
    })
}

pub fn render(area: Rect, buf: &mut Buffer, ui: &UiState, lines: Vec<Line<'static>>) {
    let block = pane_block(&ui.theme, "Clusters", None, false);
    let inner = block.inner(area);
    block.render(area, buf);
    Paragraph::new(lines).render(inner, buf);
}
