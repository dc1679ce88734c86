//! Finding what `NAMESPACE/NAME` is (Deployment, StatefulSet or DaemonSet)
//! and sending it one change, for real or as a server-side dry run.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use kube::api::{Patch, PatchParams};
use kube::{Api, Client};
use serde_json::Value;

use crate::connect::kube::explain;
use crate::model::WorkloadKind;

pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// The workload as read just now.
#[derive(Debug, Clone)]
pub enum Found {
    Deployment(Deployment),
    StatefulSet(StatefulSet),
    DaemonSet(DaemonSet),
}

impl Found {
    pub fn kind(&self) -> WorkloadKind {
        match self {
            Found::Deployment(_) => WorkloadKind::Deployment,
            Found::StatefulSet(_) => WorkloadKind::StatefulSet,
            Found::DaemonSet(_) => WorkloadKind::DaemonSet,
        }
    }

    /// The API resource, as errors and kubectl name it.
    pub fn resource(&self) -> &'static str {
        match self {
            Found::Deployment(_) => "deployments.apps",
            Found::StatefulSet(_) => "statefulsets.apps",
            Found::DaemonSet(_) => "daemonsets.apps",
        }
    }

    pub fn meta(&self) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        match self {
            Found::Deployment(d) => &d.metadata,
            Found::StatefulSet(s) => &s.metadata,
            Found::DaemonSet(d) => &d.metadata,
        }
    }

    pub fn uid(&self) -> String {
        self.meta().uid.clone().unwrap_or_default()
    }

    /// Desired replicas; None for a DaemonSet (one per node). Kubernetes' default is 1.
    pub fn replicas(&self) -> Option<i32> {
        match self {
            Found::Deployment(d) => Some(d.spec.replicas.unwrap_or(1)),
            Found::StatefulSet(s) => Some(s.spec.replicas.unwrap_or(1)),
            Found::DaemonSet(_) => None,
        }
    }

    pub fn template(&self) -> PodTemplateSpec {
        match self {
            Found::Deployment(d) => d.spec.template.clone(),
            Found::StatefulSet(s) => s.spec.template.clone(),
            Found::DaemonSet(d) => d.spec.template.clone(),
        }
    }

    pub fn paused(&self) -> bool {
        match self {
            Found::Deployment(d) => d.spec.paused == Some(true),
            _ => false,
        }
    }
}

/// Reads `ns/name` as each workload kind in turn; a 404 moves on to the next.
pub async fn find(client: &Client, ns: &str, name: &str) -> Result<Found, String> {
    let what = |res: &str| format!("{res} {ns}/{name}");
    let d: Api<Deployment> = Api::namespaced(client.clone(), ns);
    if let Some(d) = d
        .get_opt(name)
        .await
        .map_err(|e| explain(&e, "get", &what("deployments.apps")))?
    {
        return Ok(Found::Deployment(d));
    }
    let s: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    if let Some(s) = s
        .get_opt(name)
        .await
        .map_err(|e| explain(&e, "get", &what("statefulsets.apps")))?
    {
        return Ok(Found::StatefulSet(s));
    }
    let ds: Api<DaemonSet> = Api::namespaced(client.clone(), ns);
    if let Some(ds) = ds
        .get_opt(name)
        .await
        .map_err(|e| explain(&e, "get", &what("daemonsets.apps")))?
    {
        return Ok(Found::DaemonSet(ds));
    }
    Err(format!(
        "no Deployment, StatefulSet or DaemonSet named `{name}` in namespace `{ns}`"
    ))
}

/// One change to one workload: what `kubectl scale`, `rollout restart` and
/// `rollout undo` each send.
#[derive(Debug, Clone)]
pub enum Change {
    /// Merge patch of the scale subresource.
    Scale(i32),
    /// `kubectl rollout restart`: the pod template annotated with the moment
    /// of sending, so the patch is made then.
    Restart,
    /// A patch (JSON or strategic merge) of the workload itself.
    Patch(Patch<Value>),
    /// New minReplicas and maxReplicas for the autoscaler named.
    Bounds { hpa: String, min: i32, max: i32 },
    /// Nothing to send; the reason is the outcome.
    Skip(String),
}

/// Sends `change` (a server-side dry run when `dry_run`) and returns the object
/// as the server says it is, or would be: the Scale for a scale.
pub async fn send(
    client: &Client,
    found: &Found,
    change: &Change,
    dry_run: bool,
) -> Result<Value, String> {
    let meta = found.meta();
    let ns = meta.namespace.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    let mut params = PatchParams::default();
    if dry_run {
        params = params.dry_run();
    }
    let resource = found.resource();
    match change {
        Change::Skip(_) => Ok(Value::Null),
        Change::Bounds { hpa, min, max } => {
            super::autoscaler::send_bounds(client, &ns, hpa, (*min, *max), dry_run).await
        }
        Change::Scale(n) => {
            let patch = Patch::Merge(serde_json::json!({"spec": {"replicas": n}}));
            let what = format!("{}/scale {ns}/{name}", resource.replace(".apps", ""));
            let scale = match found {
                Found::Deployment(_) => {
                    let api: Api<Deployment> = Api::namespaced(client.clone(), &ns);
                    api.patch_scale(&name, &params, &patch).await
                }
                Found::StatefulSet(_) => {
                    let api: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
                    api.patch_scale(&name, &params, &patch).await
                }
                Found::DaemonSet(_) => return Err("a DaemonSet has no scale subresource".into()),
            };
            let scale = scale.map_err(|e| explain(&e, "patch", &what))?;
            serde_json::to_value(scale).map_err(|e| e.to_string())
        }
        Change::Restart => {
            let now = crate::base::time::rfc3339(crate::base::time::unix_now());
            let patch = Patch::Strategic(serde_json::json!({"spec": {"template": {"metadata": {
                "annotations": {RESTARTED_AT: now}}}}}));
            Box::pin(send(client, found, &Change::Patch(patch), dry_run)).await
        }
        Change::Patch(patch) => {
            let what = format!("{resource} {ns}/{name}");
            let value = match found {
                Found::Deployment(_) => to_value(
                    Api::<Deployment>::namespaced(client.clone(), &ns)
                        .patch(&name, &params, patch)
                        .await,
                ),
                Found::StatefulSet(_) => to_value(
                    Api::<StatefulSet>::namespaced(client.clone(), &ns)
                        .patch(&name, &params, patch)
                        .await,
                ),
                Found::DaemonSet(_) => to_value(
                    Api::<DaemonSet>::namespaced(client.clone(), &ns)
                        .patch(&name, &params, patch)
                        .await,
                ),
            };
            value.map_err(|e| match e {
                Ok(e) => explain(&e, "patch", &what),
                Err(e) => e,
            })
        }
    }
}

/// The patched object as JSON; the error either the API's or serde's.
fn to_value<K: serde::Serialize>(
    r: Result<K, kube::Error>,
) -> Result<Value, Result<kube::Error, String>> {
    let obj = r.map_err(Ok)?;
    serde_json::to_value(obj).map_err(|e| Err(e.to_string()))
}
