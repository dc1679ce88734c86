//! The resource types the server knows, and the discovery documents built from them.

use serde_json::{json, Value};

pub struct Resource {
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    /// Subresources, each with the kind it serves (`scale` answers an autoscaling/v1 Scale).
    pub subresources: &'static [&'static str],
    pub read_only: bool,
}

const RW: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const RO: &[&str] = &["get", "list"];

macro_rules! res {
    ($g:expr, $v:expr, $p:expr, $s:expr, $k:expr, $ns:expr, $short:expr, $subs:expr) => {
        Resource {
            group: $g,
            version: $v,
            plural: $p,
            singular: $s,
            kind: $k,
            namespaced: $ns,
            short_names: $short,
            subresources: $subs,
            read_only: false,
        }
    };
}

pub static RESOURCES: &[Resource] = &[
    res!(
        "",
        "v1",
        "namespaces",
        "namespace",
        "Namespace",
        false,
        &["ns"],
        &["status", "finalize"]
    ),
    res!(
        "",
        "v1",
        "pods",
        "pod",
        "Pod",
        true,
        &["po"],
        &["status", "log", "exec"]
    ),
    res!("", "v1", "events", "event", "Event", true, &["ev"], &[]),
    res!(
        "",
        "v1",
        "nodes",
        "node",
        "Node",
        false,
        &["no"],
        &["status"]
    ),
    res!(
        "",
        "v1",
        "services",
        "service",
        "Service",
        true,
        &["svc"],
        &["status"]
    ),
    res!(
        "",
        "v1",
        "configmaps",
        "configmap",
        "ConfigMap",
        true,
        &["cm"],
        &[]
    ),
    // Stored as given: the tests of masking need real Secrets to read.
    res!("", "v1", "secrets", "secret", "Secret", true, &[], &[]),
    res!(
        "apps",
        "v1",
        "deployments",
        "deployment",
        "Deployment",
        true,
        &["deploy"],
        &["scale", "status"]
    ),
    res!(
        "apps",
        "v1",
        "replicasets",
        "replicaset",
        "ReplicaSet",
        true,
        &["rs"],
        &["scale", "status"]
    ),
    res!(
        "apps",
        "v1",
        "statefulsets",
        "statefulset",
        "StatefulSet",
        true,
        &["sts"],
        &["scale", "status"]
    ),
    res!(
        "apps",
        "v1",
        "daemonsets",
        "daemonset",
        "DaemonSet",
        true,
        &["ds"],
        &["status"]
    ),
    res!(
        "apps",
        "v1",
        "controllerrevisions",
        "controllerrevision",
        "ControllerRevision",
        true,
        &[],
        &[]
    ),
    res!(
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        "HorizontalPodAutoscaler",
        true,
        &["hpa"],
        &["status"]
    ),
    Resource {
        read_only: true,
        ..res!(
            "metrics.k8s.io",
            "v1beta1",
            "pods",
            "",
            "PodMetrics",
            true,
            &[],
            &[]
        )
    },
    Resource {
        read_only: true,
        ..res!(
            "metrics.k8s.io",
            "v1beta1",
            "nodes",
            "",
            "NodeMetrics",
            false,
            &[],
            &[]
        )
    },
];

/// The groups in discovery order, each with its one version.
const GROUPS: &[(&str, &str)] = &[
    ("apps", "v1"),
    ("autoscaling", "v2"),
    ("metrics.k8s.io", "v1beta1"),
];

impl Resource {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployments.apps`, `pods`: how Kubernetes names a resource in messages.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The storage key: resource names repeat across groups (metrics pods vs core pods).
    pub fn key(&self) -> String {
        format!("{}/{}", self.group, self.plural)
    }

    pub fn list_kind(&self) -> String {
        format!("{}List", self.kind)
    }
}

pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static Resource> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// The resource by group and plural, for code that knows what it wants.
pub fn get(group: &str, plural: &str) -> &'static Resource {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.plural == plural)
        .expect("resource is in the table")
}

pub fn version_info() -> Value {
    json!({
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-opsdeck-test",
        "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc",
        "platform": "linux/amd64",
    })
}

pub fn core_versions() -> Value {
    json!({"kind": "APIVersions", "versions": ["v1"],
           "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
}

fn group_doc(name: &str, version: &str) -> Value {
    let gv = json!({"groupVersion": format!("{name}/{version}"), "version": version});
    json!({"name": name, "versions": [gv.clone()], "preferredVersion": gv})
}

pub const METRICS_GROUP: &str = "metrics.k8s.io";

/// The API groups, metrics.k8s.io only where a metrics-server would serve it.
pub fn group_list(metrics: bool) -> Value {
    let groups: Vec<Value> = GROUPS
        .iter()
        .filter(|(g, _)| metrics || *g != METRICS_GROUP)
        .map(|(g, v)| group_doc(g, v))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub fn group(name: &str) -> Option<Value> {
    GROUPS.iter().find(|(g, _)| *g == name).map(|(g, v)| {
        let mut doc = group_doc(g, v);
        doc["kind"] = json!("APIGroup");
        doc["apiVersion"] = json!("v1");
        doc
    })
}

pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    let mut resources = Vec::new();
    for r in RESOURCES
        .iter()
        .filter(|r| r.group == group && r.version == version)
    {
        let verbs = if r.read_only { RO } else { RW };
        let mut doc = json!({"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced,
                             "kind": r.kind, "verbs": verbs, "storageVersionHash": ""});
        if !r.short_names.is_empty() {
            doc["shortNames"] = json!(r.short_names);
        }
        if matches!(
            r.plural,
            "pods" | "deployments" | "replicasets" | "statefulsets" | "daemonsets" | "services"
        ) && !r.read_only
        {
            doc["categories"] = json!(["all"]);
        }
        resources.push(doc);
        for sub in r.subresources {
            let mut sub_doc = json!({"name": format!("{}/{sub}", r.plural), "singularName": "",
                                     "namespaced": r.namespaced, "kind": r.kind, "verbs": ["get", "patch", "update"]});
            match *sub {
                "scale" => {
                    sub_doc["group"] = json!("autoscaling");
                    sub_doc["version"] = json!("v1");
                    sub_doc["kind"] = json!("Scale");
                }
                "log" => {
                    sub_doc["kind"] = json!("Pod");
                    sub_doc["verbs"] = json!(["get"]);
                }
                "exec" => {
                    sub_doc["kind"] = json!("PodExecOptions");
                    sub_doc["verbs"] = json!(["create", "get"]);
                }
                "finalize" => sub_doc["verbs"] = json!(["update"]),
                _ => {}
            }
            resources.push(sub_doc);
        }
    }
    if resources.is_empty() {
        return None;
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
    )
}
