//! The controllers below Deployments: ReplicaSets keep N pods, StatefulSets keep ordinal pods
//! `name-0..n-1` rolled highest-first, DaemonSets keep one pod per schedulable node.

use serde_json::{json, Value};

use crate::hash::{pod_template_hash, templates_equal};
use crate::kubelet::{is_ready, new_pod, schedulable_nodes};
use crate::resources::{self, Resource};
use crate::store::{random_suffix, Store};

fn pods() -> &'static Resource {
    resources::get("", "pods")
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn name(o: &Value) -> String {
    o["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn ns(o: &Value) -> String {
    o["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Ready for at least `minReadySeconds`, judged by the Ready condition's transition time.
fn is_available(pod: &Value, min_ready: i64) -> bool {
    if !is_ready(pod) {
        return false;
    }
    if min_ready <= 0 {
        return true;
    }
    let since = pod["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
        .and_then(|c| c["lastTransitionTime"].as_str())
        .and_then(crate::store::parse_timestamp);
    since.is_some_and(|t| (time::OffsetDateTime::now_utc() - t).whole_seconds() >= min_ready)
}

fn write_status(store: &mut Store, res: &'static Resource, owner: &Value, status: Value) {
    if owner["status"] != status {
        let mut next = owner.clone();
        next["status"] = status;
        let _ = store.update(res, next, false);
    }
}

fn delete_pod(store: &mut Store, owner: &Value, pod: &Value) {
    if store
        .delete(pods(), &ns(pod), &name(pod), false, false)
        .is_ok()
    {
        store.emit_event(
            owner,
            "Normal",
            "SuccessfulDelete",
            &format!("Deleted pod: {}", name(pod)),
        );
    }
}

fn create_pod(
    store: &mut Store,
    owner: &Value,
    pod_name: String,
    template: &Value,
    node: Option<String>,
) {
    let pod = new_pod(owner, &pod_name, template, node);
    if store.create(pods(), &ns(owner), pod, false).is_ok() {
        store.emit_event(
            owner,
            "Normal",
            "SuccessfulCreate",
            &format!("Created pod: {pod_name}"),
        );
    }
}

/// The node with the fewest pods, so replicas spread as the scheduler would spread them.
fn pick_node(store: &Store) -> Option<String> {
    schedulable_nodes(store)
        .into_iter()
        .min_by_key(|n| store.pods_on(n))
}

pub fn sync_replicasets(store: &mut Store) {
    let res = resources::get("apps", "replicasets");
    for rs in store.list(res, None) {
        let uid = rs["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let namespace = ns(&rs);
        let want = int(&rs["spec"]["replicas"]).max(0) as usize;
        // Only the pods to delete are copied: most passes change nothing.
        let (have, doomed) = {
            let mut owned = store.owned_refs(pods(), &namespace, &uid);
            let mut doomed = Vec::new();
            if owned.len() > want {
                // Not-ready pods go first, then the newest, as the ReplicaSet controller ranks them.
                owned.sort_by_key(|p| {
                    (
                        is_ready(p),
                        std::cmp::Reverse(
                            p["metadata"]["creationTimestamp"]
                                .as_str()
                                .unwrap_or_default()
                                .to_string(),
                        ),
                    )
                });
                doomed = owned
                    .iter()
                    .take(owned.len() - want)
                    .map(|p| (*p).clone())
                    .collect();
            }
            (owned.len(), doomed)
        };
        for _ in have..want {
            let node = pick_node(store);
            create_pod(
                store,
                &rs,
                format!("{}-{}", name(&rs), random_suffix()),
                &rs["spec"]["template"],
                node,
            );
        }
        for pod in &doomed {
            delete_pod(store, &rs, pod);
        }
        let owned = store.owned_refs(pods(), &namespace, &uid);
        let min_ready = int(&rs["spec"]["minReadySeconds"]);
        let status = json!({
            "replicas": owned.len(), "fullyLabeledReplicas": owned.len(),
            "readyReplicas": owned.iter().filter(|p| is_ready(p)).count(),
            "availableReplicas": owned.iter().filter(|p| is_available(p, min_ready)).count(),
            "observedGeneration": rs["metadata"]["generation"],
        });
        write_status(store, res, &rs, status);
    }
}

fn controller_revision(store: &mut Store, owner: &Value, kind: &str) -> (String, i64) {
    let revs = resources::get("apps", "controllerrevisions");
    let uid = owner["metadata"]["uid"].as_str().unwrap_or_default();
    let existing = store.owned_by(revs, &ns(owner), uid);
    let template = &owner["spec"]["template"];
    let latest = existing
        .iter()
        .map(|r| int(&r["revision"]))
        .max()
        .unwrap_or(0);
    let stored = |r: &Value| {
        let mut t = r["data"]["spec"]["template"].clone();
        t.as_object_mut().map(|m| m.remove("$patch"));
        t
    };
    if let Some(rev) = existing
        .iter()
        .find(|r| templates_equal(&stored(r), template))
    {
        // A template that comes back becomes the newest revision again, as for Deployments.
        if int(&rev["revision"]) < latest {
            let mut bumped = rev.clone();
            bumped["revision"] = json!(latest + 1);
            let _ = store.update(revs, bumped, false);
            return (name(rev), latest + 1);
        }
        return (name(rev), int(&rev["revision"]));
    }
    let hash = pod_template_hash(template, None);
    let revision = latest + 1;
    let rev_name = format!("{}-{hash}", name(owner));
    // Stored as the strategic patch `kubectl rollout undo` applies: the whole template.
    let mut replacing = template.clone();
    replacing["$patch"] = json!("replace");
    let rev = json!({
        "metadata": {"name": rev_name, "namespace": ns(owner), "labels": template["metadata"]["labels"],
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": kind, "name": name(owner), "uid": uid,
                                          "controller": true, "blockOwnerDeletion": true}]},
        "data": {"spec": {"template": replacing}}, "revision": revision,
    });
    let _ = store.create(revs, &ns(owner), rev, false);
    (rev_name, revision)
}

fn stamped_template(owner: &Value, revision: &str) -> Value {
    let mut t = owner["spec"]["template"].clone();
    t["metadata"]["labels"]["controller-revision-hash"] = json!(revision);
    t
}

fn pod_revision(pod: &Value) -> String {
    pod["metadata"]["labels"]["controller-revision-hash"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub fn sync_statefulsets(store: &mut Store) {
    let res = resources::get("apps", "statefulsets");
    for sts in store.list(res, None) {
        let (revision, _) = controller_revision(store, &sts, "StatefulSet");
        let uid = sts["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let want = int(&sts["spec"]["replicas"]).max(0);
        let owned = store.owned_by(pods(), &ns(&sts), &uid);
        let ordinal = |p: &Value| {
            name(p)
                .rsplit('-')
                .next()
                .and_then(|o| o.parse::<i64>().ok())
                .unwrap_or(-1)
        };
        let all_ready = owned.iter().all(is_ready);
        // Ordered: create the lowest missing ordinal only when every existing pod is ready.
        if let Some(missing) = (0..want).find(|i| !owned.iter().any(|p| ordinal(p) == *i)) {
            if all_ready || sts["spec"]["podManagementPolicy"] == "Parallel" {
                let node = pick_node(store);
                create_pod(
                    store,
                    &sts,
                    format!("{}-{missing}", name(&sts)),
                    &stamped_template(&sts, &revision),
                    node,
                );
            }
        } else if let Some(extra) = owned
            .iter()
            .filter(|p| ordinal(p) >= want)
            .max_by_key(|p| ordinal(p))
        {
            delete_pod(store, &sts, extra);
        } else if all_ready && sts["spec"]["updateStrategy"]["type"] != "OnDelete" {
            if let Some(stale) = owned
                .iter()
                .filter(|p| pod_revision(p) != revision)
                .max_by_key(|p| ordinal(p))
            {
                delete_pod(store, &sts, stale);
            }
        }
        let owned = store.owned_by(pods(), &ns(&sts), &uid);
        let updated = owned.iter().filter(|p| pod_revision(p) == revision).count();
        let mut status = json!({
            "observedGeneration": sts["metadata"]["generation"], "replicas": owned.len(),
            "readyReplicas": owned.iter().filter(|p| is_ready(p)).count(),
            "availableReplicas": owned.iter().filter(|p| is_ready(p)).count(),
            "currentReplicas": updated, "updatedReplicas": updated,
            "currentRevision": revision, "updateRevision": revision, "collisionCount": 0,
        });
        if updated < owned.len() {
            status["currentRevision"] = json!(owned
                .iter()
                .map(pod_revision)
                .find(|r| *r != revision)
                .unwrap_or_default());
            status["currentReplicas"] = json!(owned.len() - updated);
        }
        write_status(store, res, &sts, status);
    }
}

pub fn sync_daemonsets(store: &mut Store) {
    let res = resources::get("apps", "daemonsets");
    for ds in store.list(res, None) {
        let (revision, _) = controller_revision(store, &ds, "DaemonSet");
        let uid = ds["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let nodes = schedulable_nodes(store);
        let owned = store.owned_by(pods(), &ns(&ds), &uid);
        for node in &nodes {
            let here = owned
                .iter()
                .find(|p| p["spec"]["nodeName"].as_str() == Some(node.as_str()));
            match here {
                None => create_pod(
                    store,
                    &ds,
                    format!("{}-{}", name(&ds), random_suffix()),
                    &stamped_template(&ds, &revision),
                    Some(node.clone()),
                ),
                Some(p) if pod_revision(p) != revision => delete_pod(store, &ds, p),
                Some(_) => {}
            }
        }
        for stray in owned.iter().filter(|p| {
            !nodes
                .iter()
                .any(|n| p["spec"]["nodeName"].as_str() == Some(n.as_str()))
        }) {
            delete_pod(store, &ds, stray);
        }
        let owned = store.owned_by(pods(), &ns(&ds), &uid);
        let ready = owned.iter().filter(|p| is_ready(p)).count();
        let status = json!({
            "observedGeneration": ds["metadata"]["generation"], "desiredNumberScheduled": nodes.len(),
            "currentNumberScheduled": owned.len(), "numberMisscheduled": 0, "numberReady": ready,
            "numberAvailable": ready, "numberUnavailable": nodes.len().saturating_sub(ready),
            "updatedNumberScheduled": owned.iter().filter(|p| pod_revision(p) == revision).count(),
        });
        write_status(store, res, &ds, status);
    }
}
