//! A pod as the watch store keeps it: the fields the conversion reads, decoded
//! straight from the API's JSON. k8s-openapi's `Pod` holds every field of the
//! API inline (a `Container` alone is 2.3 kB with all of it empty), so 10,000
//! of them came to some 70 MB; these records are a fraction of that, and the
//! fields opsdeck never shows (env, probes, volumes) are never allocated.

use k8s_openapi::api::core::v1::ResourceRequirements;
use k8s_openapi::api::core::v1::{ContainerPort, ContainerState, PodCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::NamespaceResourceScope;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PodRecord {
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: Option<PodSpecRecord>,
    pub status: Option<PodStatusRecord>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpecRecord {
    pub node_name: Option<String>,
    #[serde(default)]
    pub containers: Vec<ContainerRecord>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContainerRecord {
    #[serde(default)]
    pub name: String,
    pub image: Option<String>,
    pub ports: Option<Vec<ContainerPort>>,
    pub resources: Option<ResourceRequirements>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodStatusRecord {
    pub phase: Option<String>,
    pub reason: Option<String>,
    pub conditions: Option<Vec<PodCondition>>,
    pub start_time: Option<Time>,
    pub container_statuses: Option<Vec<ContainerStatusRecord>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatusRecord {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub ready: bool,
    #[serde(default)]
    pub restart_count: i32,
    #[serde(rename = "imageID", default)]
    pub image_id: String,
    pub state: Option<ContainerState>,
    pub last_state: Option<ContainerState>,
}

// The same resource as `Pod`, so kube lists and watches it at the same path.
impl k8s_openapi::Resource for PodRecord {
    const API_VERSION: &'static str = "v1";
    const GROUP: &'static str = "";
    const KIND: &'static str = "Pod";
    const VERSION: &'static str = "v1";
    const URL_PATH_SEGMENT: &'static str = "pods";
    type Scope = NamespaceResourceScope;
}

impl k8s_openapi::Metadata for PodRecord {
    type Ty = ObjectMeta;

    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }

    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}
