//! The deployment controller, after Kubernetes': one ReplicaSet per pod template named
//! `name-hash`, revision annotations, rolling or recreate rollouts, history cleanup, status
//! counts and the Available / Progressing conditions (ProgressDeadlineExceeded included).

use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::hash::{pod_template_hash, templates_equal};
use crate::resources::{self, Resource};
use crate::store::{now, parse_timestamp, Store};

pub const REVISION: &str = "deployment.kubernetes.io/revision";
const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
/// Annotations that belong to the Deployment object itself and are not copied to its ReplicaSets.
const NOT_COPIED: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED,
    MAX_REPLICAS,
];

fn rs_res() -> &'static Resource {
    resources::get("apps", "replicasets")
}

pub fn revision(rs: &Value) -> i64 {
    rs["metadata"]["annotations"][REVISION]
        .as_str()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

/// maxSurge / maxUnavailable: an integer or a percentage of `desired`, rounded as Kubernetes does.
pub fn resolve_int_or_percent(v: &Value, desired: i64, round_up: bool) -> i64 {
    match v {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => match s.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) {
            Some(pct) if round_up => (pct * desired + 99) / 100,
            Some(pct) => pct * desired / 100,
            None => s.parse().unwrap_or(0),
        },
        _ => 0,
    }
}

/// The pair (maxSurge, maxUnavailable) with Kubernetes' rule that both cannot be zero.
pub fn surge_and_unavailable(d: &Value) -> (i64, i64) {
    let desired = int(&d["spec"]["replicas"]);
    if d["spec"]["strategy"]["type"] == "Recreate" {
        return (0, desired);
    }
    let ru = &d["spec"]["strategy"]["rollingUpdate"];
    let surge = resolve_int_or_percent(&ru["maxSurge"], desired, true);
    let unavailable = resolve_int_or_percent(&ru["maxUnavailable"], desired, false);
    if surge == 0 && unavailable == 0 {
        (0, 1)
    } else {
        (surge, unavailable.min(desired))
    }
}

/// The revision bookkeeping when the template matches an existing ReplicaSet: it becomes the
/// newest revision (max + 1), remembering the revision it had.
pub fn next_revision(current: i64, max_old: i64) -> Option<i64> {
    (current <= max_old).then_some(max_old + 1)
}

fn set_rs_replicas(store: &mut Store, d: &Value, rs: &mut Value, replicas: i64) {
    let before = int(&rs["spec"]["replicas"]);
    let (surge, _) = surge_and_unavailable(d);
    let desired = int(&d["spec"]["replicas"]);
    rs["spec"]["replicas"] = json!(replicas);
    rs["metadata"]["annotations"][DESIRED] = json!(desired.to_string());
    rs["metadata"]["annotations"][MAX_REPLICAS] = json!((desired + surge).to_string());
    let name = rs["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if let Ok(updated) = store.update(rs_res(), rs.clone(), false) {
        *rs = updated;
    }
    if before != replicas {
        let dir = if replicas > before { "up" } else { "down" };
        store.emit_event(
            d,
            "Normal",
            "ScalingReplicaSet",
            &format!("Scaled {dir} replica set {name} from {before} to {replicas}"),
        );
    }
}

fn create_rs(store: &mut Store, d: &Value, revision: i64) -> Option<Value> {
    let meta = &d["metadata"];
    let (ns, name) = (meta["namespace"].as_str()?, meta["name"].as_str()?);
    let mut collision = d["status"]["collisionCount"].as_u64();
    for _ in 0..8 {
        let hash = pod_template_hash(&d["spec"]["template"], collision);
        let rs_name = format!("{name}-{hash}");
        if let Some(existing) = store.get(rs_res(), ns, &rs_name) {
            if templates_equal(&existing["spec"]["template"], &d["spec"]["template"]) {
                return Some(existing.clone());
            }
            collision = Some(collision.unwrap_or(0) + 1);
            let mut bumped = d.clone();
            bumped["status"]["collisionCount"] = json!(collision);
            let _ = store.update(resources::get("apps", "deployments"), bumped, false);
            continue;
        }
        let mut template = d["spec"]["template"].clone();
        template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
        let mut selector = d["spec"]["selector"].clone();
        selector["matchLabels"]["pod-template-hash"] = json!(hash);
        let mut annotations = json!({});
        for (k, v) in meta["annotations"].as_object().into_iter().flatten() {
            if !NOT_COPIED.contains(&k.as_str()) {
                annotations[k] = v.clone();
            }
        }
        annotations[REVISION] = json!(revision.to_string());
        let rs = json!({
            "metadata": {
                "name": rs_name, "namespace": ns, "labels": template["metadata"]["labels"], "annotations": annotations,
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": meta["uid"],
                                     "controller": true, "blockOwnerDeletion": true}],
            },
            "spec": {"replicas": 0, "minReadySeconds": d["spec"]["minReadySeconds"].as_i64().unwrap_or(0),
                     "selector": selector, "template": template},
        });
        let created = store.create(rs_res(), ns, rs, false).ok()?;
        return Some(created);
    }
    None
}

fn by_revision(a: &Value, b: &Value) -> std::cmp::Ordering {
    revision(a).cmp(&revision(b))
}

pub fn sync_all(store: &mut Store) {
    for d in store.list(resources::get("apps", "deployments"), None) {
        if d["metadata"]["deletionTimestamp"].is_null() {
            sync(store, d);
        }
    }
}

fn sync(store: &mut Store, d: Value) {
    let ns = d["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let uid = d["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let desired = int(&d["spec"]["replicas"]);
    let paused = d["spec"]["paused"].as_bool() == Some(true);
    let owned = store.owned_by(rs_res(), &ns, &uid);
    let (news, mut olds): (Vec<Value>, Vec<Value>) = owned
        .into_iter()
        .partition(|rs| templates_equal(&rs["spec"]["template"], &d["spec"]["template"]));
    olds.sort_by(by_revision);
    let max_old = olds.iter().map(revision).max().unwrap_or(0);
    let mut created_new = false;
    let mut new_rs = match news.into_iter().next() {
        Some(rs) => {
            // The new ReplicaSet carries the Deployment's annotations (change-cause) and, when
            // an old template comes back, the next revision, remembering the one it had.
            let mut next = rs.clone();
            let old_rev = revision(&rs);
            let ann = &mut next["metadata"]["annotations"];
            if let Some(rev) = next_revision(old_rev, max_old) {
                let history = ann[REVISION_HISTORY]
                    .as_str()
                    .map(|h| format!("{h},{old_rev}"))
                    .unwrap_or(old_rev.to_string());
                ann[REVISION_HISTORY] = json!(history);
                ann[REVISION] = json!(rev.to_string());
            }
            for (k, v) in d["metadata"]["annotations"]
                .as_object()
                .into_iter()
                .flatten()
            {
                if !NOT_COPIED.contains(&k.as_str()) {
                    ann[k] = v.clone();
                }
            }
            Some(if next != rs {
                store.update(rs_res(), next, false).unwrap_or(rs)
            } else {
                rs
            })
        }
        None if !paused => {
            created_new = true;
            create_rs(store, &d, max_old + 1)
        }
        None => None,
    };
    let d = store
        .require(
            resources::get("apps", "deployments"),
            &ns,
            d["metadata"]["name"].as_str().unwrap_or_default(),
        )
        .unwrap_or(d);
    let old_total: i64 = olds.iter().map(|rs| int(&rs["spec"]["replicas"])).sum();
    if let Some(new) = new_rs.as_mut() {
        if paused || old_total == 0 {
            if int(&new["spec"]["replicas"]) != desired {
                set_rs_replicas(store, &d, new, desired);
            }
        } else if d["spec"]["strategy"]["type"] == "Recreate" {
            recreate(store, &d, new, &mut olds);
        } else {
            rolling(store, &d, new, &mut olds);
        }
    }
    cleanup(store, &d, &olds);
    update_status(store, &d, new_rs.as_ref(), created_new);
}

fn recreate(store: &mut Store, d: &Value, new: &mut Value, olds: &mut [Value]) {
    for old in olds.iter_mut() {
        if int(&old["spec"]["replicas"]) > 0 {
            set_rs_replicas(store, d, old, 0);
        }
    }
    let old_pods: i64 = olds.iter().map(|rs| int(&rs["status"]["replicas"])).sum();
    if old_pods == 0 && int(&new["spec"]["replicas"]) != int(&d["spec"]["replicas"]) {
        set_rs_replicas(store, d, new, int(&d["spec"]["replicas"]));
    }
}

fn rolling(store: &mut Store, d: &Value, new: &mut Value, olds: &mut [Value]) {
    let desired = int(&d["spec"]["replicas"]);
    let (surge, max_unavailable) = surge_and_unavailable(d);
    let spec = |rs: &Value| int(&rs["spec"]["replicas"]);
    let available = |rs: &Value| int(&rs["status"]["availableReplicas"]);
    // Scale the new ReplicaSet up within the surge.
    let total: i64 = spec(new) + olds.iter().map(spec).sum::<i64>();
    let new_spec = spec(new);
    if new_spec > desired {
        set_rs_replicas(store, d, new, desired);
    } else if new_spec < desired && total < desired + surge {
        let up = (desired + surge - total).min(desired - new_spec);
        set_rs_replicas(store, d, new, new_spec + up);
    }
    // Scale old ReplicaSets down while keeping the minimum available: unhealthy pods first.
    let all_pods: i64 = spec(new) + olds.iter().map(spec).sum::<i64>();
    let min_available = desired - max_unavailable;
    let new_unavailable = (spec(new) - available(new)).max(0);
    let max_scaled_down = all_pods - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return;
    }
    let mut cleaned = 0;
    for old in olds.iter_mut() {
        let unhealthy = spec(old) - available(old);
        if spec(old) == 0 || unhealthy <= 0 || cleaned >= max_scaled_down {
            continue;
        }
        let down = unhealthy.min(max_scaled_down - cleaned);
        let target = spec(old) - down;
        set_rs_replicas(store, d, old, target);
        cleaned += down;
    }
    let all_available: i64 = available(new) + olds.iter().map(available).sum::<i64>();
    let mut budget = (all_available - min_available).min(max_scaled_down - cleaned);
    for old in olds.iter_mut() {
        if budget <= 0 {
            break;
        }
        let down = spec(old).min(budget);
        if down > 0 {
            let target = spec(old) - down;
            set_rs_replicas(store, d, old, target);
            budget -= down;
        }
    }
}

/// Deletes the oldest fully scaled-down ReplicaSets beyond `revisionHistoryLimit`.
fn cleanup(store: &mut Store, d: &Value, olds: &[Value]) {
    let limit = d["spec"]["revisionHistoryLimit"]
        .as_i64()
        .unwrap_or(10)
        .max(0) as usize;
    let idle: Vec<&Value> = olds
        .iter()
        .filter(|rs| int(&rs["spec"]["replicas"]) == 0 && int(&rs["status"]["replicas"]) == 0)
        .collect();
    for rs in idle.iter().take(idle.len().saturating_sub(limit)) {
        let (ns, name) = (
            rs["metadata"]["namespace"].as_str().unwrap_or_default(),
            rs["metadata"]["name"].as_str().unwrap_or_default(),
        );
        let _ = store.delete(rs_res(), ns, name, false, false);
    }
}

fn condition(kind: &str, status: &str, reason: &str, message: String, previous: &Value) -> Value {
    let stamp = now();
    let old = previous["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == kind))
        .cloned();
    let transition = match &old {
        Some(o) if o["status"] == status => o["lastTransitionTime"].clone(),
        _ => json!(stamp),
    };
    let update = match &old {
        Some(o) if o["status"] == status && o["reason"] == reason && o["message"] == message => {
            o["lastUpdateTime"].clone()
        }
        _ => json!(stamp),
    };
    json!({"type": kind, "status": status, "reason": reason, "message": message,
           "lastUpdateTime": update, "lastTransitionTime": transition})
}

fn update_status(store: &mut Store, d: &Value, new_rs: Option<&Value>, created_new: bool) {
    let ns = d["metadata"]["namespace"].as_str().unwrap_or_default();
    let uid = d["metadata"]["uid"].as_str().unwrap_or_default();
    let all = store.owned_by(rs_res(), ns, uid);
    let sum = |f: &str| all.iter().map(|rs| int(&rs["status"][f])).sum::<i64>();
    let desired = int(&d["spec"]["replicas"]);
    let spec_total: i64 = all.iter().map(|rs| int(&rs["spec"]["replicas"])).sum();
    let new_name = new_rs
        .and_then(|rs| rs["metadata"]["name"].as_str())
        .unwrap_or_default()
        .to_string();
    let updated = new_rs
        .and_then(|rs| {
            all.iter()
                .find(|r| r["metadata"]["name"] == rs["metadata"]["name"])
        })
        .map(|rs| int(&rs["status"]["replicas"]))
        .unwrap_or(0);
    let (replicas, ready, available) = (
        sum("replicas"),
        sum("readyReplicas"),
        sum("availableReplicas"),
    );
    let prev = &d["status"];
    let mut status = json!({
        "observedGeneration": d["metadata"]["generation"], "replicas": replicas, "updatedReplicas": updated,
        "readyReplicas": ready, "availableReplicas": available,
        "unavailableReplicas": (spec_total - available).max(0),
    });
    for zero in [
        "replicas",
        "updatedReplicas",
        "readyReplicas",
        "availableReplicas",
        "unavailableReplicas",
    ] {
        if status[zero] == 0 {
            status.as_object_mut().map(|s| s.remove(zero));
        }
    }
    if let Some(c) = prev.get("collisionCount") {
        status["collisionCount"] = c.clone();
    }
    let (_, max_unavailable) = surge_and_unavailable(d);
    let available_cond = if available >= desired - max_unavailable {
        condition(
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.".into(),
            prev,
        )
    } else {
        condition(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.".into(),
            prev,
        )
    };
    let prev_progress = prev["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Progressing"))
        .cloned();
    let complete = updated == desired && replicas == desired && available == desired;
    let moved = [
        "replicas",
        "updatedReplicas",
        "readyReplicas",
        "availableReplicas",
    ]
    .iter()
    .any(|f| status[*f] != prev[*f]);
    let rs_msg = |what: &str| format!("ReplicaSet \"{new_name}\" {what}");
    let progress = if d["spec"]["paused"].as_bool() == Some(true) {
        condition(
            "Progressing",
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused".into(),
            prev,
        )
    } else if complete && !new_name.is_empty() {
        condition(
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            rs_msg("has successfully progressed."),
            prev,
        )
    } else if created_new {
        condition(
            "Progressing",
            "True",
            "NewReplicaSetCreated",
            format!("Created new replica set \"{new_name}\""),
            prev,
        )
    } else if moved
        || prev_progress.is_none()
        || prev_progress
            .as_ref()
            .is_some_and(|c| c["reason"] == "DeploymentPaused")
    {
        let reason = if prev_progress
            .as_ref()
            .is_some_and(|c| c["reason"] == "DeploymentPaused")
        {
            "DeploymentResumed"
        } else {
            "ReplicaSetUpdated"
        };
        let mut c = condition(
            "Progressing",
            "True",
            reason,
            rs_msg("is progressing."),
            prev,
        );
        c["lastUpdateTime"] = json!(now());
        c
    } else if deadline_passed(d, prev_progress.as_ref()) {
        condition(
            "Progressing",
            "False",
            "ProgressDeadlineExceeded",
            rs_msg("has timed out progressing."),
            prev,
        )
    } else {
        prev_progress.clone().unwrap_or_default()
    };
    status["conditions"] = json!([available_cond, progress]);
    // The controller copies the new ReplicaSet's revision onto the Deployment, where
    // `kubectl describe` and `kubectl get -o yaml` show it.
    let revision = new_rs
        .map(|rs| rs["metadata"]["annotations"][REVISION].clone())
        .filter(Value::is_string);
    let stale = revision
        .as_ref()
        .is_some_and(|r| &d["metadata"]["annotations"][REVISION] != r);
    if &status != prev || stale {
        let mut next = d.clone();
        next["status"] = status;
        if let Some(r) = revision {
            next["metadata"]["annotations"][REVISION] = r;
        }
        let _ = store.update(resources::get("apps", "deployments"), next, false);
    }
}

fn deadline_passed(d: &Value, progress: Option<&Value>) -> bool {
    let Some(c) = progress else { return false };
    if c["reason"] == "ProgressDeadlineExceeded" {
        return true;
    }
    let deadline = d["spec"]["progressDeadlineSeconds"].as_i64().unwrap_or(600);
    let since = c["lastUpdateTime"].as_str().and_then(parse_timestamp);
    since.is_some_and(|t| (OffsetDateTime::now_utc() - t).whole_seconds() >= deadline)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_like_kubernetes() {
        assert_eq!(resolve_int_or_percent(&json!("25%"), 3, true), 1);
        assert_eq!(resolve_int_or_percent(&json!("25%"), 3, false), 0);
        assert_eq!(resolve_int_or_percent(&json!(2), 3, false), 2);
        let d = json!({"spec": {"replicas": 3, "strategy": {"type": "RollingUpdate",
                       "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "10%"}}}});
        assert_eq!(
            surge_and_unavailable(&d),
            (0, 1),
            "both zero means one may be unavailable"
        );
    }

    #[test]
    fn returning_to_an_old_template_takes_the_next_revision() {
        assert_eq!(next_revision(1, 2), Some(3));
        assert_eq!(next_revision(3, 2), None, "already the newest");
        assert_eq!(next_revision(0, 0), Some(1));
    }
}
