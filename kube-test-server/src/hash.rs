//! The pod-template hash that names a Deployment's ReplicaSets (`name-hash`).

use serde_json::Value;

/// Kubernetes' alphabet for hashes in names: no vowels, so no words, and no look-alikes.
const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

pub fn safe_encode(text: &str) -> String {
    text.bytes()
        .map(|b| SAFE[b as usize % SAFE.len()] as char)
        .collect()
}

fn fnv32a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

/// JSON with sorted keys, so equal templates hash equally whatever order they arrived in.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            out.push('{');
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The template without the `pod-template-hash` label a ReplicaSet adds to it.
pub fn strip_hash_label(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(labels) = t
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove("pod-template-hash");
        if labels.is_empty() {
            t["metadata"].as_object_mut().map(|m| m.remove("labels"));
        }
    }
    if t.get("metadata")
        .and_then(Value::as_object)
        .is_some_and(|m| m.is_empty())
    {
        t.as_object_mut().map(|m| m.remove("metadata"));
    }
    t
}

/// Like Kubernetes' ComputeHash: FNV-32a of the template (and collision count), safely encoded.
pub fn pod_template_hash(template: &Value, collision_count: Option<u64>) -> String {
    let mut text = String::new();
    canonical(&strip_hash_label(template), &mut text);
    if let Some(count) = collision_count {
        text.push_str(&count.to_string());
    }
    safe_encode(&fnv32a(text.as_bytes()).to_string())
}

/// Two templates are the same rollout target when they differ only in the hash label.
pub fn templates_equal(a: &Value, b: &Value) -> bool {
    strip_hash_label(a) == strip_hash_label(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hash_ignores_key_order_and_the_hash_label() {
        let a = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}});
        let b = json!({"spec": {"containers": [{"image": "x", "name": "c"}]},
                       "metadata": {"labels": {"pod-template-hash": "abc", "app": "web"}}});
        assert_eq!(pod_template_hash(&a, None), pod_template_hash(&b, None));
        assert!(templates_equal(&a, &b));
        let c = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "y"}]}});
        assert_ne!(pod_template_hash(&a, None), pod_template_hash(&c, None));
        assert_ne!(
            pod_template_hash(&a, None),
            pod_template_hash(&a, Some(1)),
            "collisions change the hash"
        );
    }

    #[test]
    fn hashes_use_only_the_safe_alphabet() {
        let h = pod_template_hash(&json!({"spec": {}}), None);
        assert!(!h.is_empty() && h.bytes().all(|b| SAFE.contains(&b)), "{h}");
        assert_eq!(safe_encode("0"), "4", "48 % 27 = 21, the 22nd letter");
    }

    #[test]
    fn fnv_matches_the_reference_vectors() {
        assert_eq!(fnv32a(b""), 0x811c9dc5);
        assert_eq!(fnv32a(b"a"), 0xe40c292c);
    }
}
