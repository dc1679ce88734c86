//! A Swarm service (`docker service inspect`) and its tasks (`docker
//! service ps`), described: the tasks' state changes are its events, as
//! `docker service ps` is where one looks for why a replica will not run.

use super::words::{items, nanos, or_dash, pairs, text};
use super::{Description, Lines, Section, CONTAINERS, EVENTS, LABELS, STATUS};
use serde_json::Value;

/// Tasks shown, newest first.
const TASK_LIMIT: usize = 20;

pub fn describe(target: &str, service: &Value, tasks: &[Value]) -> Description {
    let spec = &service["Spec"];
    Description {
        title: format!("Swarm service {target}/{}", or_dash(&spec["Name"])),
        sections: vec![
            status(service, tasks),
            events(tasks),
            container(spec),
            labels(spec),
        ],
    }
}

fn running(tasks: &[Value]) -> usize {
    tasks
        .iter()
        .filter(|t| t["DesiredState"] == "running" && t["Status"]["State"] == "running")
        .count()
}

fn status(s: &Value, tasks: &[Value]) -> Section {
    let mut l = Lines::default();
    let mode = &s["Spec"]["Mode"];
    let up = running(tasks);
    match mode["Replicated"]["Replicas"].as_i64() {
        Some(want) => l.push(
            0,
            "Replicas",
            format!("{up} running of {want}"),
            (up as i64) < want,
        ),
        None if mode.get("Global").is_some() => {
            l.add(0, "Mode", format!("global, {up} running"));
        }
        None => l.add(0, "Mode", or_dash(mode)),
    }
    let update = &s["UpdateStatus"];
    if let Some(state) = text(&update["State"]) {
        let bad = state.contains("rollback") || state == "paused";
        let msg = text(&update["Message"])
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        l.push(0, "Update", format!("{state}{msg}"), bad);
    }
    l.some(0, "Created", text(&s["CreatedAt"]));
    l.some(0, "Updated", text(&s["UpdatedAt"]));
    let ports: Vec<String> = items(&s["Endpoint"]["Ports"])
        .iter()
        .map(|p| {
            format!(
                "{}:{}→{}/{}",
                text(&p["PublishMode"]).unwrap_or_else(|| "ingress".into()),
                or_dash(&p["PublishedPort"]),
                or_dash(&p["TargetPort"]),
                text(&p["Protocol"]).unwrap_or_else(|| "tcp".into())
            )
        })
        .collect();
    if !ports.is_empty() {
        l.add(0, "Ports", ports.join(", "));
    }
    l.section(STATUS, "(no status)")
}

fn events(tasks: &[Value]) -> Section {
    let mut sorted: Vec<&Value> = tasks.iter().collect();
    sorted.sort_by_key(|t| std::cmp::Reverse(text(&t["Status"]["Timestamp"]).unwrap_or_default()));
    let mut l = Lines::default();
    for t in sorted.iter().take(TASK_LIMIT) {
        let st = &t["Status"];
        let state = or_dash(&st["State"]);
        let desired = or_dash(&t["DesiredState"]);
        let err = text(&st["Err"]);
        let exit = st["ContainerStatus"]["ExitCode"]
            .as_i64()
            .filter(|c| *c != 0);
        let mut what = format!(
            "task {} slot {} on {}: {state} (desired {desired})",
            or_dash(&t["ID"]).chars().take(12).collect::<String>(),
            text(&t["Slot"]).unwrap_or_else(|| "-".into()),
            text(&t["NodeID"])
                .map(|n| n.chars().take(12).collect::<String>())
                .unwrap_or_else(|| "-".into()),
        );
        if let Some(code) = exit {
            what.push_str(&format!(", exit {code}"));
        }
        let message = text(&st["Message"]).filter(|m| *m != state);
        if let Some(m) = err.clone().or(message) {
            what.push_str(&format!(": {m}"));
        }
        let bad =
            err.is_some() || exit.is_some() || matches!(state.as_str(), "failed" | "rejected");
        l.push(0, or_dash(&st["Timestamp"]), what, bad);
    }
    l.section(EVENTS, "(no tasks)")
}

fn container(spec: &Value) -> Section {
    let mut l = Lines::default();
    let task = &spec["TaskTemplate"];
    let c = &task["ContainerSpec"];
    l.add(0, "Image", or_dash(&c["Image"]));
    let cmd: Vec<String> = items(&c["Command"])
        .iter()
        .chain(items(&c["Args"]))
        .filter_map(text)
        .collect();
    if !cmd.is_empty() {
        l.add(0, "Command", cmd.join(" "));
    }
    let res = &task["Resources"];
    for (key, field) in [("Limits", "Limits"), ("Reservations", "Reservations")] {
        let mut parts = Vec::new();
        if let Some(n) = res[field]["NanoCPUs"].as_i64().filter(|n| *n > 0) {
            parts.push(format!("cpu={}", n as f64 / 1e9));
        }
        if let Some(m) = res[field]["MemoryBytes"].as_i64().filter(|m| *m > 0) {
            parts.push(format!("memory={}", crate::base::units::bytes(m as f64)));
        }
        if !parts.is_empty() {
            l.add(0, key, parts.join(", "));
        }
    }
    let hc = &c["Healthcheck"];
    if let Some(test) = hc.get("Test").filter(|t| !t.is_null()) {
        let mut probe: String = items(test)
            .iter()
            .filter_map(text)
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(d) = nanos(&hc["Interval"]) {
            probe.push_str(&format!(" interval={d}"));
        }
        l.add(0, "Health check", probe);
    }
    l.some(
        0,
        "Restart policy",
        text(&task["RestartPolicy"]["Condition"]),
    );
    for m in items(&c["Mounts"]) {
        let ro = if m["ReadOnly"] == true { " (ro)" } else { "" };
        l.add(
            0,
            "Mount",
            format!(
                "{} from {} {}{ro}",
                or_dash(&m["Target"]),
                or_dash(&m["Type"]),
                text(&m["Source"]).unwrap_or_default()
            ),
        );
    }
    for line in items(&c["Env"]).iter().filter_map(text) {
        let (k, v) = line.split_once('=').unwrap_or((&line, ""));
        l.add(0, format!("Env {k}"), v.to_string());
    }
    l.section(CONTAINERS, "(no container spec)")
}

fn labels(spec: &Value) -> Section {
    let mut l = Lines::default();
    for (k, v) in pairs(&spec["Labels"]) {
        l.add(0, format!("label {k}"), v);
    }
    for (k, v) in pairs(&spec["TaskTemplate"]["ContainerSpec"]["Labels"]) {
        l.add(0, format!("container label {k}"), v);
    }
    l.section(LABELS, "(none)")
}
