//! What the watch stores keep of each object: what the conversion reads, no
//! more. A cluster's objects carry managedFields, the whole applied object in
//! `last-applied-configuration`, and pod specs with env, probes and volumes
//! that opsdeck never shows; kept for 10,000 pods they are most of what a big
//! cluster costs in memory. The actions read objects from the API, not from
//! these stores, so nothing they need is lost here.

use super::pod_record::PodRecord;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{
    Container, Event, Namespace, Node, NodeSpec, NodeStatus, PodSpec, PodTemplateSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// Annotations the conversion and the pod scrape discovery read.
const KEPT_ANNOTATIONS: [&str; 5] = [
    "deployment.kubernetes.io/revision",
    super::pod_scrapes::SCRAPE,
    super::pod_scrapes::PORT,
    super::pod_scrapes::PATH,
    super::pod_scrapes::SCHEME,
];

pub trait Slim {
    /// Drops what the conversion does not read.
    fn slim(&mut self);
}

fn meta(m: &mut ObjectMeta) {
    m.managed_fields = None;
    m.labels = None;
    m.finalizers = None;
    m.generate_name = None;
    if let Some(a) = m.annotations.as_mut() {
        a.retain(|k, _| KEPT_ANNOTATIONS.contains(&k.as_str()));
    }
    if m.annotations.as_ref().is_some_and(|a| a.is_empty()) {
        m.annotations = None;
    }
}

/// Name, image, ports and resources: the columns and the request/limit figures.
fn container(c: &mut Container) {
    *c = Container {
        name: std::mem::take(&mut c.name),
        image: c.image.take(),
        ports: c.ports.take(),
        resources: c.resources.take(),
        ..Default::default()
    };
}

fn pod_spec(s: &mut PodSpec) {
    let mut containers = std::mem::take(&mut s.containers);
    containers.iter_mut().for_each(container);
    *s = PodSpec {
        containers,
        node_name: s.node_name.take(),
        ..Default::default()
    };
}

fn template(t: &mut PodTemplateSpec) {
    t.metadata = None;
    if let Some(s) = t.spec.as_mut() {
        pod_spec(s);
    }
}

/// Pods are decoded into records of the fields opsdeck reads; their
/// metadata still comes whole.
impl Slim for PodRecord {
    fn slim(&mut self) {
        meta(&mut self.metadata);
    }
}

impl Slim for Deployment {
    fn slim(&mut self) {
        meta(&mut self.metadata);
        template(&mut self.spec.template);
    }
}

impl Slim for StatefulSet {
    fn slim(&mut self) {
        meta(&mut self.metadata);
        template(&mut self.spec.template);
        self.spec.volume_claim_templates = None;
    }
}

impl Slim for DaemonSet {
    fn slim(&mut self) {
        meta(&mut self.metadata);
        template(&mut self.spec.template);
    }
}

impl Slim for ReplicaSet {
    fn slim(&mut self) {
        meta(&mut self.metadata);
        if let Some(t) = self.spec.template.as_mut() {
            template(t);
        }
    }
}

impl Slim for Node {
    fn slim(&mut self) {
        meta(&mut self.metadata);
        if let Some(s) = self.spec.as_mut() {
            *s = NodeSpec {
                unschedulable: s.unschedulable,
                ..Default::default()
            };
        }
        // A node's status lists every image it holds, often hundreds.
        if let Some(s) = self.status.as_mut() {
            *s = NodeStatus {
                conditions: s.conditions.take(),
                allocatable: s.allocatable.take(),
                node_info: s.node_info.take(),
                ..Default::default()
            };
        }
    }
}

impl Slim for k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler {
    fn slim(&mut self) {
        meta(&mut self.metadata);
    }
}

impl Slim for Namespace {
    fn slim(&mut self) {
        meta(&mut self.metadata);
        self.spec = None;
    }
}

impl Slim for Event {
    fn slim(&mut self) {
        meta(&mut self.metadata);
        self.source = None;
        self.related = None;
        self.series = None;
        self.reporting_component = None;
        self.reporting_instance = None;
        self.action = None;
        let o = &mut self.involved_object;
        o.field_path = None;
        o.api_version = None;
        o.resource_version = None;
        o.uid = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Resources, WorkloadAddr};
    use crate::source::kube::convert;
    use crate::source::kube::convert::{Metrics, Objects, Owners};
    use serde_json::json;
    use std::sync::Arc;

    /// A pod as a real API server sends it, with everything opsdeck ignores.
    fn fat_pod() -> PodRecord {
        let mut v = convert::tests::crash_looping_pod_json();
        v["metadata"]["generateName"] = json!("api-7d4b9c-");
        v["metadata"]["labels"] = json!({"app": "api", "pod-template-hash": "7d4b9c"});
        v["metadata"]["annotations"] =
            json!({"kubectl.kubernetes.io/restartedAt": "2026-11-23T10:00:00Z"});
        v["metadata"]["managedFields"] = json!([{"manager": "kube-controller-manager",
            "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
            "fieldsV1": {"f:metadata": {}}}]);
        v["spec"]["serviceAccountName"] = json!("api");
        v["spec"]["volumes"] = json!([{"name": "config", "configMap": {"name": "api"}}]);
        let api = &mut v["spec"]["containers"][0];
        api["env"] = json!([{"name": "MODE", "value": "prod"}]);
        api["livenessProbe"] = json!({"httpGet": {"path": "/healthz", "port": 8080}});
        api["volumeMounts"] = json!([{"name": "config", "mountPath": "/etc/api"}]);
        v["status"]["podIP"] = json!("10.0.0.7");
        v["status"]["qosClass"] = json!("Burstable");
        v["status"]["containerStatuses"][0]["containerID"] = json!("containerd://1");
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_pod_record_shows_exactly_what_the_full_pod_shows() {
        let plain: PodRecord =
            serde_json::from_value(convert::tests::crash_looping_pod_json()).unwrap();
        let mut fat = fat_pod();
        fat.slim();
        let addr = || WorkloadAddr::new("prod", "shop", "api");
        let usage = Some(Resources {
            cpu_millis: 250,
            mem_bytes: 200 << 20,
        });
        assert_eq!(
            convert::instance(&fat, addr(), usage),
            convert::instance(&plain, addr(), usage)
        );
        assert!(fat.metadata.managed_fields.is_none() && fat.metadata.annotations.is_none());
        assert_eq!(
            fat.metadata.owner_references.as_ref().unwrap()[0].name,
            "api-7d4b9c",
            "ownership decides the workload"
        );
    }

    #[test]
    fn a_slim_deployment_keeps_its_revision_and_drops_the_applied_copy() {
        let full: Deployment = serde_json::from_value(json!({
            "metadata": {"name": "api", "namespace": "shop", "annotations": {
                "deployment.kubernetes.io/revision": "7",
                "kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"apps/v1\"}"}},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "api"}},
                     "template": {"metadata": {"labels": {"app": "api"}},
                                  "spec": {"containers": [{"name": "api", "image": "shop/api:2",
                                      "env": [{"name": "MODE", "value": "prod"}],
                                      "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]}}},
            "status": {"replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3}
        }))
        .unwrap();
        let mut slim = full.clone();
        slim.slim();
        let shown = |d: Deployment| {
            let o = Objects {
                deployments: vec![Arc::new(d)],
                ..Default::default()
            };
            let owners = Owners::new("prod", &[], &[]);
            convert::inventory("prod", &o, &Metrics::default(), &owners).workloads
        };
        assert_eq!(shown(slim.clone()), shown(full));
        let kept = slim.metadata.annotations.as_ref().unwrap();
        assert_eq!(
            kept.keys().collect::<Vec<_>>(),
            ["deployment.kubernetes.io/revision"]
        );
    }
}
