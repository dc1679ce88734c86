//! Whether a HorizontalPodAutoscaler (autoscaling/v2) manages a workload:
//! one that does sets the replicas itself, so a `scale` would be undone by
//! it within a minute and is refused with the change that would hold.

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use kube::api::{ListParams, Patch, PatchParams};
use kube::{Api, Client};
use serde_json::Value;

use super::workload::Found;
use crate::connect::kube::explain;

/// An autoscaler and its bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Managing {
    pub name: String,
    pub min: i32,
    pub max: i32,
}

/// The HPA whose scaleTargetRef is `found`, if any. A server that does not
/// serve autoscaling/v2 has none; one that refuses the read says so.
pub async fn managing(client: &Client, found: &Found) -> Result<Option<Managing>, String> {
    let ns = found.meta().namespace.clone().unwrap_or_default();
    let api: Api<HorizontalPodAutoscaler> = Api::namespaced(client.clone(), &ns);
    let list = match api.list(&ListParams::default()).await {
        Ok(l) => l,
        Err(kube::Error::Api(s)) if s.code == 404 => return Ok(None),
        Err(e) => {
            return Err(format!(
                "could not check for an autoscaler that would undo the change: {}",
                explain(
                    &e,
                    "list",
                    &format!("horizontalpodautoscalers.autoscaling in {ns}")
                )
            ))
        }
    };
    let kind = found.kind().label();
    let name = found.meta().name.clone().unwrap_or_default();
    Ok(list.items.into_iter().find_map(|h| {
        let spec = h.spec;
        let target = &spec.scale_target_ref;
        (target.kind.eq_ignore_ascii_case(kind) && target.name == name).then(|| Managing {
            name: h.metadata.name.unwrap_or_default(),
            min: spec.min_replicas.unwrap_or(1),
            max: spec.max_replicas,
        })
    }))
}

/// Why a scale to `want` is refused, with the change that would hold: the
/// `autoscale` verb, and the kubectl patch that does the same.
pub fn refusal(addr: &str, ns: &str, h: &Managing, want: i32) -> String {
    let (flag, field) = if want > h.max {
        ("--max", "maxReplicas")
    } else {
        ("--min", "minReplicas")
    };
    format!(
        "{addr} is managed by HorizontalPodAutoscaler {} ({}–{} replicas): it would set the replicas back within a minute. \
         Change its bounds instead: opsdeck autoscale {addr} {flag} {want}\n\
         (the same with kubectl: kubectl patch hpa {} -n {ns} -p '{{\"spec\":{{\"{field}\":{want}}}}}')",
        h.name, h.min, h.max, h.name
    )
}

/// The bounds asked for, each kept when not given, checked as the API
/// server's validation would: 1 ≤ min ≤ max.
pub fn bounds(h: &Managing, min: Option<u32>, max: Option<u32>) -> Result<(i32, i32), String> {
    if min.is_none() && max.is_none() {
        return Err("give --min, --max or both".into());
    }
    let int = |n: u32| i32::try_from(n).map_err(|_| format!("{n} replicas is too many"));
    let lo = min.map(int).transpose()?.unwrap_or(h.min);
    let hi = max.map(int).transpose()?.unwrap_or(h.max);
    if lo < 1 {
        return Err("minReplicas must be at least 1".into());
    }
    if lo > hi {
        return Err(format!(
            "minReplicas {lo} would exceed maxReplicas {hi}: the autoscaler needs min ≤ max"
        ));
    }
    Ok((lo, hi))
}

/// Sends the new bounds to autoscaler `name` (a server-side dry run when
/// `dry_run`): the merge patch `kubectl patch hpa` sends. Returns the
/// autoscaler as the server says it is, or would be.
pub async fn send_bounds(
    client: &Client,
    ns: &str,
    name: &str,
    (min, max): (i32, i32),
    dry_run: bool,
) -> Result<Value, String> {
    let api: Api<HorizontalPodAutoscaler> = Api::namespaced(client.clone(), ns);
    let mut params = PatchParams::default();
    if dry_run {
        params = params.dry_run();
    }
    let patch = Patch::Merge(serde_json::json!({"spec": {"minReplicas": min, "maxReplicas": max}}));
    let what = format!("horizontalpodautoscalers.autoscaling {ns}/{name}");
    let hpa = api
        .patch(name, &params, &patch)
        .await
        .map_err(|e| explain(&e, "patch", &what))?;
    serde_json::to_value(hpa).map_err(|e| e.to_string())
}

/// `2–10` from an autoscaler as the server returned it.
pub fn bounds_of(returned: &Value) -> String {
    format!(
        "{}–{}",
        returned["spec"]["minReplicas"].as_i64().unwrap_or(1),
        returned["spec"]["maxReplicas"]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_names_the_bound_that_would_hold() {
        let h = Managing {
            name: "web".into(),
            min: 2,
            max: 10,
        };
        let up = refusal("prod/shop/web", "shop", &h, 12);
        assert!(
            up.contains("HorizontalPodAutoscaler web (2–10 replicas)"),
            "{up}"
        );
        assert!(
            up.contains("opsdeck autoscale prod/shop/web --max 12"),
            "{up}"
        );
        assert!(up.contains(r#"-p '{"spec":{"maxReplicas":12}}'"#), "{up}");
        let floor = refusal("prod/shop/web", "shop", &h, 5);
        assert!(floor.contains("--min 5"), "{floor}");
        assert!(floor.contains(r#"{"spec":{"minReplicas":5}}"#), "{floor}");
    }

    #[test]
    fn bounds_keep_what_is_not_given_and_refuse_min_over_max() {
        let h = Managing {
            name: "web".into(),
            min: 2,
            max: 10,
        };
        assert_eq!(bounds(&h, None, Some(12)), Ok((2, 12)));
        assert_eq!(bounds(&h, Some(3), None), Ok((3, 10)));
        assert!(bounds(&h, None, None).is_err());
        assert!(bounds(&h, Some(0), None)
            .unwrap_err()
            .contains("at least 1"));
        let over = bounds(&h, Some(11), None).unwrap_err();
        assert!(
            over.contains("minReplicas 11 would exceed maxReplicas 10"),
            "{over}"
        );
    }
}
