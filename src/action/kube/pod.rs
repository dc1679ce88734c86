//! `delete-pod TARGET/NAMESPACE/POD`: the k9s Ctrl-D on one stuck replica.
//! The plan names the controller that replaces the pod (a Deployment through
//! its ReplicaSet, a StatefulSet under the same name, a DaemonSet on the same
//! node); a pod no controller owns is gone for good, so it is refused unless
//! forced. Done means the old pod (by uid) is gone and, where a controller
//! owns it, a replacement exists.

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{DeleteParams, ListParams, Preconditions};
use kube::{Api, Client};
use tokio::sync::mpsc;

use crate::action::{Outcome, Plan, PlanStep, Request, StepOp, Verb};
use crate::connect::kube::explain;
use crate::model::WorkloadKind;

/// Who replaces the pod once deleted: the owner that controls it, and for a
/// ReplicaSet the Deployment above it.
#[derive(Debug, Clone, PartialEq)]
struct Replacer {
    /// `Deployment shop/web (through ReplicaSet shop/web-5d9c)`.
    words: String,
    /// The owner whose pods count as replacements.
    owner_uid: String,
    /// StatefulSets recreate the pod under the same name.
    same_name: bool,
    /// The uids of the owner's other pods when planned: those were there
    /// before, so none of them is the replacement.
    siblings: Vec<String>,
}

async fn replacer(client: &Client, ns: &str, pod: &Pod) -> Result<Option<Replacer>, String> {
    let owners = pod.metadata.owner_references.clone().unwrap_or_default();
    let Some(owner) = owners.iter().find(|o| o.controller == Some(true)) else {
        return Ok(None);
    };
    let words = match owner.kind.as_str() {
        "ReplicaSet" => {
            let api: Api<ReplicaSet> = Api::namespaced(client.clone(), ns);
            let rs = api
                .get_opt(&owner.name)
                .await
                .map_err(|e| explain(&e, "get", "replicasets.apps"))?;
            let above = rs
                .and_then(|rs| rs.metadata.owner_references)
                .unwrap_or_default()
                .into_iter()
                .find(|o: &OwnerReference| o.controller == Some(true));
            match above {
                Some(d) => format!(
                    "{} {ns}/{} (through ReplicaSet {ns}/{}) creates a replacement pod",
                    d.kind, d.name, owner.name
                ),
                None => format!("ReplicaSet {ns}/{} creates a replacement pod", owner.name),
            }
        }
        "StatefulSet" => format!(
            "StatefulSet {ns}/{} recreates it under the same name",
            owner.name
        ),
        "DaemonSet" => format!(
            "DaemonSet {ns}/{} recreates it on node {}",
            owner.name,
            pod.spec
                .as_ref()
                .and_then(|s| s.node_name.clone())
                .unwrap_or_else(|| "(not scheduled)".into())
        ),
        "Job" => format!(
            "Job {ns}/{} creates a new pod if it has not completed",
            owner.name
        ),
        kind => format!("{kind} {ns}/{} (its controller) replaces it", owner.name),
    };
    let api: Api<Pod> = Api::namespaced(client.clone(), ns);
    let siblings = api
        .list(&ListParams::default())
        .await
        .map_err(|e| explain(&e, "list", "pods"))?
        .items
        .into_iter()
        .filter(|p| {
            p.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.uid == owner.uid)
        })
        .filter_map(|p| p.metadata.uid)
        .collect();
    Ok(Some(Replacer {
        words,
        owner_uid: owner.uid.clone(),
        same_name: owner.kind == "StatefulSet",
        siblings,
    }))
}

/// The pod and what the plan says about it.
pub struct Planned {
    pub plan: Plan,
    uid: String,
    replacer: Option<Replacer>,
}

pub async fn plan(client: &Client, target: &str, req: &Request) -> Result<Planned, String> {
    let addr = &req.workload;
    let Verb::DeletePod { force } = req.verb else {
        return Err(format!("{} is not a pod verb", req.verb.name()));
    };
    if addr.target != target {
        return Err(format!("{addr} is not on Kubernetes target `{target}`"));
    }
    let (ns, name) = (&addr.group, &addr.name);
    let api: Api<Pod> = Api::namespaced(client.clone(), ns);
    let pod = api
        .get_opt(name)
        .await
        .map_err(|e| explain(&e, "get", "pods"))?
        .ok_or_else(|| format!("no pod named `{name}` in namespace {ns} (delete-pod takes TARGET/NAMESPACE/POD, as kubectl get pods names it)"))?;
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let replacer = replacer(client, ns, &pod).await?;
    let grace = pod
        .spec
        .as_ref()
        .and_then(|s| s.termination_grace_period_seconds)
        .unwrap_or(30);
    let subject = format!("pod {ns}/{name}");
    let mut steps = vec![PlanStep {
        op: StepOp::Delete,
        subject: subject.clone(),
        detail: format!(
            "as kubectl delete pod: its containers get SIGTERM, then SIGKILL after {grace} s (uid {uid})"
        ),
    }];
    let summary = match (&replacer, force) {
        (Some(r), _) => {
            steps.push(PlanStep {
                op: StepOp::Verify,
                subject,
                detail: format!("{}; wait until the old pod is gone and a replacement exists", r.words),
            });
            format!("delete pod {addr}: {}", r.words)
        }
        (None, false) => {
            return Err(format!(
                "pod {ns}/{name} has no controller (no ownerReferences): nothing would replace it once deleted; pass --force to delete it anyway"
            ))
        }
        (None, true) => {
            steps.push(PlanStep {
                op: StepOp::Verify,
                subject,
                detail: "no controller owns it: nothing replaces it (--force); wait until it is gone".into(),
            });
            format!("delete pod {addr} for good: no controller replaces it")
        }
    };
    Ok(Planned {
        plan: Plan {
            request: req.clone(),
            kind: WorkloadKind::Pod,
            summary,
            steps,
            destructive: true,
        },
        uid,
        replacer,
    })
}

fn params(uid: &str, dry_run: bool) -> DeleteParams {
    DeleteParams {
        dry_run,
        // A StatefulSet may have replaced the pod under the same name since the
        // plan: only the pod that was shown is deleted.
        preconditions: Some(Preconditions {
            uid: Some(uid.to_string()),
            resource_version: None,
        }),
        ..DeleteParams::default()
    }
}

pub async fn dry_run(client: &Client, p: &Planned) -> Result<String, String> {
    let addr = &p.plan.request.workload;
    let api: Api<Pod> = Api::namespaced(client.clone(), &addr.group);
    api.delete(&addr.name, &params(&p.uid, true))
        .await
        .map_err(|e| explain(&e, "delete", "pods"))?;
    Ok(format!(
        "the API server accepted it (dryRun=All; nothing persisted): pod {} would be deleted",
        addr.name
    ))
}

pub async fn execute(
    client: &Client,
    p: &Planned,
    timeout: Duration,
    progress: &mpsc::Sender<String>,
) -> Result<Outcome, String> {
    let addr = &p.plan.request.workload;
    let (ns, name) = (&addr.group, &addr.name);
    let api: Api<Pod> = Api::namespaced(client.clone(), ns);
    api.delete(name, &params(&p.uid, false))
        .await
        .map_err(|e| explain(&e, "delete", "pods"))?;
    let did = format!("pod \"{name}\" deleted");
    let _ = progress.send(did.clone()).await;
    let deadline = Instant::now() + timeout;
    loop {
        let (gone, replacement) = look(&api, name, &p.uid, p.replacer.as_ref()).await?;
        match (&p.replacer, gone, replacement) {
            (None, true, _) => {
                return Ok(done(
                    true,
                    format!("{did}; it is gone and nothing replaces it"),
                ))
            }
            (Some(_), true, Some(new)) => {
                return Ok(done(true, format!("{did}; replaced by pod {new}")))
            }
            _ => {}
        }
        if Instant::now() >= deadline {
            let why = if gone {
                "no replacement pod has appeared"
            } else {
                "the old pod is still there (terminating)"
            };
            return Ok(done(
                false,
                format!(
                    "{did}; after {}: {why}",
                    crate::base::duration::format(timeout)
                ),
            ));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn done(ok: bool, message: String) -> Outcome {
    Outcome {
        ok,
        message,
        rolled_back: false,
    }
}

/// Whether the pod with `uid` is gone, and the name of a replacement: a pod
/// of the same controller that is not the old one.
async fn look(
    api: &Api<Pod>,
    name: &str,
    uid: &str,
    replacer: Option<&Replacer>,
) -> Result<(bool, Option<String>), String> {
    let now = api
        .get_opt(name)
        .await
        .map_err(|e| explain(&e, "get", "pods"))?;
    let gone = now.as_ref().and_then(|p| p.metadata.uid.as_deref()) != Some(uid);
    let Some(r) = replacer else {
        return Ok((gone, None));
    };
    if r.same_name {
        return Ok((gone, now.filter(|_| gone).and_then(|p| p.metadata.name)));
    }
    let pods = api
        .list(&ListParams::default())
        .await
        .map_err(|e| explain(&e, "list", "pods"))?;
    let new = pods.items.into_iter().find(|p| {
        p.metadata.uid.as_deref() != Some(uid)
            && p.metadata.deletion_timestamp.is_none()
            && p.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.uid == r.owner_uid)
            && !r
                .siblings
                .iter()
                .any(|s| p.metadata.uid.as_deref() == Some(s))
    });
    Ok((gone, new.and_then(|p| p.metadata.name)))
}
