//! The few engine calls every kind shares: find, inspect, create and start
//! containers, and look up images. Nothing is pulled: an image must already
//! be on the target.

use super::replica::{Replica, ONEOFF, PROJECT, SERVICE};
use bollard::models::{ContainerCreateBody, EndpointSettings, NetworkConnectRequest};
use bollard::query_parameters::{CreateContainerOptionsBuilder, ListContainersOptionsBuilder};
use bollard::Docker;
use std::collections::HashMap;
use tokio::sync::mpsc;

/// Where a running action says what it is doing.
#[derive(Clone)]
pub struct Progress(pub mpsc::Sender<String>);

impl Progress {
    pub async fn say(&self, line: String) {
        // The receiver going away (the UI closed) must not stop the action half-way.
        let _ = self.0.send(line).await;
    }
}

pub async fn inspect(docker: &Docker, id: &str) -> Result<Replica, String> {
    docker
        .inspect_container(id, None)
        .await
        .map(Replica::from_inspect)
        .map_err(|e| format!("inspecting {id}: {e}"))
}

/// Every container, running or not, that carries all of `labels` (`key=value`).
pub async fn labelled(
    docker: &Docker,
    labels: Vec<String>,
) -> Result<Vec<bollard::models::ContainerSummary>, String> {
    let filters = HashMap::from([("label".to_string(), labels)]);
    let opts = ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    docker
        .list_containers(Some(opts))
        .await
        .map_err(|e| format!("listing containers: {e}"))
}

/// The containers of a Compose service (one-off `run` containers excluded),
/// lowest number first.
pub async fn compose_replicas(
    docker: &Docker,
    project: &str,
    service: &str,
) -> Result<Vec<Replica>, String> {
    let listed = labelled(
        docker,
        vec![
            format!("{PROJECT}={project}"),
            format!("{SERVICE}={service}"),
        ],
    )
    .await?;
    let mut out = Vec::new();
    for c in listed {
        let oneoff = c
            .labels
            .as_ref()
            .and_then(|l| l.get(ONEOFF))
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if let (false, Some(id)) = (oneoff, c.id) {
            out.push(inspect(docker, &id).await?);
        }
    }
    out.sort_by_key(|r| r.number);
    Ok(out)
}

/// The content id of an image on the target, or an error saying it is not there.
pub async fn image_id(docker: &Docker, image: &str, target: &str) -> Result<String, String> {
    match docker.inspect_image(image).await {
        Ok(i) => i.id.ok_or_else(|| format!("image {image} has no id")),
        Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => Err(format!(
            "image {image} is not on target {target}: opsdeck never pulls, so build or load it there first"
        )),
        Err(e) => Err(format!("inspecting image {image}: {e}")),
    }
}

/// Creates `name` from `body`, joins the other networks, starts it; returns its id.
pub async fn create_and_start(
    docker: &Docker,
    name: &str,
    body: ContainerCreateBody,
    extra_networks: Vec<(String, EndpointSettings)>,
) -> Result<String, String> {
    let opts = CreateContainerOptionsBuilder::default().name(name).build();
    let id = docker
        .create_container(Some(opts), body)
        .await
        .map_err(|e| format!("creating {name}: {e}"))?
        .id;
    for (net, settings) in extra_networks {
        let req = NetworkConnectRequest {
            container: id.clone(),
            endpoint_config: Some(settings),
        };
        docker
            .connect_network(&net, req)
            .await
            .map_err(|e| format!("connecting {name} to {net}: {e}"))?;
    }
    docker
        .start_container(&id, None)
        .await
        .map_err(|e| format!("starting {name}: {e}"))?;
    Ok(id)
}
