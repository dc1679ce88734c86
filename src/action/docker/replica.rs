//! One container of a workload, and the pure recipes that copy it: a scale
//! clone (same everything, the next number, no fixed host port) or a
//! replacement (same everything, another image).

use bollard::models::{
    ContainerConfig, ContainerCreateBody, ContainerInspectResponse, EndpointSettings, ImageConfig,
    NetworkingConfig,
};
use std::collections::HashMap;

pub const PROJECT: &str = "com.docker.compose.project";
pub const SERVICE: &str = "com.docker.compose.service";
pub const NUMBER: &str = "com.docker.compose.container-number";
pub const ONEOFF: &str = "com.docker.compose.oneoff";

/// A container as the actions see it.
#[derive(Debug, Clone)]
pub struct Replica {
    pub id: String,
    pub name: String,
    /// Compose's container number; 1 for a plain container.
    pub number: u32,
    /// The image as it was named at create time (`opsdeck-demo:v1`).
    pub image: String,
    /// The content id it runs (`sha256:...`).
    pub image_id: String,
    pub running: bool,
    pub inspect: ContainerInspectResponse,
}

impl Replica {
    pub fn from_inspect(inspect: ContainerInspectResponse) -> Self {
        let config = inspect.config.clone().unwrap_or_default();
        let labels = config.labels.clone().unwrap_or_default();
        Replica {
            id: inspect.id.clone().unwrap_or_default(),
            name: inspect
                .name
                .clone()
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_string(),
            number: labels.get(NUMBER).and_then(|n| n.parse().ok()).unwrap_or(1),
            image: config.image.clone().unwrap_or_default(),
            image_id: inspect.image.clone().unwrap_or_default(),
            running: inspect
                .state
                .as_ref()
                .and_then(|s| s.running)
                .unwrap_or(false),
            inspect,
        }
    }

    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(12)]
    }

    /// Container ports bound to a fixed host port, as `8080/tcp → 8080`.
    pub fn fixed_host_ports(&self) -> Vec<String> {
        let bindings = self
            .inspect
            .host_config
            .as_ref()
            .and_then(|h| h.port_bindings.clone())
            .unwrap_or_default();
        let mut out: Vec<String> = bindings
            .iter()
            .flat_map(|(port, b)| {
                b.iter()
                    .flatten()
                    .filter_map(|b| b.host_port.clone())
                    .filter(|h| !h.is_empty() && h != "0")
                    .map(move |h| format!("{port} → host {h}"))
            })
            .collect();
        out.sort();
        out
    }
}

/// Compose 1.x's container name for replica `number`.
pub fn compose_name(project: &str, service: &str, number: u32) -> String {
    format!("{project}_{service}_{number}")
}

/// The name for replica `number`, in the style the template was named in:
/// Compose v2 joins with `-`, 1.x with `_`.
pub fn clone_name(template: &Replica, project: &str, service: &str, number: u32) -> String {
    if template.name == format!("{project}-{service}-{}", template.number) {
        format!("{project}-{service}-{number}")
    } else {
        compose_name(project, service, number)
    }
}

/// A clone for scaling: the same config with the next number, the service
/// alias on every network, and each fixed host port made ephemeral (two
/// containers cannot hold one host port).
pub fn scale_clone(
    template: &Replica,
    number: u32,
    service_alias: &str,
) -> (ContainerCreateBody, Vec<(String, EndpointSettings)>) {
    let mut body = base_body(template);
    body.labels
        .get_or_insert_with(HashMap::new)
        .insert(NUMBER.into(), number.to_string());
    if let Some(bindings) = body
        .host_config
        .as_mut()
        .and_then(|h| h.port_bindings.as_mut())
    {
        for b in bindings.values_mut().flatten().flat_map(|v| v.iter_mut()) {
            b.host_port = Some(String::new());
        }
    }
    let nets = networks(template, Some(service_alias));
    attach(body, nets)
}

/// A replacement running `image`: the same container config, except what
/// the old image supplied by default, which the new image now supplies.
pub fn replacement(
    old: &Replica,
    image: &str,
    old_image: &ImageConfig,
    service_alias: Option<&str>,
) -> (ContainerCreateBody, Vec<(String, EndpointSettings)>) {
    let mut body = base_body(old);
    strip_image_defaults(&mut body, old_image);
    body.image = Some(image.to_string());
    let nets = networks(old, service_alias);
    attach(body, nets)
}

/// The inspected config as a create request. The two types share their
/// field names, so serde carries every field (including ones this code
/// does not know) across. The hostname defaults to the container id, so
/// it is dropped to let the new container get its own.
fn base_body(r: &Replica) -> ContainerCreateBody {
    let config: ContainerConfig = r.inspect.config.clone().unwrap_or_default();
    let mut body: ContainerCreateBody = serde_json::to_value(&config)
        .and_then(serde_json::from_value)
        .unwrap_or_default();
    if body
        .hostname
        .as_deref()
        .is_some_and(|h| r.id.starts_with(h))
    {
        body.hostname = None;
    }
    body.host_config = r.inspect.host_config.clone();
    body
}

fn strip_image_defaults(body: &mut ContainerCreateBody, img: &ImageConfig) {
    if let (Some(env), Some(image_env)) = (body.env.as_mut(), img.env.as_ref()) {
        env.retain(|e| !image_env.contains(e));
    }
    if let (Some(labels), Some(image_labels)) = (body.labels.as_mut(), img.labels.as_ref()) {
        labels.retain(|k, v| image_labels.get(k) != Some(v));
    }
    if let (Some(ports), Some(image_ports)) =
        (body.exposed_ports.as_mut(), img.exposed_ports.as_ref())
    {
        ports.retain(|p| !image_ports.contains(p));
    }
    if let (Some(vols), Some(image_vols)) = (body.volumes.as_mut(), img.volumes.as_ref()) {
        vols.retain(|v| !image_vols.contains(v));
    }
    if body.cmd == img.cmd {
        body.cmd = None;
    }
    if body.entrypoint == img.entrypoint {
        body.entrypoint = None;
    }
    if body.healthcheck == img.healthcheck {
        body.healthcheck = None;
    }
    if body.working_dir == img.working_dir {
        body.working_dir = None;
    }
    if body.user == img.user {
        body.user = None;
    }
    if body.stop_signal == img.stop_signal {
        body.stop_signal = None;
    }
}

/// The networks `r` is on, with the aliases it was given: the engine's own
/// alias (the short container id) is left for the engine to add again.
fn networks(r: &Replica, service_alias: Option<&str>) -> Vec<(String, EndpointSettings)> {
    let nets = r
        .inspect
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.clone())
        .unwrap_or_default();
    let mut out: Vec<(String, EndpointSettings)> = nets
        .into_iter()
        .map(|(name, e)| {
            let mut aliases: Vec<String> = e
                .aliases
                .unwrap_or_default()
                .into_iter()
                .filter(|a| !r.id.starts_with(a.as_str()))
                .collect();
            if let Some(s) = service_alias {
                if !aliases.iter().any(|a| a == s) {
                    aliases.push(s.to_string());
                }
            }
            let settings = EndpointSettings {
                aliases: (!aliases.is_empty()).then_some(aliases),
                links: e.links,
                driver_opts: e.driver_opts,
                ..Default::default()
            };
            (name, settings)
        })
        .collect();
    // The network the container was created on goes first: API 1.41 takes one at create.
    let mode = r
        .inspect
        .host_config
        .as_ref()
        .and_then(|h| h.network_mode.clone())
        .unwrap_or_default();
    out.sort_by_key(|(name, _)| (name != &mode, name.clone()));
    out
}

/// Puts the first network in the create request; the rest are connected after.
fn attach(
    mut body: ContainerCreateBody,
    mut nets: Vec<(String, EndpointSettings)>,
) -> (ContainerCreateBody, Vec<(String, EndpointSettings)>) {
    let is_user_network = |n: &str| !matches!(n, "bridge" | "host" | "none");
    if let Some(i) = nets.iter().position(|(n, _)| is_user_network(n)) {
        let (name, settings) = nets.remove(i);
        body.networking_config = Some(NetworkingConfig {
            endpoints_config: Some(HashMap::from([(name, settings)])),
        });
    }
    nets.retain(|(n, _)| is_user_network(n));
    (body, nets)
}

#[cfg(test)]
#[path = "replica_tests.rs"]
mod tests;
