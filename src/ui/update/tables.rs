//! Keys of the table views: moving the selection, filtering, opening a
//! workload's containers, and handing logs and actions the selected row.

use super::{actions, logs, objects, Command};
use crate::console::Model;
use crate::model::Severity;
use crate::ui::keymap::Intent;
use crate::ui::lists;
use crate::ui::state::{AlertsList, Mode, UiState, View};

/// Enter on an alert starts its runbook with the alert's labels bound to the
/// runbook's `from_alert` params.
fn open_alert(model: &Model, ui: &mut UiState) -> Vec<Command> {
    let rows = lists::alerts(model, ui);
    let keys: Vec<String> = rows.iter().map(lists::alert_key).collect();
    let Some(r) = rows.get(ui.tables.alerts.index(&keys)) else {
        return Vec::new();
    };
    let acked = r
        .ack
        .as_ref()
        .map(|a| format!("; {}", a.describe()))
        .unwrap_or_default();
    match &r.runbook_id {
        Some(id) => {
            let mut labels = r.alert.labels.clone();
            labels
                .entry("alertname".into())
                .or_insert_with(|| r.alert.rule.clone());
            let alert = crate::runbook::timeline::FiredAlert {
                name: r.alert.rule.clone(),
                severity: r.alert.severity.as_str().to_string(),
                series: r.alert.series.clone(),
                value: r.alert.value,
                threshold: r.alert.threshold,
                since: r.alert.started(),
            };
            let run = crate::ui::state::PendingRun {
                id: id.clone(),
                params: Default::default(),
                labels,
                alert: Some(alert),
            };
            let out = super::runbook::start(model, ui, run);
            if let Some((text, _)) = ui.message.as_mut() {
                text.push_str(&acked);
            }
            out
        }
        None => {
            ui.message = Some((
                format!("{}: no local runbook is linked{acked}", r.alert.rule),
                Severity::Warning,
            ));
            Vec::new()
        }
    }
}

pub fn key(model: &Model, ui: &mut UiState, action: Intent) -> Vec<Command> {
    let view = ui.view;
    if view == View::Database {
        if let Some(out) = super::database::key(model, ui, action) {
            return out;
        }
    }
    match action {
        Intent::Up
        | Intent::Down
        | Intent::PageUp
        | Intent::PageDown
        | Intent::Top
        | Intent::Bottom => {
            let keys = lists::keys(model, ui, view);
            if let Some(t) = ui.table_mut(view) {
                let page = t.page_size();
                let delta = match action {
                    Intent::Up => -1,
                    Intent::Down => 1,
                    Intent::PageUp => -page,
                    Intent::PageDown => page,
                    Intent::Top => isize::MIN / 2,
                    _ => isize::MAX / 2,
                };
                t.step(&keys, delta);
            }
            Vec::new()
        }
        Intent::Filter => {
            ui.mode = Mode::Filter(ui.current_filter().to_string());
            Vec::new()
        }
        Intent::Open if view == View::Workloads => {
            if let Some(w) = lists::selected_workload(model, ui) {
                ui.tables.containers_of = Some(w.addr.clone());
                ui.tables.containers.selected = None;
                ui.view = View::Containers;
            }
            Vec::new()
        }
        Intent::Open if view == View::Containers => {
            if let Some(i) = lists::selected_container(model, ui).filter(|i| i.pod.is_some()) {
                ui.pod_containers = Some(lists::container_key(i));
            }
            Vec::new()
        }
        Intent::Open if view == View::Alerts && ui.tables.alerts_list == AlertsList::Alerts => {
            open_alert(model, ui)
        }
        Intent::NextList | Intent::Silence | Intent::Expire | Intent::Acknowledge => {
            super::alerts::key(model, ui, action)
        }
        Intent::Logs => logs::open(model, ui),
        Intent::Shell => super::shell::open(model, ui, Vec::new()),
        Intent::Scale
        | Intent::Restart
        | Intent::Rollback
        | Intent::CancelQuery
        | Intent::Terminate => actions::start(model, ui, action),
        Intent::History => actions::history(model, ui),
        Intent::WorkloadEvents => actions::events_of(model, ui),
        Intent::Describe | Intent::Raw => objects::read(model, ui, action == Intent::Raw),
        Intent::KillContainer | Intent::StopStart | Intent::DeletePod => {
            objects::act(model, ui, action)
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{keys, setup};
    use crate::ui::lists;
    use crate::ui::state::View;

    #[test]
    fn enter_on_a_workload_lists_its_containers_and_esc_returns() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "2");
        let api = lists::workloads(&m, &ui)
            .iter()
            .position(|w| w.addr.to_string() == "local/shop/api")
            .unwrap();
        keys(&mut m, &mut ui, &"j".repeat(api));
        keys(&mut m, &mut ui, "\n");
        assert_eq!(ui.view, View::Containers);
        let shown = lists::containers(&m, &ui);
        assert_eq!(shown.len(), 3);
        assert!(shown
            .iter()
            .all(|i| i.workload.to_string() == "local/shop/api"));
        keys(&mut m, &mut ui, "\x1b");
        assert_eq!(ui.view, View::Workloads);
        assert_eq!(ui.tables.containers_of, None);
    }

    #[test]
    fn enter_on_an_alert_starts_its_runbook_and_a_tick_evaluates_rules() {
        let (mut m, mut ui) = setup();
        let mut rule = crate::alert::RuleSpec::named("SiteDown");
        rule.metric = Some(crate::alert::MetricPatterns::one("probe:site:up"));
        rule.op = Some(crate::alert::Op::Lt);
        rule.threshold = Some(1.0);
        rule.runbook = Some("site-down".into());
        m.alerts = crate::console::Alerts::new(vec![rule.validate().unwrap()], vec![]);
        m.store.record("probe:site:up", m.now, 0.0);
        assert!(
            lists::alerts(&m, &ui).is_empty(),
            "not evaluated before a tick"
        );
        let now = m.now;
        super::super::update(&mut m, &mut ui, super::super::UiEvent::Tick(now + 1));
        let out = keys(&mut m, &mut ui, "5\n");
        assert_eq!(ui.view, View::Alerts);
        match &out[..] {
            [super::Command::StartRunbook { id, labels, .. }] => {
                assert_eq!(id, "site-down");
                assert_eq!(labels["alertname"], "SiteDown");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn selection_is_bounded_and_filter_narrows_rows() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "3");
        let n = lists::containers(&m, &ui).len();
        keys(&mut m, &mut ui, &"j".repeat(n + 3));
        let keys_now = lists::keys(&m, &ui, View::Containers);
        assert_eq!(ui.tables.containers.index(&keys_now), n - 1);
        keys(&mut m, &mut ui, "/worker\n");
        assert_eq!(lists::containers(&m, &ui).len(), 1);
        keys(&mut m, &mut ui, "/\x1b");
        assert_eq!(lists::containers(&m, &ui).len(), n);
    }
}
