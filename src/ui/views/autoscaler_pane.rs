//! The HorizontalPodAutoscaler of one workload, beside its charts under the
//! pods of that workload: its bounds, current vs desired replicas, each
//! metric's reading against its target and the controller's conditions, as
//! `kubectl describe hpa` gives them. A condition that limits scaling
//! (`ScalingLimited=True`, `AbleToScale=False`, `ScalingActive=False`) is
//! coloured, since it is the reason a workload under load does not grow.

use crate::console::Model;
use crate::model::{Autoscaler, Severity};
use crate::ui::state::UiState;
use crate::ui::widgets::pane_block;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The autoscaler of the workload `w` (its address as text), when it has one.
pub fn of<'m>(model: &'m Model, w: &str) -> Option<&'m Autoscaler> {
    model
        .inventories
        .iter()
        .flat_map(|(_, inv)| &inv.workloads)
        .find(|x| x.addr.to_string() == w)
        .and_then(|x| x.rollout.as_ref())
        .and_then(|r| r.autoscaler.as_ref())
}

pub fn render(area: Rect, buf: &mut Buffer, ui: &UiState, hpa: &Autoscaler) {
    let t = &ui.theme;
    let title = format!("HPA {}", hpa.name);
    let block = pane_block(t, &title, Some(format!("{}–{}", hpa.min, hpa.max)), false);
    let inner = block.inner(area);
    block.render(area, buf);

    let replicas = match (hpa.current, hpa.desired) {
        (Some(c), Some(d)) => format!("{c} now, wants {d}"),
        _ => "not yet reported by the controller".into(),
    };
    let at_max = hpa.current.is_some_and(|c| c >= hpa.max);
    let mut lines = vec![Line::from(vec![
        Span::styled("replicas ", t.muted),
        Span::styled(replicas, if at_max { t.warning } else { t.text }),
        Span::styled(if at_max { " (at max)" } else { "" }, t.warning),
    ])];
    for m in &hpa.metrics {
        let now = m.current.as_deref().unwrap_or("no reading");
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", m.name), t.muted),
            Span::styled(now.to_string(), t.text),
            Span::styled(format!(" / target {}", m.target), t.muted),
        ]));
    }
    for c in &hpa.conditions {
        let style = if limiting(c) {
            t.severity(Severity::Warning)
        } else {
            t.muted
        };
        lines.push(Line::styled(c.clone(), style));
    }
    Paragraph::new(lines).render(inner, buf);
}

/// A condition that keeps the autoscaler from doing what its metrics ask.
fn limiting(condition: &str) -> bool {
    condition.starts_with("ScalingLimited=True")
        || condition.starts_with("AbleToScale=False")
        || condition.starts_with("ScalingActive=False")
}

#[cfg(test)]
mod tests {
    use super::limiting;

    #[test]
    fn conditions_that_hold_scaling_back_are_the_limiting_ones() {
        assert!(limiting("ScalingLimited=True TooManyReplicas"));
        assert!(limiting("AbleToScale=False FailedGetScale"));
        assert!(limiting("ScalingActive=False FailedGetResourceMetric"));
        assert!(!limiting("ScalingLimited=False DesiredWithinRange"));
        assert!(!limiting("AbleToScale=True ReadyForNewScale"));
    }
}
