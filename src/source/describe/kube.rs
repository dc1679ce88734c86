//! A Kubernetes object as the API server has it, and its events by
//! `involvedObject.uid` (as kubectl describe finds them).

use super::Fetched;
use crate::base::redact::object::mask_object;
use crate::connect::kube::{client, explain, KubeTarget};
use crate::model::describe;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Event, Node, Pod, Secret};
use kube::api::ListParams;
use kube::{Api, Client, Resource};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The object as JSON, or None when there is none by that name.
async fn get<K>(client: &Client, ns: Option<&str>, name: &str) -> Result<Option<Value>, String>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + serde::Serialize
        + std::fmt::Debug,
{
    let api: Api<K> = match ns {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::default_namespaced(client.clone()),
    };
    let found = api
        .get_opt(name)
        .await
        .map_err(|e| explain(&e, "get", &K::plural(&())))?;
    found
        .map(|o| serde_json::to_value(o).map_err(|e| e.to_string()))
        .transpose()
}

async fn node(client: &Client, name: &str) -> Result<Option<Value>, String> {
    let api: Api<Node> = Api::all(client.clone());
    let found = api
        .get_opt(name)
        .await
        .map_err(|e| explain(&e, "get", "nodes"))?;
    found
        .map(|o| serde_json::to_value(o).map_err(|e| e.to_string()))
        .transpose()
}

async fn find(
    client: &Client,
    ns: Option<&str>,
    kind: Option<&str>,
    name: &str,
) -> Result<Value, String> {
    let guesses: &[&str] = match kind {
        Some(k) => &[k][..],
        None => &["deployment", "statefulset", "daemonset", "pod"],
    };
    for kind in guesses {
        let found = match *kind {
            "deployment" => get::<Deployment>(client, ns, name).await?,
            "statefulset" => get::<StatefulSet>(client, ns, name).await?,
            "daemonset" => get::<DaemonSet>(client, ns, name).await?,
            "pod" => get::<Pod>(client, ns, name).await?,
            "secret" => get::<Secret>(client, ns, name).await?,
            "configmap" => get::<ConfigMap>(client, ns, name).await?,
            "node" => node(client, name).await?,
            other => return Err(format!("`{other}` is not a kind opsdeck reads")),
        };
        if let Some(v) = found {
            return Ok(v);
        }
    }
    let where_ = ns.map(|n| format!(" in namespace {n}")).unwrap_or_default();
    Err(format!("no {} named `{name}`{where_}", guesses.join(", ")))
}

/// The events whose involvedObject is this object.
async fn events(client: &Client, object: &Value) -> Result<Vec<Value>, String> {
    let uid = object["metadata"]["uid"].as_str().unwrap_or_default();
    let api: Api<Event> = match object["metadata"]["namespace"].as_str() {
        Some(ns) => Api::namespaced(client.clone(), ns),
        // A node's events are kept in the default namespace, or any.
        None => Api::all(client.clone()),
    };
    let params = ListParams::default().fields(&format!("involvedObject.uid={uid}"));
    let list = api
        .list(&params)
        .await
        .map_err(|e| explain(&e, "list", "events"))?;
    list.items
        .into_iter()
        .map(|e| serde_json::to_value(e).map_err(|e| e.to_string()))
        .collect()
}

pub async fn fetch(
    target: &KubeTarget,
    ns: Option<&str>,
    kind: Option<&str>,
    name: &str,
) -> Result<Fetched, String> {
    let client = client(target).await?;
    let mut raw = find(&client, ns, kind, name).await?;
    // As kubectl get -o yaml shows it since 1.21: without managedFields.
    if let Some(meta) = raw["metadata"].as_object_mut() {
        meta.remove("managedFields");
    }
    mask_object(&mut raw);
    // An object the credentials may read whose events they may not is still
    // described; the events section says what could not be read.
    let (mut evs, refused) = match events(&client, &raw).await {
        Ok(evs) => (evs, None),
        Err(why) => (Vec::new(), Some(why)),
    };
    evs.iter_mut().for_each(mask_object);
    let mut description = describe::kube::describe(&raw, &evs);
    if let Some(why) = refused {
        description.unreadable(describe::EVENTS, &why);
    }
    Ok(Fetched {
        description,
        raw,
        yaml: true,
    })
}
