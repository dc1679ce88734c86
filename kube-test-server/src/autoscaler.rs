//! The HorizontalPodAutoscaler controller (autoscaling/v2, CPU utilization metrics): reads
//! the target's pods' usage from the same numbers metrics.k8s.io serves, computes the desired
//! replicas as the real controller does (`ceil(current × usage / target)`, a 10 % tolerance),
//! clamps them to minReplicas/maxReplicas, reports it in the status with ScalingActive,
//! AbleToScale and ScalingLimited, and sets the target's replicas. There is no stabilization
//! window: tests drive it with images that are hot or not, not with noisy load.

use serde_json::{json, Value};

use crate::observe::pod_cpu_millis;
use crate::resources::{self, Resource};
use crate::store::{now, Store};

/// Within this ratio of the target the controller leaves the replicas as they are.
const TOLERANCE: f64 = 0.1;

fn hpas() -> &'static Resource {
    resources::get("autoscaling", "horizontalpodautoscalers")
}

fn target_resource(kind: &str) -> Option<&'static Resource> {
    match kind {
        "Deployment" => Some(resources::get("apps", "deployments")),
        "StatefulSet" => Some(resources::get("apps", "statefulsets")),
        _ => None,
    }
}

/// `250m`, `1`, `0.5` as millicores.
fn millicores(q: &str) -> Option<u64> {
    match q.strip_suffix('m') {
        Some(m) => m.parse().ok(),
        None => q.parse::<f64>().ok().map(|c| (c * 1000.0).round() as u64),
    }
}

fn matches(selector: &Value, pod: &Value) -> bool {
    selector["matchLabels"]
        .as_object()
        .is_some_and(|want| want.iter().all(|(k, v)| pod["metadata"]["labels"][k] == *v))
}

/// Average CPU utilization (percent of requests) of the running pods, and how many they are;
/// or why it cannot be read, in the real controller's words.
fn cpu_utilization(pods: &[Value]) -> Result<(i64, u64, usize), String> {
    let (mut used, mut requested, mut counted) = (0u64, 0u64, 0usize);
    for pod in pods {
        let Some(cpu) = pod_cpu_millis(pod) else {
            continue;
        };
        for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
            let request = c["resources"]["requests"]["cpu"]
                .as_str()
                .and_then(millicores)
                .ok_or_else(|| {
                    format!(
                        "failed to get cpu utilization: missing request for cpu in container {} of Pod {}",
                        c["name"].as_str().unwrap_or_default(),
                        pod["metadata"]["name"].as_str().unwrap_or_default()
                    )
                })?;
            requested += request;
        }
        used += cpu;
        counted += 1;
    }
    if counted == 0 || requested == 0 {
        return Err("failed to get cpu utilization: did not receive metrics for targeted pods (pods might be unready)".into());
    }
    let percent = (used as f64 * 100.0 / requested as f64).round() as i64;
    Ok((percent, used / counted as u64, counted))
}

fn condition(old: &Value, kind: &str, ok: bool, reason: &str, message: &str) -> Value {
    let status = if ok { "True" } else { "False" };
    let previous = old["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == kind));
    let since = match previous {
        Some(c) if c["status"] == status => c["lastTransitionTime"].clone(),
        _ => json!(now()),
    };
    json!({"type": kind, "status": status, "reason": reason, "message": message, "lastTransitionTime": since})
}

pub fn sync_autoscalers(store: &mut Store) {
    for hpa in store.list(hpas(), None) {
        let ns = hpa["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let spec = &hpa["spec"];
        let Some(res) =
            target_resource(spec["scaleTargetRef"]["kind"].as_str().unwrap_or_default())
        else {
            continue;
        };
        let target_name = spec["scaleTargetRef"]["name"].as_str().unwrap_or_default();
        let Some(target) = store.get(res, &ns, target_name).cloned() else {
            continue;
        };
        let (min, max) = (
            spec["minReplicas"].as_i64().unwrap_or(1),
            spec["maxReplicas"].as_i64().unwrap_or(1),
        );
        let current = target["spec"]["replicas"].as_i64().unwrap_or(1);
        let pods: Vec<Value> = store
            .list(resources::get("", "pods"), Some(&ns))
            .into_iter()
            .filter(|p| matches(&target["spec"]["selector"], p))
            .collect();
        let target_util = spec["metrics"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|m| {
                (m["type"] == "Resource" && m["resource"]["name"] == "cpu")
                    .then(|| m["resource"]["target"]["averageUtilization"].as_i64())
                    .flatten()
            });
        let mut metrics = Vec::new();
        let (raw, active) = match (target_util, cpu_utilization(&pods)) {
            (Some(goal), Ok((util, avg, counted))) => {
                metrics.push(json!({"type": "Resource", "resource": {"name": "cpu",
                    "current": {"averageUtilization": util, "averageValue": format!("{avg}m")}}}));
                let ratio = util as f64 / goal as f64;
                // Pods still starting report nothing: as the real controller, scale up from
                // those that report, and scale down only when every replica reports.
                let proposed = (counted as f64 * ratio).ceil() as i64;
                let raw = if (ratio - 1.0).abs() <= TOLERANCE {
                    current
                } else if ratio > 1.0 {
                    proposed.max(current)
                } else if counted as i64 >= current {
                    proposed
                } else {
                    current
                };
                let why = "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)";
                (
                    raw,
                    condition(&hpa, "ScalingActive", true, "ValidMetricFound", why),
                )
            }
            (None, _) => {
                let why = "the HPA has no cpu utilization metric this server computes";
                (
                    current,
                    condition(&hpa, "ScalingActive", false, "InvalidMetricSourceType", why),
                )
            }
            (Some(_), Err(why)) => (
                current,
                condition(
                    &hpa,
                    "ScalingActive",
                    false,
                    "FailedGetResourceMetric",
                    &why,
                ),
            ),
        };
        let desired = raw.clamp(min, max);
        let limited = if raw > max {
            condition(
                &hpa,
                "ScalingLimited",
                true,
                "TooManyReplicas",
                "the desired replica count is more than the maximum replica count",
            )
        } else if raw < min {
            condition(
                &hpa,
                "ScalingLimited",
                true,
                "TooFewReplicas",
                "the desired replica count is less than the minimum replica count",
            )
        } else {
            condition(
                &hpa,
                "ScalingLimited",
                false,
                "DesiredWithinRange",
                "the desired count is within the acceptable range",
            )
        };
        let mut status = json!({
            "currentReplicas": target["status"]["replicas"].as_i64().unwrap_or(0),
            "desiredReplicas": desired,
            "currentMetrics": metrics,
            "conditions": [],
        });
        if let Some(at) = hpa["status"].get("lastScaleTime") {
            status["lastScaleTime"] = at.clone();
        }
        let able = if desired != current {
            let mut scaled = target.clone();
            scaled["spec"]["replicas"] = json!(desired);
            let _ = store.update(res, scaled, false);
            status["lastScaleTime"] = json!(now());
            let why =
                format!("the HPA controller was able to update the target scale to {desired}");
            condition(&hpa, "AbleToScale", true, "SucceededRescale", &why)
        } else {
            let why = "recommended size matches current size";
            condition(&hpa, "AbleToScale", true, "ReadyForNewScale", why)
        };
        status["conditions"] = json!([able, active, limited]);
        if hpa["status"] != status {
            let mut next = hpa.clone();
            next["status"] = status;
            let _ = store.update(hpas(), next, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::millicores;

    #[test]
    fn quantities_in_millicores() {
        assert_eq!(millicores("250m"), Some(250));
        assert_eq!(millicores("1"), Some(1000));
        assert_eq!(millicores("0.5"), Some(500));
        assert_eq!(millicores("lots"), None);
    }
}
