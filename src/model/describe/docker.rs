//! A Docker container, from the engine's inspect (JSON as the API names
//! it: `State`, `Config`, `HostConfig`) and its events, described.

use super::words::{items, nanos, or_dash, pairs, text};
use super::{Description, Lines, Section, CONTAINERS, EVENTS, LABELS, STATUS};
use serde_json::Value;

/// One engine event about the container (`docker events`), as the fetch
/// reads it: unix seconds, the action (`die`, `health_status: unhealthy`),
/// and the attributes worth showing (`exitCode`, `signal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerEvent {
    pub time: String,
    pub action: String,
    pub detail: String,
}

/// What happened to the container is worth a warning colour.
fn is_bad(action: &str) -> bool {
    action.starts_with("die")
        || action.starts_with("kill")
        || action.starts_with("oom")
        || action.contains("unhealthy")
}

pub fn describe(target: &str, inspect: &Value, events: &[ContainerEvent]) -> Description {
    let name = or_dash(&inspect["Name"])
        .trim_start_matches('/')
        .to_string();
    Description {
        title: format!("Container {target}/{name}"),
        sections: vec![
            status(inspect),
            events_section(inspect, events),
            container(inspect),
            labels(inspect),
        ],
    }
}

fn status(c: &Value) -> Section {
    let mut l = Lines::default();
    let st = &c["State"];
    let state = or_dash(&st["Status"]);
    l.push(0, "State", state.clone(), state != "running");
    l.add(
        0,
        "Id",
        or_dash(&c["Id"]).chars().take(12).collect::<String>(),
    );
    l.some(0, "Created", text(&c["Created"]));
    l.some(
        0,
        "Started",
        text(&st["StartedAt"]).filter(|t| !t.starts_with("0001")),
    );
    if state != "running" {
        l.some(
            0,
            "Finished",
            text(&st["FinishedAt"]).filter(|t| !t.starts_with("0001")),
        );
        l.push(
            0,
            "Exit code",
            or_dash(&st["ExitCode"]),
            st["ExitCode"].as_i64() != Some(0),
        );
    }
    if st["OOMKilled"] == true {
        l.bad(0, "OOM killed", "yes: it hit its memory limit");
    }
    l.some(0, "Error", text(&st["Error"]));
    let restarts = c["RestartCount"].as_i64().unwrap_or(0);
    l.push(0, "Restarts", restarts.to_string(), restarts > 0);
    let policy = &c["HostConfig"]["RestartPolicy"];
    l.some(0, "Restart policy", text(&policy["Name"]));
    let labels = &c["Config"]["Labels"];
    if let (Some(p), Some(s)) = (
        text(&labels["com.docker.compose.project"]),
        text(&labels["com.docker.compose.service"]),
    ) {
        l.add(0, "Compose service", format!("{p}/{s}"));
    }
    if let Some(h) = st.get("Health").filter(|h| !h.is_null()) {
        let status = or_dash(&h["Status"]);
        l.push(0, "Health", status.clone(), status != "healthy");
        let streak = h["FailingStreak"].as_i64().unwrap_or(0);
        if streak > 0 {
            l.bad(1, "Failing streak", streak.to_string());
        }
    }
    l.section(STATUS, "(no state)")
}

fn events_section(c: &Value, events: &[ContainerEvent]) -> Section {
    let mut l = Lines::default();
    // The engine sends them oldest first; of one second, the later stays first.
    let mut sorted: Vec<&ContainerEvent> = events.iter().rev().collect();
    sorted.sort_by(|a, b| b.time.cmp(&a.time));
    for e in sorted.iter().take(super::kube::EVENT_LIMIT) {
        let what = format!("{} {}", e.action, e.detail);
        l.push(
            0,
            e.time.clone(),
            what.trim_end().to_string(),
            is_bad(&e.action),
        );
    }
    // The health check's own log: the last few probes and what they printed.
    let log = items(&c["State"]["Health"]["Log"]);
    for h in log.iter().rev() {
        let code = h["ExitCode"].as_i64().unwrap_or(-1);
        let out = text(&h["Output"]).unwrap_or_default();
        let out = out.trim().lines().next().unwrap_or_default().to_string();
        l.push(
            0,
            or_dash(&h["End"]),
            format!("health check: exit {code} {out}")
                .trim_end()
                .to_string(),
            code != 0,
        );
    }
    l.section(EVENTS, "(none in the engine's recent event log)")
}

fn container(c: &Value) -> Section {
    let mut l = Lines::default();
    let (cfg, host) = (&c["Config"], &c["HostConfig"]);
    l.add(0, "Image", or_dash(&cfg["Image"]));
    l.some(
        0,
        "Image id",
        text(&c["Image"]).map(|i| i.trim_start_matches("sha256:").chars().take(12).collect()),
    );
    let cmd: Vec<String> = items(&cfg["Entrypoint"])
        .iter()
        .chain(items(&cfg["Cmd"]))
        .filter_map(text)
        .collect();
    if !cmd.is_empty() {
        l.add(0, "Command", cmd.join(" "));
    }
    let mut limits = Vec::new();
    if let Some(n) = host["NanoCpus"].as_i64().filter(|n| *n > 0) {
        limits.push(format!("cpu={}", n as f64 / 1e9));
    }
    if let Some(m) = host["Memory"].as_i64().filter(|m| *m > 0) {
        limits.push(format!("memory={}", crate::base::units::bytes(m as f64)));
    }
    l.add(
        0,
        "Limits",
        if limits.is_empty() {
            "none".to_string()
        } else {
            limits.join(", ")
        },
    );
    let hc = &cfg["Healthcheck"];
    if let Some(test) = hc.get("Test").filter(|t| !t.is_null()) {
        let words: Vec<String> = items(test).iter().filter_map(text).collect();
        let mut probe = words.join(" ");
        for (k, f) in [
            ("interval", "Interval"),
            ("timeout", "Timeout"),
            ("start", "StartPeriod"),
        ] {
            if let Some(d) = nanos(&hc[f]) {
                probe.push_str(&format!(" {k}={d}"));
            }
        }
        if let Some(r) = hc["Retries"].as_i64() {
            probe.push_str(&format!(" retries={r}"));
        }
        l.add(0, "Health check", probe);
    }
    let ports = c["NetworkSettings"]["Ports"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut ports: Vec<(String, Value)> = ports.into_iter().collect();
    ports.sort_by(|a, b| a.0.cmp(&b.0));
    for (port, bound) in ports {
        let to: Vec<String> = items(&bound)
            .iter()
            .map(|b| format!("{}:{}", or_dash(&b["HostIp"]), or_dash(&b["HostPort"])))
            .collect();
        let to = if to.is_empty() {
            "not published".to_string()
        } else {
            format!("→ {}", to.join(", "))
        };
        l.add(0, format!("Port {port}"), to);
    }
    for m in items(&c["Mounts"]) {
        let rw = if m["RW"] == false { " (ro)" } else { "" };
        let from = text(&m["Name"])
            .or_else(|| text(&m["Source"]))
            .unwrap_or_default();
        l.add(
            0,
            "Mount",
            format!(
                "{} from {} {from}{rw}",
                or_dash(&m["Destination"]),
                or_dash(&m["Type"])
            ),
        );
    }
    for line in items(&cfg["Env"]).iter().filter_map(text) {
        let (k, v) = line.split_once('=').unwrap_or((&line, ""));
        l.add(0, format!("Env {k}"), v.to_string());
    }
    l.section(CONTAINERS, "(no config)")
}

fn labels(c: &Value) -> Section {
    let mut l = Lines::default();
    for (k, v) in pairs(&c["Config"]["Labels"]) {
        l.add(0, format!("label {k}"), v);
    }
    l.section(LABELS, "(none)")
}
