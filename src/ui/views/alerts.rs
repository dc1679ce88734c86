//! Every alert, opsdeck's own and each Prometheus's: worst and oldest first,
//! with its value against the threshold, its age, labels, source and runbook;
//! acknowledged ones marked and muted until they change state. Tab shows the
//! silences or the Prometheus rules instead (`alert_lists`).

use super::list_frame::{self, ListFrame};
use crate::alert::AlertState;
use crate::base::units::span;
use crate::console::{AlertRow, Model};
use crate::model::Severity;
use crate::ui::lists;
use crate::ui::state::{AlertsList, UiState};
use crate::ui::widgets::{Cell, Column, Rows, Tone};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

const COLUMNS: [Column; 9] = [
    Column::left("SEVERITY", 8, 8, 9),
    Column::left("STATE", 8, 9, 8),
    Column::left("ACK", 3, 3, 6),
    Column::left("ALERT", 10, 28, 10),
    Column::left("VALUE", 8, 24, 7),
    Column::right("AGE", 5, 7, 6),
    Column::left("LABELS", 10, 72, 3),
    Column::left("SOURCE", 7, 12, 4),
    Column::left("RUNBOOK", 8, 24, 5),
];

pub fn render(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    match ui.tables.alerts_list {
        AlertsList::Alerts => {}
        AlertsList::Silences => return super::alert_lists::silences(area, buf, model, ui),
        AlertsList::Rules => return super::alert_lists::rules(area, buf, model, ui),
    }
    let rows = lists::alerts(model, ui);
    let keys: Vec<String> = rows.iter().map(lists::alert_key).collect();
    let empty = if model.alerts.engine.rules().is_empty() && model.alerts.external.is_empty() {
        "no alert rules and no Prometheus alerts"
    } else if ui.tables.alerts.filter.is_empty() {
        "all clear: no alert is pending or firing"
    } else {
        "no alert matches the filter"
    };
    list_frame::draw(
        area,
        buf,
        ui,
        ListFrame {
            title: "Alerts",
            columns: &COLUMNS,
            rows: Rows::lazy(rows.len(), |n| row(&rows[n], model.now)),
            selected: ui.tables.alerts.index(&keys),
            empty,
        },
    );
}

/// Firing alerts in their severity's colour; states that need a look but no
/// action yet (pending, error, no-data) as warnings; resolved ones as good.
pub fn state_tone(state: AlertState, severity: Severity) -> Tone {
    match state {
        AlertState::Firing => Tone::Sev(severity),
        AlertState::Pending | AlertState::Error | AlertState::NoData => {
            Tone::Sev(Severity::Warning)
        }
        AlertState::Resolved => Tone::Good,
        AlertState::Inactive => Tone::Muted,
    }
}

fn row(r: &AlertRow, now: i64) -> Vec<Cell> {
    let a = &r.alert;
    // A silenced or acknowledged alert is in hand: it stays listed, quietly.
    let (mut state, tone) = if r.muted() {
        ("silenced".to_string(), Tone::Muted)
    } else if r.acked() {
        (a.state.as_str().to_string(), Tone::Muted)
    } else {
        (
            a.state.as_str().to_string(),
            state_tone(a.state, a.severity),
        )
    };
    if a.flapping {
        state.push('~');
    }
    let age = (now as f64 - a.started()).max(0.0) as i64;
    vec![
        if r.muted() || r.acked() {
            Cell::muted(a.severity.as_str())
        } else {
            Cell::sev(a.severity.as_str(), a.severity)
        },
        Cell::new(state, tone),
        if r.acked() {
            Cell::plain("ack")
        } else {
            Cell::muted("")
        },
        Cell::new(a.rule.clone(), tone),
        Cell::new(r.value_text(), tone),
        Cell::muted(span(age)),
        Cell::plain(what(r)),
        Cell::muted(r.source.clone()),
        match &r.runbook_id {
            Some(id) => Cell::plain(id.clone()),
            None => Cell::muted("-"),
        },
    ]
}

/// What the alert is about: the series name of a metric rule followed by any
/// label it does not already say (the rule's own), or a PromQL result's labels.
fn what(r: &AlertRow) -> String {
    let a = &r.alert;
    match a.labels.get("series") {
        Some(series) => {
            let derived = crate::alert::series_labels(series);
            let extra: std::collections::BTreeMap<String, String> = a
                .labels
                .iter()
                .filter(|(k, v)| derived.get(*k) != Some(*v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let extra = crate::model::labels_text(&extra);
            if extra.is_empty() {
                series.clone()
            } else {
                format!("{series} {extra}")
            }
        }
        None => crate::model::labels_text(&a.labels),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tones_follow_state_then_severity() {
        assert_eq!(
            state_tone(AlertState::Firing, Severity::Critical),
            Tone::Sev(Severity::Critical)
        );
        assert_eq!(
            state_tone(AlertState::Pending, Severity::Critical),
            Tone::Sev(Severity::Warning)
        );
        assert_eq!(
            state_tone(AlertState::Resolved, Severity::Critical),
            Tone::Good
        );
    }
}
