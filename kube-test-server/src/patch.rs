//! The three PATCH flavours: JSON merge (RFC 7386), JSON patch (RFC 6902) and Kubernetes'
//! strategic merge, which merges known lists by key (containers by name, ...).

use serde_json::{Map, Value};

pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let map = target.as_object_mut().expect("made an object above");
    for (k, v) in patch_map {
        if v.is_null() {
            map.remove(k);
        } else {
            merge_patch(map.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn split_pointer(path: &str) -> Result<(String, String), String> {
    let idx = path
        .rfind('/')
        .ok_or_else(|| format!("invalid JSON pointer {path:?}"))?;
    Ok((path[..idx].to_string(), unescape(&path[idx + 1..])))
}

fn parent_mut<'a>(doc: &'a mut Value, parent: &str) -> Result<&'a mut Value, String> {
    doc.pointer_mut(parent)
        .ok_or_else(|| format!("path {parent:?} does not exist"))
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (parent, last) = split_pointer(path)?;
    match parent_mut(doc, &parent)? {
        Value::Object(map) => {
            map.insert(last, value);
            Ok(())
        }
        Value::Array(items) => {
            let idx = if last == "-" {
                items.len()
            } else {
                last.parse().map_err(|_| format!("bad index {last:?}"))?
            };
            if idx > items.len() {
                return Err(format!("index {idx} out of range in {path:?}"));
            }
            items.insert(idx, value);
            Ok(())
        }
        _ => Err(format!("cannot add to a scalar at {path:?}")),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, String> {
    let (parent, last) = split_pointer(path)?;
    match parent_mut(doc, &parent)? {
        Value::Object(map) => map
            .remove(&last)
            .ok_or_else(|| format!("path {path:?} does not exist")),
        Value::Array(items) => {
            let idx: usize = last.parse().map_err(|_| format!("bad index {last:?}"))?;
            (idx < items.len())
                .then(|| items.remove(idx))
                .ok_or_else(|| format!("index out of range in {path:?}"))
        }
        _ => Err(format!("path {path:?} does not exist")),
    }
}

fn get(doc: &Value, path: &str) -> Result<Value, String> {
    doc.pointer(path)
        .cloned()
        .ok_or_else(|| format!("path {path:?} does not exist"))
}

pub fn json_patch(doc: &Value, ops: &Value) -> Result<Value, String> {
    let ops = ops
        .as_array()
        .ok_or("a JSON patch must be an array of operations")?;
    let mut doc = doc.clone();
    for op in ops {
        let path = op["path"].as_str().ok_or("every operation needs a path")?;
        let from = || {
            op["from"]
                .as_str()
                .ok_or("move and copy need a from".to_string())
        };
        match op["op"].as_str().unwrap_or_default() {
            "add" => add(&mut doc, path, op["value"].clone())?,
            "remove" => {
                remove(&mut doc, path)?;
            }
            "replace" => {
                get(&doc, path)?;
                *doc.pointer_mut(path).expect("checked above") = op["value"].clone();
            }
            "move" => {
                let value = remove(&mut doc, from()?)?;
                add(&mut doc, path, value)?;
            }
            "copy" => {
                let value = get(&doc, from()?)?;
                add(&mut doc, path, value)?;
            }
            "test" => {
                if get(&doc, path)? != op["value"] {
                    return Err(format!("test failed at {path:?}"));
                }
            }
            other => return Err(format!("unknown JSON patch operation {other:?}")),
        }
    }
    Ok(doc)
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
    fn merge_patch_replaces_lists_and_deletes_nulls() {
        let mut doc = json!({"a": {"b": 1, "c": 2}, "l": [1, 2]});
        merge_patch(&mut doc, &json!({"a": {"b": null, "d": 3}, "l": [3]}));
        assert_eq!(doc, json!({"a": {"c": 2, "d": 3}, "l": [3]}));
    }

    #[test]
    fn json_patch_applies_rfc6902_operations() {
        let doc = json!({"spec": {"replicas": 1, "list": ["a"]}});
        let out = json_patch(
            &doc,
            &json!([
                {"op": "replace", "path": "/spec/replicas", "value": 3},
                {"op": "add", "path": "/spec/list/-", "value": "b"},
                {"op": "copy", "from": "/spec/replicas", "path": "/spec/copy"},
                {"op": "move", "from": "/spec/copy", "path": "/moved"},
                {"op": "add", "path": "/metadata", "value": {"a~b/c": 1}},
                {"op": "remove", "path": "/metadata/a~0b~1c"},
                {"op": "test", "path": "/moved", "value": 3}
            ]),
        )
        .unwrap();
        assert_eq!(
            out,
            json!({"spec": {"replicas": 3, "list": ["a", "b"]}, "moved": 3, "metadata": {}})
        );
        assert!(json_patch(
            &doc,
            &json!([{"op": "replace", "path": "/nope", "value": 1}])
        )
        .is_err());
        assert!(json_patch(
            &doc,
            &json!([{"op": "test", "path": "/spec/replicas", "value": 2}])
        )
        .is_err());
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
