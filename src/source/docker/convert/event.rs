//! Engine events: the few an on-call cares about become `EngineEvent`s, and
//! every container event says what the collector must do about its inventory.

use super::instance::{container_name, workload_of};
use crate::model::EngineEvent;
use bollard::models::{EventMessage, EventMessageTypeEnum};
use std::collections::HashMap;

/// Container actions the collector subscribes to. Health checks also emit
/// `exec_create`/`exec_start`/`exec_die` every interval; those are left out.
pub const WATCHED_ACTIONS: &[&str] = &[
    "create",
    "start",
    "restart",
    "die",
    "stop",
    "kill",
    "oom",
    "pause",
    "unpause",
    "rename",
    "update",
    "destroy",
    "health_status",
];

/// Actions shown in the events pane.
const REPORTED: &[&str] = &["die", "oom", "health_status", "start", "stop", "kill"];

/// What a container event means for the collector's inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Inspect it again: it appeared, changed state, health or name.
    Reinspect(String),
    /// It is gone.
    Forget(String),
}

fn is_container(e: &EventMessage) -> bool {
    matches!(e.typ, Some(EventMessageTypeEnum::CONTAINER))
}

/// 20.10 spells health events `health_status: healthy`; newer engines too,
/// so the verdict is split off the action.
fn action_and_verdict(e: &EventMessage) -> (&str, Option<&str>) {
    let action = e.action.as_deref().unwrap_or_default();
    match action.split_once(':') {
        Some((a, rest)) if a == "health_status" => (a, Some(rest.trim())),
        _ => (action, None),
    }
}

pub fn change(e: &EventMessage) -> Option<Change> {
    if !is_container(e) {
        return None;
    }
    let id = e.actor.as_ref()?.id.clone()?;
    let (action, _) = action_and_verdict(e);
    match action {
        "destroy" => Some(Change::Forget(id)),
        a if WATCHED_ACTIONS.contains(&a) => Some(Change::Reinspect(id)),
        _ => None,
    }
}

/// The event as the events pane shows it, for the actions worth showing.
pub fn engine_event(target: &str, e: &EventMessage) -> Option<EngineEvent> {
    if !is_container(e) {
        return None;
    }
    let (action, verdict) = action_and_verdict(e);
    if !REPORTED.contains(&action) {
        return None;
    }
    let actor = e.actor.as_ref();
    let empty = HashMap::new();
    let attrs = actor.and_then(|a| a.attributes.as_ref()).unwrap_or(&empty);
    let attr = |k: &str| attrs.get(k).cloned().unwrap_or_default();
    let name = container_name(&attr("name"));
    let detail = match action {
        "die" => attr("exitCode"),
        "kill" => attr("signal"),
        "health_status" => verdict.unwrap_or_default().to_string(),
        _ => String::new(),
    };
    // Container events carry the container's labels as attributes.
    let workload = (!name.is_empty()).then(|| workload_of(target, &name, attrs).0);
    let at_nanos = e
        .time_nano
        .or_else(|| e.time.map(|s| s.saturating_mul(1_000_000_000)))
        .unwrap_or(0);
    Some(EngineEvent {
        at_nanos,
        target: target.to_string(),
        action: action.to_string(),
        instance: if name.is_empty() {
            actor.and_then(|a| a.id.clone()).unwrap_or_default()
        } else {
            name
        },
        warning: action == "oom"
            || (action == "die" && detail != "0")
            || (action == "health_status" && detail == "unhealthy"),
        workload,
        detail,
    })
}
