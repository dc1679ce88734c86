//! What the nodes report about pods: container logs (current and previous instance) and
//! metrics.k8s.io usage, both derived from the pod so tests can predict them. Containers of
//! an image named `hot` use most of a core (900m and up), so an autoscaler under CPU load can be
//! reached.

use serde_json::{json, Value};

use time::{Duration, OffsetDateTime};

use crate::status::{ApiError, ApiResult};
use crate::store::{now, parse_timestamp};

fn seed(text: &str) -> u64 {
    text.bytes().fold(1469598103934665603u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(1099511628211)
    })
}

fn pod_name(pod: &Value) -> &str {
    pod["metadata"]["name"].as_str().unwrap_or_default()
}

/// Picks the container a log request means, with the API server's errors when it cannot.
pub fn log_container(pod: &Value, requested: Option<&str>) -> ApiResult<(Value, Value)> {
    let containers = pod["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = containers
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let name = match (requested, names.as_slice()) {
        (Some(n), _) => n.to_string(),
        (None, [one]) => one.to_string(),
        (None, _) => {
            return Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {}, choose one of: [{}]",
                pod_name(pod),
                names.join(" ")
            )))
        }
    };
    let spec = containers
        .iter()
        .find(|c| c["name"] == name.as_str())
        .cloned()
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "container {name} is not valid for pod {}",
                pod_name(pod)
            ))
        })?;
    let status = pod["status"]["containerStatuses"]
        .as_array()
        .and_then(|s| s.iter().find(|c| c["name"] == name.as_str()).cloned())
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "container \"{name}\" in pod \"{}\" is waiting to start: ContainerCreating",
                pod_name(pod)
            ))
        })?;
    Ok((spec, status))
}

/// The output of one container instance: its runtime id and its lines with their times.
pub struct InstanceLog {
    pub id: String,
    pub lines: Vec<(OffsetDateTime, String)>,
}

/// Which instance a log request reads, as the kubelet decides: `previous` is the last
/// terminated one; otherwise the running one, else the last terminated one (so a container
/// waiting in CrashLoopBackOff shows the output of the instance that crashed).
pub fn instance_log(
    pod: &Value,
    container: &Value,
    status: &Value,
    previous: bool,
) -> ApiResult<InstanceLog> {
    let name = container["name"].as_str().unwrap_or_default();
    let restarts = status["restartCount"].as_i64().unwrap_or(0);
    let last = &status["lastState"]["terminated"];
    let state = &status["state"];
    let has_id = |t: &Value| t["containerID"].as_str().is_some_and(|id| !id.is_empty());
    if previous {
        if !has_id(last) {
            return Err(ApiError::bad_request(format!(
                "previous terminated container \"{name}\" in pod \"{}\" not found",
                pod_name(pod)
            )));
        }
        return Ok(terminated_log(name, last, restarts - 1));
    }
    if state["running"].is_object() {
        let image = container["image"].as_str().unwrap_or_default();
        let started = state["running"]["startedAt"].as_str().unwrap_or_default();
        return Ok(running_log(name, image, status, started, restarts));
    }
    if has_id(&state["terminated"]) {
        return Ok(terminated_log(name, &state["terminated"], restarts));
    }
    if has_id(last) {
        return Ok(terminated_log(name, last, restarts - 1));
    }
    let reason = state["waiting"]["reason"]
        .as_str()
        .unwrap_or("ContainerCreating");
    Err(ApiError::bad_request(format!(
        "container \"{name}\" in pod \"{}\" is waiting to start: {reason}",
        pod_name(pod)
    )))
}

fn at(text: &str) -> OffsetDateTime {
    parse_timestamp(text).unwrap_or_else(OffsetDateTime::now_utc)
}

/// A running instance logs a start, then one request a second (the last 500 of them).
fn running_log(name: &str, image: &str, status: &Value, started: &str, n: i64) -> InstanceLog {
    let start = at(started);
    let mut lines = vec![
        (
            start,
            format!("{name} starting image {image} (instance {n})"),
        ),
        (
            start + Duration::milliseconds(1),
            format!("{name} listening on :8080"),
        ),
    ];
    let since = (OffsetDateTime::now_utc() - start).whole_seconds();
    for s in (since - 499).max(1)..=since {
        let when = start + Duration::seconds(s);
        lines.push((when, format!("{name} served request {s}")));
    }
    InstanceLog {
        id: status["containerID"].as_str().unwrap_or_default().into(),
        lines,
    }
}

/// A terminated instance: its start and what it said as it ended.
fn terminated_log(name: &str, t: &Value, n: i64) -> InstanceLog {
    let (start, end) = (
        at(t["startedAt"].as_str().unwrap_or_default()),
        at(t["finishedAt"].as_str().unwrap_or_default()),
    );
    let last = match (t["message"].as_str(), t["reason"].as_str()) {
        (Some(m), _) => m.to_string(),
        (None, Some("OOMKilled")) => "fatal error: runtime: out of memory".into(),
        (None, Some("Completed")) => "received SIGTERM, shutting down".into(),
        (None, _) => format!("exited with code {}", t["exitCode"]),
    };
    InstanceLog {
        id: t["containerID"].as_str().unwrap_or_default().into(),
        lines: vec![
            (start, format!("{name} starting (instance {n})")),
            (end, last),
        ],
    }
}

/// Where a log starts from `sinceTime` (RFC 3339) or `sinceSeconds` (before now).
pub fn log_since(time: Option<&str>, seconds: Option<&str>) -> ApiResult<Option<OffsetDateTime>> {
    match (time, seconds) {
        (Some(_), Some(_)) => Err(ApiError::bad_request(
            "at most one of sinceTime or sinceSeconds may be specified",
        )),
        (Some(t), None) => parse_timestamp(t).map(Some).ok_or_else(|| {
            ApiError::bad_request(format!("sinceTime: invalid RFC 3339 time {t:?}"))
        }),
        (None, Some(s)) => match s.parse::<i64>() {
            Ok(s) if s > 0 => Ok(Some(OffsetDateTime::now_utc() - Duration::seconds(s))),
            _ => Err(ApiError::bad_request(
                "sinceSeconds: must be greater than 0",
            )),
        },
        (None, None) => Ok(None),
    }
}

/// RFC 3339 with nanoseconds, as the kubelet stamps log lines.
pub fn stamp(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn render_lines(lines: &[(OffsetDateTime, String)], timestamps: bool) -> String {
    lines
        .iter()
        .map(|(at, text)| {
            if timestamps {
                format!("{} {text}\n", stamp(*at))
            } else {
                format!("{text}\n")
            }
        })
        .collect()
}

fn container_usage(pod: &Value, container: &Value) -> (u64, u64) {
    let name = container["name"].as_str().unwrap_or_default();
    let s = seed(&format!("{}/{name}", pod_name(pod)));
    let wobble = (time::OffsetDateTime::now_utc().unix_timestamp() as u64 / 15) % 7;
    let image = container["image"].as_str().unwrap_or_default();
    let base = if image.contains("hot") { 900 } else { 5 };
    let cpu_nanos = (base + s % 200 + wobble * 3) * 1_000_000;
    let mem_kib = if image.contains("oom") {
        500 * 1024
    } else {
        (20 + (s >> 8) % 180) * 1024
    };
    (cpu_nanos, mem_kib)
}

/// CPU in use by a running pod's containers, in millicores, as its PodMetrics say.
pub fn pod_cpu_millis(pod: &Value) -> Option<u64> {
    if pod["status"]["phase"] != "Running" {
        return None;
    }
    let containers = pod["spec"]["containers"].as_array()?;
    Some(
        containers
            .iter()
            .map(|c| container_usage(pod, c).0 / 1_000_000)
            .sum(),
    )
}

pub fn pod_metrics(pod: &Value) -> Option<Value> {
    if pod["status"]["phase"] != "Running" {
        return None;
    }
    let containers: Vec<Value> = pod["spec"]["containers"]
        .as_array()?
        .iter()
        .map(|c| {
            let (cpu, mem) = container_usage(pod, c);
            json!({"name": c["name"], "usage": {"cpu": format!("{cpu}n"), "memory": format!("{mem}Ki")}})
        })
        .collect();
    Some(json!({
        "kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {"name": pod["metadata"]["name"], "namespace": pod["metadata"]["namespace"],
                     "labels": pod["metadata"]["labels"], "creationTimestamp": now()},
        "timestamp": now(), "window": "15s", "containers": containers,
    }))
}

pub fn node_metrics(node: &Value, pods: &[&Value]) -> Value {
    let name = node["metadata"]["name"].as_str().unwrap_or_default();
    let (mut cpu, mut mem) = (150_000_000u64, 600 * 1024u64);
    for pod in pods
        .iter()
        .filter(|p| p["spec"]["nodeName"] == name && p["status"]["phase"] == "Running")
    {
        for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
            let (c_cpu, c_mem) = container_usage(pod, c);
            cpu += c_cpu;
            mem += c_mem;
        }
    }
    json!({
        "kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {"name": name, "labels": node["metadata"]["labels"], "creationTimestamp": now()},
        "timestamp": now(), "window": "20s", "usage": {"cpu": format!("{cpu}n"), "memory": format!("{mem}Ki")},
    })
}
