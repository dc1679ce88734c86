//! `deploy` as `kubectl set image` does it: which container gets the image
//! (`IMAGE` alone when the pod has one container, `CONTAINER=IMAGE` else),
//! and the strategic-merge patch that changes it and nothing else. Pure.

use k8s_openapi::api::core::v1::PodTemplateSpec;
use serde_json::{json, Value};

use super::revision::CHANGE_CAUSE;

/// One container's image change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetImage {
    pub container: String,
    pub from: String,
    pub to: String,
}

/// Reads `IMAGE` or `CONTAINER=IMAGE` against the pod template's containers.
pub fn read(template: &PodTemplateSpec, spec: &str) -> Result<SetImage, String> {
    let containers = template
        .spec
        .as_ref()
        .map(|s| s.containers.as_slice())
        .unwrap_or_default();
    let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
    let (name, image) = match spec.split_once('=') {
        Some((name, image)) => (Some(name.trim()), image.trim()),
        None => (None, spec.trim()),
    };
    if image.is_empty() {
        return Err(format!(
            "`{spec}` names no image: give IMAGE, or CONTAINER=IMAGE"
        ));
    }
    let container = match (name, containers) {
        (Some(n), _) => containers
            .iter()
            .find(|c| c.name == n)
            .ok_or_else(|| format!("no container `{n}` in the pod template (containers: {})", names.join(", ")))?,
        (None, [only]) => only,
        (None, []) => return Err("the pod template has no container".into()),
        (None, _) => {
            return Err(format!(
                "the pod runs several containers ({}): name one as CONTAINER=IMAGE, as kubectl set image does",
                names.join(", ")
            ))
        }
    };
    Ok(SetImage {
        container: container.name.clone(),
        from: container.image.clone().unwrap_or_default(),
        to: image.to_string(),
    })
}

/// The patch: the container's image, and a change-cause saying what did it,
/// which the new ReplicaSet keeps so `kubectl rollout history` shows it.
pub fn patch(set: &SetImage) -> Value {
    let cause = format!("opsdeck deploy {}={}", set.container, set.to);
    json!({
        "metadata": {"annotations": {CHANGE_CAUSE: cause}},
        "spec": {"template": {"spec": {"containers": [
            {"name": set.container, "image": set.to}
        ]}}}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(containers: &[(&str, &str)]) -> PodTemplateSpec {
        let list: Vec<Value> = containers
            .iter()
            .map(|(n, i)| json!({"name": n, "image": i}))
            .collect();
        serde_json::from_value(json!({"spec": {"containers": list}})).unwrap()
    }

    #[test]
    fn one_container_takes_the_image_alone_and_several_must_be_named() {
        let one = template(&[("app", "demo:1")]);
        assert_eq!(
            read(&one, "demo:2").unwrap(),
            SetImage {
                container: "app".into(),
                from: "demo:1".into(),
                to: "demo:2".into()
            }
        );
        let two = template(&[("app", "demo:1"), ("proxy", "envoy:1")]);
        let e = read(&two, "demo:2").unwrap_err();
        assert!(e.contains("several containers (app, proxy)"), "{e}");
        let set = read(&two, "proxy=envoy:2").unwrap();
        assert_eq!(
            (set.container.as_str(), set.from.as_str()),
            ("proxy", "envoy:1")
        );
        let e = read(&two, "web=x:1").unwrap_err();
        assert!(e.contains("no container `web`"), "{e}");
        assert!(read(&one, "app=").is_err());
    }

    #[test]
    fn the_patch_changes_the_image_and_says_who_did() {
        let set = read(&template(&[("app", "demo:1")]), "demo:2").unwrap();
        let p = patch(&set);
        assert_eq!(
            p["spec"]["template"]["spec"]["containers"][0]["image"],
            "demo:2"
        );
        assert_eq!(
            p["metadata"]["annotations"][CHANGE_CAUSE],
            "opsdeck deploy app=demo:2"
        );
    }
}
