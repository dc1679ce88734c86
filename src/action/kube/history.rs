//! A workload's revisions as Kubernetes keeps them: a Deployment's owned
//! ReplicaSets, a StatefulSet's or DaemonSet's owned ControllerRevisions.
//! The same lists feed `history` and `rollback`.

use k8s_openapi::api::apps::v1::{ControllerRevision, ReplicaSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{ListParams, Patch};
use kube::{Api, Client};
use serde_json::Value;

use super::revision::{self, CHANGE_CAUSE};
use super::workload::{Change, Found};
use crate::action::{Revision, RevisionSource};
use crate::connect::kube::explain;
use crate::model::WorkloadAddr;

/// One revision: its number, pod template and the object that holds it.
pub struct Rev {
    pub template: PodTemplateSpec,
    pub meta: ObjectMeta,
    /// For a ControllerRevision, the strategic patch kubectl sends to go back.
    pub data: Option<Value>,
}

fn owned_by(meta: &ObjectMeta, uid: &str) -> bool {
    meta.owner_references
        .iter()
        .flatten()
        .any(|o| o.uid == uid && o.controller == Some(true))
}

/// The workload's revisions, unordered, as `(revision, Rev)`.
pub async fn revisions(client: &Client, found: &Found) -> Result<Vec<(i64, Rev)>, String> {
    let ns = found.meta().namespace.clone().unwrap_or_default();
    let uid = found.uid();
    if let Found::Deployment(_) = found {
        let api: Api<ReplicaSet> = Api::namespaced(client.clone(), &ns);
        let list = api
            .list(&ListParams::default())
            .await
            .map_err(|e| explain(&e, "list", &format!("replicasets.apps in {ns}")))?;
        return Ok(list
            .items
            .into_iter()
            .filter(|rs| owned_by(&rs.metadata, &uid))
            .map(|rs| {
                let rev = revision::revision_of(rs.metadata.annotations.as_ref());
                let template = rs.spec.template.unwrap_or_default();
                let meta = rs.metadata;
                (
                    rev,
                    Rev {
                        template,
                        meta,
                        data: None,
                    },
                )
            })
            .collect());
    }
    let api: Api<ControllerRevision> = Api::namespaced(client.clone(), &ns);
    let list = match api.list(&ListParams::default()).await {
        Ok(l) => l,
        Err(kube::Error::Api(s)) if s.code == 404 => {
            return Err(format!(
            "this API server does not serve controllerrevisions.apps, where {} revisions are kept",
            found.kind().label()
        ))
        }
        Err(e) => {
            return Err(explain(
                &e,
                "list",
                &format!("controllerrevisions.apps in {ns}"),
            ))
        }
    };
    Ok(list
        .items
        .into_iter()
        .filter(|cr| owned_by(&cr.metadata, &uid))
        .map(|cr| {
            let data = cr.data.0;
            let mut stored = data["spec"]["template"].clone();
            if let Some(m) = stored.as_object_mut() {
                m.remove("$patch");
            }
            let template = serde_json::from_value(stored).unwrap_or_default();
            (
                cr.revision.unwrap_or(0),
                Rev {
                    template,
                    meta: cr.metadata,
                    data: Some(data),
                },
            )
        })
        .collect())
}

/// `opsdeck history`: oldest first, as `kubectl rollout history` lists them.
pub fn listed(addr: &WorkloadAddr, mut revs: Vec<(i64, Rev)>) -> Vec<Revision> {
    revs.sort_by_key(|(r, _)| *r);
    revs.into_iter()
        .map(|(r, rev)| Revision {
            workload: addr.to_string(),
            revision: u32::try_from(r).unwrap_or(0),
            image: revision::images(&rev.template),
            image_id: String::new(),
            at: rev
                .meta
                .creation_timestamp
                .as_ref()
                .map(|t| t.0.to_string())
                .unwrap_or_default(),
            verb: "rollout".into(),
            // kubectl shows `<none>` for a revision without one.
            change_cause: Some(
                rev.meta
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(CHANGE_CAUSE).cloned())
                    .unwrap_or_default(),
            ),
            source: RevisionSource::Platform,
            made_by: managed_by(&rev),
        })
        .collect()
}

/// `app.kubernetes.io/managed-by` (Helm, a GitOps controller), on the
/// revision's object or its pod template.
fn managed_by(rev: &Rev) -> Option<String> {
    const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
    [
        rev.meta.labels.as_ref(),
        rev.template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.as_ref()),
    ]
    .into_iter()
    .flatten()
    .find_map(|l| l.get(MANAGED_BY).cloned())
}

/// What `kubectl rollout undo [--to-revision]` would send, and to which
/// revision; a `Change::Skip` when the template already matches it.
pub async fn undo(
    client: &Client,
    found: &Found,
    to: Option<i64>,
) -> Result<(i64, PodTemplateSpec, Change), String> {
    if let Found::DaemonSet(_) = found {
        return Err(
            "opsdeck rolls back Deployments and StatefulSets only; a DaemonSet can be restarted"
                .into(),
        );
    }
    if found.paused() {
        let name = found.meta().name.clone().unwrap_or_default();
        return Err(format!(
            "deployment is paused; resume it first (kubectl rollout resume deployment/{name}); nothing was changed"
        ));
    }
    let revs = revisions(client, found).await?;
    let (number, rev) = revision::pick(&revs, to).map_err(|e| match (&e, to) {
        (_, None) if matches!(found, Found::Deployment(_)) => format!(
            "no rollout history found for deployment \"{}\": {e}",
            found.meta().name.clone().unwrap_or_default()
        ),
        _ => e,
    })?;
    if revision::templates_match(&rev.template, &found.template()) {
        let why = format!("skipped rollback (current template already matches revision {number})");
        return Ok((number, rev.template.clone(), Change::Skip(why)));
    }
    let change = match (found, &rev.data) {
        (Found::Deployment(d), _) => {
            let annotations = revision::rollback_annotations(
                d.metadata.annotations.as_ref(),
                rev.meta.annotations.as_ref(),
            );
            Change::Patch(Patch::Json(revision::rollback_patch(
                &rev.template,
                &annotations,
            )?))
        }
        (_, Some(data)) => Change::Patch(Patch::Strategic(data.clone())),
        (_, None) => return Err(format!("revision {number} holds no template to go back to")),
    };
    Ok((number, revision::without_hash(&rev.template), change))
}
