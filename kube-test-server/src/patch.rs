//! The three PATCH flavours: JSON merge (RFC 7386) and JSON patch (RFC 6902)
//! by the `json-patch` crate, and Kubernetes' strategic merge, by hand (no
//! crate knows Kubernetes' merge keys): known lists merge by key (containers
//! by name, ...).

use serde_json::{Map, Value};

/// RFC 6902, all operations or none: `doc` is unchanged when one fails.
pub fn apply_json_patch(doc: &mut Value, ops: &Value) -> Result<(), String> {
    let ops: json_patch::Patch = serde_json::from_value(ops.clone())
        .map_err(|e| format!("not a JSON patch (an array of operations): {e}"))?;
    json_patch::patch(doc, &ops).map_err(|e| e.to_string())
}

/// The merge key of a list field, as the Kubernetes types declare it (`patchMergeKey`).
fn merge_key(field: &str, parent: &str) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims"
        | "schedulingGates" => "name",
        "ports" if parent == "container" => "containerPort",
        "ports" => "port",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "conditions" => "type",
        "ownerReferences" => "uid",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        _ => return None,
    })
}

/// Lists of scalars merged as sets rather than replaced.
fn merges_scalars(field: &str) -> bool {
    field == "finalizers"
}

fn context_for(field: &str) -> &'static str {
    match field {
        "containers" | "initContainers" | "ephemeralContainers" => "container",
        _ => "",
    }
}

pub fn strategic_merge(target: &mut Value, patch: &Value) -> Result<(), String> {
    merge_map(target, patch, "")
}

fn merge_map(target: &mut Value, patch: &Value, context: &str) -> Result<(), String> {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return Ok(());
    };
    match patch_map.get("$patch").and_then(Value::as_str) {
        Some("replace") => {
            let mut replaced = patch_map.clone();
            replaced.remove("$patch");
            *target = Value::Object(replaced);
            return Ok(());
        }
        Some("delete") => {
            *target = Value::Null;
            return Ok(());
        }
        Some(other) => return Err(format!("unknown patch directive {other:?}")),
        None => {}
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let mut orders = Vec::new();
    let mut retain = None;
    for (key, value) in patch_map {
        if let Some(field) = key.strip_prefix("$setElementOrder/") {
            orders.push((field.to_string(), value.clone()));
            continue;
        }
        if key == "$retainKeys" {
            retain = value.as_array().cloned();
            continue;
        }
        let map = target.as_object_mut().expect("made an object above");
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let Some(Value::Array(items)) = map.get_mut(field) {
                let drop = value.as_array().cloned().unwrap_or_default();
                items.retain(|i| !drop.contains(i));
            }
            continue;
        }
        if value.is_null() {
            map.remove(key);
            continue;
        }
        let slot = map.entry(key.clone()).or_insert(Value::Null);
        match value {
            Value::Object(_) => {
                merge_map(slot, value, "")?;
                if slot.is_null() {
                    map.remove(key);
                }
            }
            Value::Array(items) => merge_list(slot, items, key, context)?,
            scalar => *slot = scalar.clone(),
        }
    }
    let map = target.as_object_mut().expect("made an object above");
    for (field, order) in orders {
        if let (Some(Value::Array(items)), Some(order)) = (map.get_mut(&field), order.as_array()) {
            reorder(items, order, merge_key(&field, context));
        }
    }
    if let Some(keep) = retain {
        map.retain(|k, _| keep.iter().any(|r| r.as_str() == Some(k)));
    }
    Ok(())
}

fn merge_list(slot: &mut Value, patch: &[Value], field: &str, context: &str) -> Result<(), String> {
    if merges_scalars(field) {
        let mut items = slot.as_array().cloned().unwrap_or_default();
        for p in patch {
            if !items.contains(p) {
                items.push(p.clone());
            }
        }
        *slot = Value::Array(items);
        return Ok(());
    }
    let replaces = patch
        .iter()
        .any(|p| p.get("$patch").and_then(Value::as_str) == Some("replace"));
    let key = match merge_key(field, context) {
        Some(key) if !replaces => key,
        // Lists without a merge key, or marked `$patch: replace`, are replaced whole.
        _ => {
            let items = patch.iter().filter(|p| p.get("$patch").is_none());
            *slot = Value::Array(items.cloned().collect());
            return Ok(());
        }
    };
    let mut items = slot.as_array().cloned().unwrap_or_default();
    let child_context = context_for(field);
    for p in patch {
        let id = &p[key];
        let existing = items.iter().position(|i| &i[key] == id);
        if p.get("$patch").and_then(Value::as_str) == Some("delete") {
            if let Some(at) = existing {
                items.remove(at);
            }
            continue;
        }
        match existing {
            Some(at) => merge_map(&mut items[at], p, child_context)?,
            None => {
                let mut fresh = Value::Object(Map::new());
                merge_map(&mut fresh, p, child_context)?;
                items.push(fresh);
            }
        }
    }
    *slot = Value::Array(items);
    Ok(())
}

/// `$setElementOrder`: listed elements first in the given order, the rest after, as they were.
fn reorder(items: &mut Vec<Value>, order: &[Value], key: Option<&str>) {
    let id = |v: &Value| key.map(|k| v[k].clone()).unwrap_or_else(|| v.clone());
    let mut sorted = Vec::with_capacity(items.len());
    for o in order {
        let want = id(o);
        if let Some(at) = items.iter().position(|i| id(i) == want) {
            sorted.push(items.remove(at));
        }
    }
    sorted.append(items);
    *items = sorted;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_patch_is_all_or_nothing_and_says_what_failed() {
        let doc = json!({"spec": {"replicas": 1, "list": ["a"]}});
        let mut out = doc.clone();
        apply_json_patch(
            &mut out,
            &json!([
                {"op": "replace", "path": "/spec/replicas", "value": 3},
                {"op": "add", "path": "/spec/list/-", "value": "b"},
                {"op": "test", "path": "/spec/replicas", "value": 3}
            ]),
        )
        .unwrap();
        assert_eq!(out, json!({"spec": {"replicas": 3, "list": ["a", "b"]}}));
        let mut out = doc.clone();
        let e = apply_json_patch(
            &mut out,
            &json!([
                {"op": "replace", "path": "/spec/replicas", "value": 3},
                {"op": "test", "path": "/spec/replicas", "value": 2}
            ]),
        )
        .unwrap_err();
        assert!(e.contains("/spec/replicas"), "{e}");
        assert_eq!(out, doc, "the first operation was undone");
        let e = apply_json_patch(&mut out, &json!({"op": "add"})).unwrap_err();
        assert!(e.starts_with("not a JSON patch"), "{e}");
        let e =
            apply_json_patch(&mut out, &json!([{"op": "frobnicate", "path": "/a"}])).unwrap_err();
        assert!(e.starts_with("not a JSON patch"), "{e}");
    }

    #[test]
    fn strategic_merge_merges_containers_by_name() {
        let mut doc = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "app:1", "ports": [{"containerPort": 80, "name": "http"}]},
            {"name": "side", "image": "side:1"}
        ]}}}});
        strategic_merge(
            &mut doc,
            &json!({"spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "side"}, {"name": "app"}],
                "containers": [{"name": "app", "image": "app:2", "ports": [{"containerPort": 81}]},
                               {"name": "new", "image": "new:1"}]
            }}}}),
        )
        .unwrap();
        let containers = &doc["spec"]["template"]["spec"]["containers"];
        assert_eq!(containers[0]["name"], "side");
        assert_eq!(containers[1]["image"], "app:2");
        assert_eq!(
            containers[1]["ports"].as_array().unwrap().len(),
            2,
            "ports merge by containerPort"
        );
        assert_eq!(containers[2]["name"], "new");
    }

    #[test]
    fn strategic_merge_directives() {
        let mut doc = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}], "tolerations": [{"key": "x"}],
                                       "sel": {"x": 1, "y": 2}},
                             "metadata": {"finalizers": ["f1"]}});
        strategic_merge(
            &mut doc,
            &json!({"spec": {"containers": [{"name": "a", "$patch": "delete"}], "tolerations": [{"key": "y"}],
                             "sel": {"$patch": "replace", "z": 3}},
                    "metadata": {"finalizers": ["f2"], "$deleteFromPrimitiveList/finalizers": ["f1"]}}),
        )
        .unwrap();
        assert_eq!(doc["spec"]["containers"], json!([{"name": "b"}]));
        assert_eq!(
            doc["spec"]["tolerations"],
            json!([{"key": "y"}]),
            "lists without a merge key are replaced"
        );
        assert_eq!(doc["spec"]["sel"], json!({"z": 3}));
        assert_eq!(doc["metadata"]["finalizers"], json!(["f2"]));
    }
}
