//! The alerts view's other lists: each Alertmanager's silences (what they
//! match, how long they have left, how many alerts they mute now) and each
//! Prometheus's own alerting rules (state, health, last error, runbook).

use super::alerts::state_tone;
use super::list_frame::{self, ListFrame};
use crate::alert::AlertState;
use crate::alertmanager::matcher::list;
use crate::base::units::span;
use crate::console::{Model, SilenceRow};
use crate::model::Severity;
use crate::prometheus::PromRuleRow;
use crate::ui::lists;
use crate::ui::state::UiState;
use crate::ui::widgets::{Cell, Column, Tone};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

const SILENCE_COLUMNS: [Column; 8] = [
    Column::left("STATE", 7, 8, 9),
    Column::left("ID", 8, 36, 6),
    Column::left("MATCHERS", 16, 60, 10),
    Column::right("LEFT", 5, 7, 8),
    Column::right("MUTES", 5, 5, 7),
    Column::left("BY", 6, 20, 4),
    Column::left("COMMENT", 8, 40, 5),
    Column::left("SOURCE", 6, 12, 3),
];

const RULE_COLUMNS: [Column; 7] = [
    Column::left("SEVERITY", 8, 8, 8),
    Column::left("STATE", 8, 8, 9),
    Column::left("RULE", 10, 28, 10),
    Column::left("HEALTH", 6, 80, 7),
    Column::right("FOR", 3, 6, 4),
    Column::left("SOURCE", 6, 12, 5),
    Column::left("RUNBOOK", 7, 24, 6),
];

pub fn silences(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    let rows = lists::silences(model, ui);
    let keys: Vec<String> = rows.iter().map(lists::silence_key).collect();
    let empty = if model.alerts.silences.is_empty() {
        "no Alertmanager has reported silences"
    } else if ui.tables.silences.filter.is_empty() {
        "no active or pending silence"
    } else {
        "no silence matches the filter"
    };
    list_frame::draw(
        area,
        buf,
        ui,
        ListFrame {
            title: "Silences",
            columns: &SILENCE_COLUMNS,
            rows: rows
                .iter()
                .map(|r| silence_row(r, model.now))
                .collect::<Vec<_>>()
                .into(),
            selected: ui.tables.silences.index(&keys),
            empty,
        },
    );
}

fn silence_row(r: &SilenceRow, now: i64) -> Vec<Cell> {
    let s = &r.silence;
    let tone = match s.state.as_str() {
        "active" => Tone::Plain,
        "pending" => Tone::Sev(Severity::Warning),
        _ => Tone::Muted,
    };
    let left = if s.state == "expired" {
        "-".to_string()
    } else {
        span((s.ends_at as i64 - now).max(0))
    };
    vec![
        Cell::new(s.state.clone(), tone),
        Cell::muted(s.id.clone()),
        Cell::new(list(&s.matchers), tone),
        Cell::muted(left),
        if r.muting > 0 {
            Cell::plain(r.muting.to_string())
        } else {
            Cell::muted("0")
        },
        Cell::muted(s.created_by.clone()),
        Cell::new(s.comment.clone(), tone),
        Cell::muted(r.source.clone()),
    ]
}

pub fn rules(area: Rect, buf: &mut Buffer, model: &Model, ui: &UiState) {
    let rows = lists::prom_rules(model, ui);
    let keys: Vec<String> = rows.iter().map(lists::rule_key).collect();
    let empty = if model.alerts.prom_rules.is_empty() {
        "no Prometheus has reported alerting rules"
    } else {
        "no rule matches the filter"
    };
    list_frame::draw(
        area,
        buf,
        ui,
        ListFrame {
            title: "Prometheus rules",
            columns: &RULE_COLUMNS,
            rows: rows.iter().map(rule_row).collect::<Vec<_>>().into(),
            selected: ui.tables.rules.index(&keys),
            empty,
        },
    );
}

fn rule_row(r: &PromRuleRow) -> Vec<Cell> {
    let state = match r.state.as_str() {
        "firing" => AlertState::Firing,
        "pending" => AlertState::Pending,
        _ => AlertState::Inactive,
    };
    let tone = state_tone(state, r.severity);
    let health = match (&r.last_error, r.health.as_str()) {
        (Some(e), _) => Cell::sev(format!("{}: {e}", r.health), Severity::Warning),
        (None, "ok") => Cell::muted("ok"),
        (None, h) => Cell::sev(h.to_string(), Severity::Warning),
    };
    vec![
        if state == AlertState::Inactive {
            Cell::muted(r.severity.as_str())
        } else {
            Cell::sev(r.severity.as_str(), r.severity)
        },
        Cell::new(r.state.clone(), tone),
        Cell::new(r.name.clone(), tone),
        health,
        Cell::muted(if r.for_secs > 0.0 {
            span(r.for_secs as i64)
        } else {
            "-".into()
        }),
        Cell::muted(r.source.clone()),
        match &r.runbook_id {
            Some(id) => Cell::plain(id.clone()),
            None => Cell::muted("-"),
        },
    ]
}
