//! Which rows each table view shows, in which order, under which key, and how
//! bad each one is. The views draw these rows and `update` moves through the
//! same ones, so what is selected is always what is on screen.

mod database;

pub use database::{
    holder_key, holders, selected_holder, selected_session, session_key, sessions, stale,
};

use super::state::log_view::contains_ignore_case;
use super::state::{AlertsList, UiState, View};
use crate::console::{AlertRow, Model, SilenceRow};
use crate::model::{EngineEvent, Instance, InstanceHealth, Severity, Workload, WorkloadAddr};
use crate::prometheus::PromRuleRow;

/// Red first, so a paged engineer sees the problem without scrolling.
pub fn workloads<'m>(model: &'m Model, ui: &UiState) -> Vec<&'m Workload> {
    let filter = &ui.tables.workloads.filter;
    let mut rows: Vec<&Workload> = model
        .inventories
        .iter()
        .flat_map(|(_, inv)| &inv.workloads)
        .filter(|w| in_scope(ui, &w.addr))
        .filter(|w| {
            filter.is_empty()
                || contains_ignore_case(
                    &format!("{} {} {}", w.addr, w.kind.label(), w.images.join(" ")),
                    filter,
                )
        })
        .collect();
    rows.sort_by_cached_key(|w| {
        (
            std::cmp::Reverse(workload_severity(w, wanted(model, w))),
            w.addr.clone(),
        )
    });
    rows
}

/// How many instances a workload should have ready: what the orchestrator
/// asks for, or (Compose, plain containers, which have no such number) its
/// containers that have not finished cleanly.
pub fn wanted(model: &Model, w: &Workload) -> u32 {
    model
        .inventories
        .iter()
        .find(|(t, _)| *t == w.addr.target)
        .map_or(w.desired.unwrap_or(w.running), |(_, inv)| inv.wanted(w))
}

/// Within the `:ctx` context and the `:ns` namespace, where they are set.
fn in_scope(ui: &UiState, addr: &WorkloadAddr) -> bool {
    ui.tables.context.as_ref().is_none_or(|c| *c == addr.target)
        && ui
            .tables
            .namespace
            .as_ref()
            .is_none_or(|n| *n == addr.group)
}

pub fn workload_key(w: &Workload) -> String {
    w.addr.to_string()
}

/// Containers grouped by workload; only the chosen workload's after Enter.
pub fn containers<'m>(model: &'m Model, ui: &UiState) -> Vec<&'m Instance> {
    let filter = &ui.tables.containers.filter;
    let scope = ui.tables.containers_of.as_ref();
    let mut rows: Vec<&Instance> = model
        .inventories
        .iter()
        .flat_map(|(_, inv)| &inv.instances)
        .filter(|i| scope.is_none_or(|w| i.workload == *w))
        .filter(|i| in_scope(ui, &i.workload))
        .filter(|i| {
            filter.is_empty()
                || contains_ignore_case(
                    &format!("{} {} {} {}", i.name, i.workload, i.image, i.state),
                    filter,
                )
        })
        .collect();
    rows.sort_by(|a, b| {
        a.workload
            .cmp(&b.workload)
            .then_with(|| a.name.cmp(&b.name))
    });
    rows
}

pub fn container_key(i: &Instance) -> String {
    format!("{}/{}", i.workload.target, i.id)
}

/// `container_key(i) == key`, without making the key.
pub fn is_container_key(i: &Instance, key: &str) -> bool {
    key.strip_prefix(i.workload.target.as_str())
        .and_then(|k| k.strip_prefix('/'))
        == Some(i.id.as_str())
}

/// Warnings (crashes, OOM kills, Kubernetes Warning events) first, then the
/// rest; each newest first.
pub fn events<'m>(model: &'m Model, ui: &UiState) -> Vec<&'m EngineEvent> {
    let filter = &ui.tables.events.filter;
    let mut rows: Vec<&EngineEvent> = model
        .events
        .iter()
        .rev()
        .filter(|e| match &e.workload {
            Some(w) => in_scope(ui, w),
            None => ui.tables.context.as_ref().is_none_or(|c| *c == e.target),
        })
        .filter(|e| {
            filter.is_empty()
                || contains_ignore_case(
                    &format!(
                        "{} {} {} {} {}",
                        e.target,
                        e.action,
                        e.instance,
                        e.workload
                            .as_ref()
                            .map(|w| w.to_string())
                            .unwrap_or_default(),
                        e.detail
                    ),
                    filter,
                )
        })
        .collect();
    rows.sort_by_key(|e| !e.warning);
    rows
}

pub fn event_key(e: &EngineEvent) -> String {
    format!("{}/{}/{}/{}", e.at_nanos, e.target, e.instance, e.action)
}

/// Worst and oldest first (`alert::display_order`).
pub fn alerts(model: &Model, ui: &UiState) -> Vec<AlertRow> {
    filtered(model.alerts.rows(), &ui.tables.alerts.filter, |r| {
        let a = &r.alert;
        let state = if r.muted() {
            "silenced"
        } else {
            a.state.as_str()
        };
        format!(
            "{} {} {} {} {}",
            a.rule,
            state,
            a.severity,
            r.source,
            crate::model::labels_text(&a.labels)
        )
    })
}

/// The rows whose text contains the filter, ignoring case.
fn filtered<T>(mut rows: Vec<T>, filter: &str, text: impl Fn(&T) -> String) -> Vec<T> {
    if !filter.is_empty() {
        rows.retain(|r| contains_ignore_case(&text(r), filter));
    }
    rows
}

/// The latency pane's services, filtered by name or source.
pub fn services(model: &Model, ui: &UiState) -> Vec<crate::console::ServiceRow> {
    let filter = &ui.tables.services.filter;
    let mut rows = crate::console::services::rows(model);
    rows.retain(|r| contains_ignore_case(&format!("{} {}", r.name, r.source), filter));
    rows
}

pub fn alert_key(r: &AlertRow) -> String {
    format!("{}/{}/{}", r.source, r.alert.rule, r.alert.series)
}

/// The selected row of the alerts list.
pub fn selected_alert(model: &Model, ui: &UiState) -> Option<AlertRow> {
    let rows = alerts(model, ui);
    let keys: Vec<String> = rows.iter().map(alert_key).collect();
    let i = ui.tables.alerts.index(&keys);
    rows.into_iter().nth(i)
}

/// Every Alertmanager's silences, filtered.
pub fn silences(model: &Model, ui: &UiState) -> Vec<SilenceRow> {
    filtered(
        model.alerts.silence_rows(),
        &ui.tables.silences.filter,
        |r| {
            let s = &r.silence;
            format!(
                "{} {} {} {} {} {}",
                r.source,
                s.id,
                s.state,
                crate::alertmanager::matcher::list(&s.matchers),
                s.created_by,
                s.comment
            )
        },
    )
}

pub fn silence_key(r: &SilenceRow) -> String {
    format!("{}/{}", r.source, r.silence.id)
}

pub fn selected_silence(model: &Model, ui: &UiState) -> Option<SilenceRow> {
    let rows = silences(model, ui);
    let keys: Vec<String> = rows.iter().map(silence_key).collect();
    let i = ui.tables.silences.index(&keys);
    rows.into_iter().nth(i)
}

/// Every Prometheus's alerting rules, filtered.
pub fn prom_rules(model: &Model, ui: &UiState) -> Vec<PromRuleRow> {
    filtered(
        model.alerts.prom_rule_rows(),
        &ui.tables.rules.filter,
        |r| {
            format!(
                "{} {} {} {} {} {}",
                r.source, r.group, r.name, r.state, r.health, r.query
            )
        },
    )
}

pub fn rule_key(r: &PromRuleRow) -> String {
    format!("{}/{}/{}", r.source, r.group, r.name)
}

/// The keys of the rows `view` shows now.
pub fn keys(model: &Model, ui: &UiState, view: View) -> Vec<String> {
    match view {
        View::Workloads => workloads(model, ui).into_iter().map(workload_key).collect(),
        View::Containers => containers(model, ui)
            .into_iter()
            .map(container_key)
            .collect(),
        View::Events => events(model, ui).into_iter().map(event_key).collect(),
        View::Alerts => match ui.tables.alerts_list {
            AlertsList::Alerts => alerts(model, ui).iter().map(alert_key).collect(),
            AlertsList::Silences => silences(model, ui).iter().map(silence_key).collect(),
            AlertsList::Rules => prom_rules(model, ui).iter().map(rule_key).collect(),
        },
        View::Metrics => services(model, ui).into_iter().map(|s| s.name).collect(),
        View::Database => database::keys(model, ui),
        View::Overview | View::Logs | View::Runbook | View::Load => Vec::new(),
    }
}

pub fn selected_workload<'m>(model: &'m Model, ui: &UiState) -> Option<&'m Workload> {
    let rows = workloads(model, ui);
    let keys: Vec<String> = rows.iter().map(|w| workload_key(w)).collect();
    rows.get(ui.tables.workloads.index(&keys)).copied()
}

pub fn selected_container<'m>(model: &'m Model, ui: &UiState) -> Option<&'m Instance> {
    let rows = containers(model, ui);
    let i = ui
        .tables
        .containers
        .index_where(&rows, |i, key| is_container_key(i, key));
    rows.get(i).copied()
}

/// A workload's state given how many it should have ready (`wanted`): none
/// ready is critical, fewer than wanted or running is a warning. Nothing
/// wanted (scaled to zero, a finished job) is fine.
pub fn workload_severity(w: &Workload, wanted: u32) -> Severity {
    // A stalled rollout (ProgressDeadlineExceeded) is an incident even while
    // the old replicas still serve.
    if w.rollout.as_ref().is_some_and(|r| r.problem.is_some()) {
        return Severity::Critical;
    }
    if wanted == 0 && w.running == 0 {
        return Severity::Ok;
    }
    let want = wanted.max(w.running);
    if w.ready == 0 {
        Severity::Critical
    } else if w.ready < want {
        Severity::Warning
    } else {
        Severity::Ok
    }
}

/// How bad an instance's state word is: a crash is critical, a restart loop or
/// a pause a warning; a clean exit is not a problem.
pub fn state_severity(i: &Instance) -> Severity {
    match i.state.as_str() {
        "running" => Severity::Ok,
        "exited" if i.exit_code == Some(0) => Severity::Ok,
        "exited" | "dead" | "oomkilled" => Severity::Critical,
        _ => Severity::Warning,
    }
}

pub fn health_severity(h: Option<InstanceHealth>) -> Severity {
    match h {
        Some(InstanceHealth::Unhealthy) => Severity::Critical,
        Some(InstanceHealth::Starting) => Severity::Warning,
        Some(InstanceHealth::Healthy) | None => Severity::Ok,
    }
}

/// Events that mean something went wrong: an OOM kill, a failed health check,
/// a container dying with a non-zero code (a clean stop also dies, with 0).
pub fn event_severity(e: &EngineEvent) -> Severity {
    let action = e.action.as_str();
    let exit_zero = e
        .detail
        .split(|c: char| !c.is_ascii_digit())
        .rfind(|s| !s.is_empty())
        == Some("0");
    if action == "oom" || action.contains("unhealthy") || e.detail.contains("unhealthy") {
        Severity::Critical
    } else if action == "die" {
        if exit_zero {
            Severity::Warning
        } else {
            Severity::Critical
        }
    } else if action == "kill" || action == "restart" {
        Severity::Warning
    } else {
        Severity::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Usage, WorkloadAddr, WorkloadKind};

    fn w(desired: Option<u32>, running: u32, ready: u32) -> Workload {
        Workload {
            addr: WorkloadAddr::new("t", "g", "n"),
            kind: WorkloadKind::ComposeService,
            desired,
            running,
            ready,
            images: vec![],
            usage: Usage::default(),
            restarts: 0,
            rollout: None,
        }
    }

    #[test]
    fn workload_levels() {
        assert_eq!(workload_severity(&w(None, 0, 0), 1), Severity::Critical);
        assert_eq!(workload_severity(&w(Some(2), 1, 1), 2), Severity::Warning);
        assert_eq!(workload_severity(&w(None, 3, 2), 3), Severity::Warning);
        assert_eq!(workload_severity(&w(None, 3, 2), 2), Severity::Warning);
        assert_eq!(workload_severity(&w(Some(2), 2, 2), 2), Severity::Ok);
        assert_eq!(workload_severity(&w(Some(0), 0, 0), 0), Severity::Ok);
    }
}
