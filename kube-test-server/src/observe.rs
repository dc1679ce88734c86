//! What the nodes report about pods: container logs (current and previous instance) and
//! metrics.k8s.io usage, both derived from the pod so tests can predict them.

use serde_json::{json, Value};

use crate::kubelet::crash_of;
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

/// The lines a container instance wrote: `previous` is the instance before the last restart.
pub fn log_lines(
    pod: &Value,
    container: &Value,
    status: &Value,
    previous: bool,
) -> ApiResult<Vec<(String, String)>> {
    let name = container["name"].as_str().unwrap_or_default();
    let image = container["image"].as_str().unwrap_or_default();
    let restarts = status["restartCount"].as_i64().unwrap_or(0);
    if previous && restarts == 0 {
        return Err(ApiError::bad_request(format!(
            "previous terminated container \"{name}\" in pod \"{}\" not found",
            pod_name(pod)
        )));
    }
    let instance = if previous { restarts - 1 } else { restarts };
    let started = status["state"]["running"]["startedAt"]
        .as_str()
        .or(status["lastState"]["terminated"]["startedAt"].as_str())
        .map(String::from)
        .unwrap_or_else(now);
    let mut lines = vec![(
        started.clone(),
        format!("{name} starting image {image} (instance {instance})"),
    )];
    match crash_of(image) {
        Some((_, "OOMKilled")) => {
            lines.push((started, "fatal error: runtime: out of memory".into()))
        }
        Some(_) => lines.push((started, format!("panic: image {image} is broken"))),
        None if previous => lines.push((started, "received SIGTERM, shutting down".into())),
        None => {
            lines.push((started.clone(), format!("{name} listening on :8080")));
            let since = parse_timestamp(&started)
                .map(|t| (time::OffsetDateTime::now_utc() - t).whole_seconds())
                .unwrap_or(0);
            for s in 1..=since.clamp(0, 500) {
                lines.push((started.clone(), format!("{name} served request {s}")));
            }
        }
    }
    Ok(lines)
}

pub fn render_lines(lines: &[(String, String)], timestamps: bool, tail: Option<usize>) -> String {
    let skip = tail.map(|t| lines.len().saturating_sub(t)).unwrap_or(0);
    lines[skip..]
        .iter()
        .map(|(at, text)| {
            if timestamps {
                format!("{at} {text}\n")
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
    let cpu_nanos = (5 + s % 200 + wobble * 3) * 1_000_000;
    let image = container["image"].as_str().unwrap_or_default();
    let mem_kib = if image.contains("oom") {
        500 * 1024
    } else {
        (20 + (s >> 8) % 180) * 1024
    };
    (cpu_nanos, mem_kib)
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

pub fn node_metrics(node: &Value, pods: &[Value]) -> Value {
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
