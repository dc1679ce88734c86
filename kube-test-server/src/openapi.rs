//! Just enough OpenAPI v3 for kubectl: the root index of group versions and, per group
//! version, the PATCH operations declaring the `fieldValidation` and `dryRun` parameters, so
//! kubectl leaves validation to the server instead of demanding a protobuf v2 schema.

use serde_json::{json, Value};

use crate::resources::{Resource, RESOURCES};

fn gv_path(r: &Resource) -> String {
    if r.group.is_empty() {
        format!("api/{}", r.version)
    } else {
        format!("apis/{}/{}", r.group, r.version)
    }
}

pub fn root() -> Value {
    let mut paths = serde_json::Map::new();
    for r in RESOURCES {
        let p = gv_path(r);
        paths.insert(
            p.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash=0")}),
        );
    }
    json!({"paths": paths})
}

pub fn group_version(path: &str) -> Option<Value> {
    let members: Vec<&Resource> = RESOURCES
        .iter()
        .filter(|r| gv_path(r) == path && !r.read_only)
        .collect();
    if members.is_empty() {
        return None;
    }
    let mut paths = serde_json::Map::new();
    let query = |name: &str| json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}});
    for r in members {
        let base = format!("/{}", gv_path(r));
        let item = if r.namespaced {
            format!("{base}/namespaces/{{namespace}}/{}/{{name}}", r.plural)
        } else {
            format!("{base}/{}/{{name}}", r.plural)
        };
        let gvk = json!({"group": r.group, "version": r.version, "kind": r.kind});
        paths.insert(
            item,
            json!({"patch": {
                "operationId": format!("patch{}", r.kind), "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": gvk,
                "parameters": [query("dryRun"), query("fieldManager"), query("fieldValidation"), query("force")],
                "responses": {"200": {"description": "OK"}},
            }}),
        );
    }
    Some(
        json!({"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": paths}),
    )
}
