//! Whether a HorizontalPodAutoscaler (autoscaling/v2) manages a workload:
//! one that does sets the replicas itself, so a `scale` would be undone by
//! it within a minute and is refused with the change that would hold.

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use kube::api::ListParams;
use kube::{Api, Client};

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

/// Why a scale to `want` is refused, with the change that would hold.
pub fn refusal(addr: &str, ns: &str, h: &Managing, want: i32) -> String {
    let (field, value) = if want > h.max {
        ("maxReplicas", want)
    } else {
        ("minReplicas", want)
    };
    format!(
        "{addr} is managed by HorizontalPodAutoscaler {} ({}–{} replicas): it would set the replicas back within a minute. \
         Change its bounds instead: kubectl patch hpa {} -n {ns} -p '{{\"spec\":{{\"{field}\":{value}}}}}'",
        h.name, h.min, h.max, h.name
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
        assert!(up.contains(r#"-p '{"spec":{"maxReplicas":12}}'"#), "{up}");
        let floor = refusal("prod/shop/web", "shop", &h, 5);
        assert!(floor.contains(r#"{"spec":{"minReplicas":5}}"#), "{floor}");
    }
}
