//! HorizontalPodAutoscalers (autoscaling/v2) as `kubectl get hpa` and
//! `kubectl describe hpa` show them, attached to the workload each scales.

use crate::model::{Autoscaler, AutoscalerMetric, Workload, WorkloadKind};
use k8s_openapi::api::autoscaling::v2::{
    HorizontalPodAutoscaler, MetricSpec, MetricStatus, MetricTarget, MetricValueStatus,
};

/// Sets `rollout.autoscaler` on each workload an HPA in `hpas` targets.
pub fn attach(
    target: &str,
    hpas: &[std::sync::Arc<HorizontalPodAutoscaler>],
    workloads: &mut [Workload],
) {
    for h in hpas {
        let ns = h.metadata.namespace.as_deref().unwrap_or_default();
        let spec = &h.spec;
        let kind = match spec.scale_target_ref.kind.as_str() {
            "Deployment" => WorkloadKind::Deployment,
            "StatefulSet" => WorkloadKind::StatefulSet,
            _ => continue,
        };
        let found = workloads.iter_mut().find(|w| {
            w.kind == kind
                && w.addr.target == target
                && w.addr.group == ns
                && w.addr.name == spec.scale_target_ref.name
        });
        if let Some(r) = found.and_then(|w| w.rollout.as_mut()) {
            r.autoscaler = Some(autoscaler(h));
        }
    }
}

pub fn autoscaler(h: &HorizontalPodAutoscaler) -> Autoscaler {
    let spec = &h.spec;
    let status = h.status.as_ref();
    let count = |n: i32| u32::try_from(n).unwrap_or(0);
    let current_metrics: &[MetricStatus] = status
        .and_then(|s| s.current_metrics.as_deref())
        .unwrap_or_default();
    Autoscaler {
        name: h.metadata.name.clone().unwrap_or_default(),
        min: count(spec.min_replicas.unwrap_or(1)),
        max: count(spec.max_replicas),
        current: status.and_then(|s| s.current_replicas).map(count),
        desired: status.map(|s| count(s.desired_replicas)),
        metrics: spec
            .metrics
            .iter()
            .flatten()
            .map(|m| metric(m, current_metrics))
            .collect(),
        conditions: status
            .and_then(|s| s.conditions.as_ref())
            .into_iter()
            .flatten()
            .map(|c| {
                let reason = c.reason.as_deref().unwrap_or_default();
                format!("{}={} {reason}", c.type_, c.status)
                    .trim_end()
                    .to_string()
            })
            .collect(),
    }
}

fn metric(m: &MetricSpec, now: &[MetricStatus]) -> AutoscalerMetric {
    let (name, target) = match (
        &m.resource,
        &m.container_resource,
        &m.pods,
        &m.external,
        &m.object,
    ) {
        (Some(r), ..) => (r.name.clone(), target_text(&r.target)),
        (_, Some(c), ..) => (
            format!("{}/{}", c.container, c.name),
            target_text(&c.target),
        ),
        (_, _, Some(p), ..) => (p.metric.name.clone(), target_text(&p.target)),
        (_, _, _, Some(e), _) => (e.metric.name.clone(), target_text(&e.target)),
        (_, _, _, _, Some(o)) => (o.metric.name.clone(), target_text(&o.target)),
        _ => (m.type_.clone(), String::new()),
    };
    let current = now
        .iter()
        .find_map(|s| match (&s.resource, &s.container_resource) {
            (Some(r), _) if r.name == name => Some(value_text(&r.current)),
            (_, Some(c)) if format!("{}/{}", c.container, c.name) == name => {
                Some(value_text(&c.current))
            }
            _ => None,
        });
    AutoscalerMetric {
        name,
        target,
        current: current.flatten(),
    }
}

fn target_text(t: &MetricTarget) -> String {
    match (t.average_utilization, &t.average_value, &t.value) {
        (Some(u), ..) => format!("{u} %"),
        (_, Some(v), _) | (_, _, Some(v)) => v.0.clone(),
        _ => t.type_.clone(),
    }
}

fn value_text(v: &MetricValueStatus) -> Option<String> {
    match (v.average_utilization, &v.average_value, &v.value) {
        (Some(u), ..) => Some(format!("{u} %")),
        (_, Some(q), _) | (_, _, Some(q)) => Some(q.0.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_hpa_reads_as_kubectl_describes_it() {
        let h: HorizontalPodAutoscaler = serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 2, "maxReplicas": 10,
                "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": 70}}}]
            },
            "status": {
                "currentReplicas": 10, "desiredReplicas": 10,
                "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu",
                    "current": {"averageUtilization": 93}}}],
                "conditions": [
                    {"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale"},
                    {"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas"}
                ]
            }
        }))
        .unwrap();
        let a = autoscaler(&h);
        assert_eq!(a.summary(), "HPA 2–10 @ cpu 70 %");
        assert_eq!((a.current, a.desired), (Some(10), Some(10)));
        assert_eq!(a.metrics[0].current.as_deref(), Some("93 %"));
        assert_eq!(
            a.conditions,
            [
                "AbleToScale=True ReadyForNewScale",
                "ScalingLimited=True TooManyReplicas"
            ]
        );
        let fresh = HorizontalPodAutoscaler { status: None, ..h };
        let a = autoscaler(&fresh);
        assert_eq!(
            (a.current, a.desired, a.metrics[0].current.clone()),
            (None, None, None)
        );
    }
}
