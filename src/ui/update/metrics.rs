//! Keys and timing of the metrics view: the range selector, and asking for
//! the panels' range queries when they are due (a new range, a new width, or
//! the last answer grown old).

use super::{tables, Command};
use crate::console::panels::PANEL_RANGES;
use crate::console::Model;
use crate::prometheus::step_for;
use crate::ui::keymap::Intent;
use crate::ui::state::{PanelAsk, UiState, View};
use crate::ui::views::metrics::chart_columns;

/// Range answers are asked again at most this often, however fine the step.
const MAX_AGE_SECS: i64 = 60;

pub fn key(model: &Model, ui: &mut UiState, action: Intent) -> Vec<Command> {
    match action {
        Intent::ZoomOut | Intent::ZoomIn => {
            ui.panel_range = match action {
                Intent::ZoomOut => (ui.panel_range + 1).min(PANEL_RANGES.len() - 1),
                _ => ui.panel_range.saturating_sub(1),
            };
            ask_if_due(model, ui)
        }
        _ => tables::key(model, ui, action),
    }
}

/// The range queries, when the metrics view shows panels whose data is missing
/// or older than one chart column (and at most a minute old).
pub fn ask_if_due(model: &Model, ui: &mut UiState) -> Vec<Command> {
    if ui.view != View::Metrics || model.panels.is_empty() {
        return Vec::new();
    }
    let range_secs = PANEL_RANGES[ui.panel_range.min(PANEL_RANGES.len() - 1)];
    let columns = chart_columns(ui.screen_width);
    let step = step_for(range_secs as f64, columns) as i64;
    let refresh = model.refresh.as_secs().max(1) as i64;
    let due = match ui.panels_asked {
        Some(a) if a.range_secs == range_secs && a.columns == columns => {
            model.now - a.at >= step.clamp(refresh, MAX_AGE_SECS)
        }
        _ => true,
    };
    if !due {
        return Vec::new();
    }
    ui.panels_asked = Some(PanelAsk {
        at: model.now,
        range_secs,
        columns,
    });
    // The grid's last column ends at the current step, so successive answers line up.
    let end = model.now.div_euclid(step) * step;
    vec![Command::QueryPanels {
        range_secs,
        step,
        end,
        columns,
    }]
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{keys, setup};
    use super::*;
    use crate::base::units::Unit;
    use crate::console::PanelDef;
    use crate::ui::update::{update, UiEvent};

    fn with_panel(m: &mut Model) {
        m.panels.push(PanelDef {
            title: "p95".into(),
            prometheus: "main".into(),
            query: "up".into(),
            unit: Unit::Seconds,
        });
    }

    #[test]
    fn opening_the_view_asks_once_then_when_due() {
        let (mut m, mut ui) = setup();
        with_panel(&mut m);
        m.now = 1000;
        ui.screen_width = 82;
        let out = keys(&mut m, &mut ui, "6");
        assert_eq!(
            out,
            vec![Command::QueryPanels {
                range_secs: 300,
                step: 4,
                end: 1000,
                columns: 80
            }]
        );
        assert!(update(&mut m, &mut ui, UiEvent::Tick(1001)).is_empty());
        let later = update(&mut m, &mut ui, UiEvent::Tick(1004));
        assert_eq!(later.len(), 1, "a step later the chart has moved on");
    }

    #[test]
    fn range_keys_ask_for_the_new_range_and_stay_in_bounds() {
        let (mut m, mut ui) = setup();
        with_panel(&mut m);
        m.now = 7200;
        keys(&mut m, &mut ui, "6");
        let out = keys(&mut m, &mut ui, "[");
        assert!(matches!(
            out[..],
            [Command::QueryPanels {
                range_secs: 3600,
                ..
            }]
        ));
        keys(&mut m, &mut ui, "[[[[");
        assert_eq!(ui.panel_range, PANEL_RANGES.len() - 1);
        keys(&mut m, &mut ui, "]]]]]]");
        assert_eq!(ui.panel_range, 0);
    }

    #[test]
    fn a_wider_terminal_asks_for_more_points() {
        let (mut m, mut ui) = setup();
        with_panel(&mut m);
        keys(&mut m, &mut ui, "6");
        let out = update(&mut m, &mut ui, UiEvent::Resize(120, 40));
        assert!(matches!(
            out[..],
            [Command::QueryPanels { columns: 58, .. }]
        ));
        assert!(update(&mut m, &mut ui, UiEvent::Resize(120, 50)).is_empty());
    }

    #[test]
    fn no_panels_no_queries() {
        let (mut m, mut ui) = setup();
        assert!(keys(&mut m, &mut ui, "6").is_empty());
    }
}
