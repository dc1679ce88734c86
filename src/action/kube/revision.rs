//! The pure part of `kubectl rollout undo` and `rollout history`: which
//! revision to go back to, whether the template already matches, and the
//! patch that puts an old template back. No API calls here.

use k8s_openapi::api::core::v1::PodTemplateSpec;
use serde_json::json;
use std::collections::BTreeMap;

pub const REVISION: &str = "deployment.kubernetes.io/revision";
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
/// The label the deployment controller adds to each ReplicaSet's template.
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// Annotations kubectl leaves as the Deployment has them on a rollback; every
/// other annotation (change-cause among them) comes from the old ReplicaSet.
const KEPT_ON_ROLLBACK: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// The `deployment.kubernetes.io/revision` of a ReplicaSet; 0 when absent or
/// malformed, as kubectl treats it.
pub fn revision_of(annotations: Option<&BTreeMap<String, String>>) -> i64 {
    annotations
        .and_then(|a| a.get(REVISION))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// `--to` as kubectl reads it: a revision number; none means the previous one.
pub fn parse_to(to: Option<&str>) -> Result<Option<i64>, String> {
    match to {
        None => Ok(None),
        Some(t) => match t.trim().parse::<i64>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(format!(
                "`{t}` is not a revision: --to takes a revision number as `opsdeck history` lists them"
            )),
        },
    }
}

/// What a rollback goes to among `(revision, item)` pairs: revision `to`
/// when named, else the newest below the newest (kubectl's "previous").
/// `Err` says why there is none, in kubectl's words.
pub fn pick<T>(items: &[(i64, T)], to: Option<i64>) -> Result<(i64, &T), String> {
    if let Some(to) = to {
        return items
            .iter()
            .find(|(r, _)| *r == to)
            .map(|(r, t)| (*r, t))
            .ok_or_else(|| format!("unable to find specified revision {to} in history"));
    }
    let mut sorted: Vec<&(i64, T)> = items.iter().collect();
    sorted.sort_by_key(|(r, _)| std::cmp::Reverse(*r));
    match sorted.get(1) {
        Some((r, t)) => Ok((*r, t)),
        None => Err("no previous revision to roll back to".into()),
    }
}

/// A template without the controller's `pod-template-hash` label; labels
/// that end up empty count as none, as Go's maps compare.
pub fn without_hash(template: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = template.clone();
    if let Some(meta) = t.metadata.as_mut() {
        if let Some(labels) = meta.labels.as_mut() {
            labels.remove(POD_TEMPLATE_HASH);
            if labels.is_empty() {
                meta.labels = None;
            }
        }
    }
    t
}

/// kubectl's `equalIgnoreHash`: the same template but for the hash label.
pub fn templates_match(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    without_hash(a) == without_hash(b)
}

/// The Deployment's annotations after a rollback, as kubectl computes them:
/// its own bookkeeping annotations kept, the rest taken from the revision's
/// ReplicaSet (so the change-cause is that revision's).
pub fn rollback_annotations(
    deployment: Option<&BTreeMap<String, String>>,
    replica_set: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (k, v) in deployment.into_iter().flatten() {
        if KEPT_ON_ROLLBACK.contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    for (k, v) in replica_set.into_iter().flatten() {
        if !KEPT_ON_ROLLBACK.contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// The JSON patch `kubectl rollout undo` sends a Deployment.
pub fn rollback_patch(
    template: &PodTemplateSpec,
    annotations: &BTreeMap<String, String>,
) -> Result<json_patch::Patch, String> {
    serde_json::from_value(json!([
        {"op": "replace", "path": "/spec/template", "value": without_hash(template)},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]))
    .map_err(|e| format!("building the rollback patch: {e}"))
}

/// The containers' images, comma-separated, as the history shows them.
pub fn images(template: &PodTemplateSpec) -> String {
    let containers = template.spec.as_ref().map(|s| s.containers.as_slice());
    containers
        .unwrap_or_default()
        .iter()
        .map(|c| c.image.clone().unwrap_or_default())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(image: &str, hash: Option<&str>) -> PodTemplateSpec {
        let mut labels = json!({"app": "web"});
        if let Some(h) = hash {
            labels[POD_TEMPLATE_HASH] = json!(h);
        }
        serde_json::from_value(json!({
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "app", "image": image}]}
        }))
        .unwrap()
    }

    fn ann(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_previous_revision_is_the_second_newest_whatever_the_listing_order() {
        let items = [(3, "c"), (1, "a"), (5, "e"), (4, "d")];
        assert_eq!(pick(&items, None).unwrap(), (4, &"d"));
        assert_eq!(pick(&items, Some(1)).unwrap(), (1, &"a"));
        assert_eq!(
            pick(&items, Some(2)).unwrap_err(),
            "unable to find specified revision 2 in history"
        );
        assert!(pick(&[(1, "only")], None).is_err());
        assert!(pick::<&str>(&[], None).is_err());
    }

    #[test]
    fn revisions_parse_as_kubectl_reads_them() {
        assert_eq!(revision_of(Some(&ann(&[(REVISION, "7")]))), 7);
        assert_eq!(revision_of(Some(&ann(&[(REVISION, "x")]))), 0);
        assert_eq!(revision_of(None), 0);
        assert_eq!(parse_to(Some("3")).unwrap(), Some(3));
        assert_eq!(parse_to(None).unwrap(), None);
        assert!(parse_to(Some("v2"))
            .unwrap_err()
            .contains("revision number"));
        assert!(parse_to(Some("0")).is_err());
    }

    #[test]
    fn templates_compare_without_the_hash_label() {
        let current = template("demo:2", None);
        assert!(templates_match(&template("demo:2", Some("abc")), &current));
        assert!(!templates_match(&template("demo:1", Some("abc")), &current));
        let only_hash: PodTemplateSpec = serde_json::from_value(json!({
            "metadata": {"labels": {POD_TEMPLATE_HASH: "x"}}, "spec": {"containers": []}
        }))
        .unwrap();
        let bare: PodTemplateSpec =
            serde_json::from_value(json!({"metadata": {}, "spec": {"containers": []}})).unwrap();
        assert!(templates_match(&only_hash, &bare));
    }

    #[test]
    fn a_rollback_keeps_the_deployments_bookkeeping_and_takes_the_revisions_change_cause() {
        let deployment = ann(&[
            (REVISION, "4"),
            (CHANGE_CAUSE, "upgrade to demo:3"),
            ("team", "shop"),
        ]);
        let rs = ann(&[
            (REVISION, "2"),
            (CHANGE_CAUSE, "upgrade to demo:1"),
            ("deployment.kubernetes.io/desired-replicas", "3"),
        ]);
        let out = rollback_annotations(Some(&deployment), Some(&rs));
        assert_eq!(
            out,
            ann(&[(REVISION, "4"), (CHANGE_CAUSE, "upgrade to demo:1")]),
            "kubectl drops annotations the old ReplicaSet does not carry"
        );
        let patch = rollback_patch(&template("demo:1", Some("abc")), &out).unwrap();
        let value = serde_json::to_value(&patch).unwrap();
        assert_eq!(value[0]["path"], "/spec/template");
        assert_eq!(
            value[0]["value"]["metadata"]["labels"],
            json!({"app": "web"})
        );
        assert_eq!(value[1]["value"][CHANGE_CAUSE], "upgrade to demo:1");
    }

    #[test]
    fn images_list_every_container() {
        let t: PodTemplateSpec = serde_json::from_value(json!({"spec": {"containers": [
            {"name": "a", "image": "demo:1"}, {"name": "b", "image": "sidecar:2"}]}}))
        .unwrap();
        assert_eq!(images(&t), "demo:1, sidecar:2");
    }
}
