//! `opsdeck demo up | down`: a small Compose project, `opsdeck-demo`, with
//! service `api` (two healthchecked replicas of the scratch demo image) on
//! its own network, labelled as docker-compose 1.x labels its containers, so
//! opsdeck's console and verbs, and `docker-compose ps`, see a Compose service.

use super::image::{
    build_demo_front, build_demo_v1, build_demo_v2_broken, build_demo_v3_late, DEMO_FRONT,
    DEMO_PORT, DEMO_V1, DEMO_V2_BROKEN, DEMO_V3_LATE,
};
use crate::action::docker::{compose_name, labelled};
use bollard::models::{ContainerCreateBody, HostConfig, NetworkCreateRequest, PortBinding};
use bollard::query_parameters::{CreateContainerOptionsBuilder, RemoveContainerOptionsBuilder};
use bollard::Docker;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The project `demo up` starts unless told another name.
pub const PROJECT: &str = "opsdeck-demo";
pub const SERVICE: &str = "api";
/// The front door's Compose service.
pub const FRONT: &str = "front";
/// The front door's port on the host unless told another.
pub const FRONT_PORT: u16 = 18080;
const REPLICAS: u32 = 2;
/// On the front door: the probe opsdeck adds by itself when it runs without
/// a config, and the workload that probe's alerts are about.
pub const PROBE_URL_LABEL: &str = "io.opsdeck.probe.url";
pub const PROBE_WORKLOAD_LABEL: &str = "io.opsdeck.probe.workload";
/// The docker-compose version whose labels these are.
const COMPOSE_VERSION: &str = "1.29.2";

fn network(project: &str) -> String {
    format!("{project}_default")
}

/// The compose file that describes what `up` makes, so docker-compose can
/// be pointed at the project (`-p opsdeck-demo -f FILE`).
pub fn compose_file_text(front_port: u16) -> String {
    format!(
        "# Written by `opsdeck demo up`; opsdeck made the containers this describes.\n\
         version: \"2.4\"\n\
         services:\n  {SERVICE}:\n    image: {DEMO_V1}\n    ports:\n      - \"127.0.0.1::{DEMO_PORT}\"\n\
         \x20 {FRONT}:\n    image: {DEMO_FRONT}\n    ports:\n      - \"127.0.0.1:{front_port}:{DEMO_PORT}\"\n"
    )
}

fn labels(
    project: &str,
    service: &str,
    number: u32,
    file: &Path,
    hash: &str,
) -> HashMap<String, String> {
    let dir = file
        .parent()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    HashMap::from([
        ("com.docker.compose.project".into(), project.into()),
        ("com.docker.compose.service".into(), service.into()),
        (
            "com.docker.compose.container-number".into(),
            number.to_string(),
        ),
        ("com.docker.compose.oneoff".into(), "False".into()),
        ("com.docker.compose.version".into(), COMPOSE_VERSION.into()),
        ("com.docker.compose.config-hash".into(), hash.into()),
        ("com.docker.compose.project.working_dir".into(), dir),
        (
            "com.docker.compose.project.config_files".into(),
            file.display().to_string(),
        ),
    ])
}

fn replica_body(project: &str, number: u32, file: &Path, hash: &str) -> ContainerCreateBody {
    let port = format!("{DEMO_PORT}/tcp");
    let bindings = HashMap::from([(
        port,
        Some(vec![PortBinding {
            host_ip: Some("127.0.0.1".into()),
            host_port: Some(String::new()),
        }]),
    )]);
    let mut labels = labels(project, SERVICE, number, file, hash);
    // Scraped by opsdeck (and any Prometheus) without a [[scrape]]: each
    // replica's own /metrics, its requests and their status codes.
    labels.insert("prometheus.io/scrape".into(), "true".into());
    labels.insert("prometheus.io/port".into(), DEMO_PORT.to_string());
    ContainerCreateBody {
        image: Some(DEMO_V1.into()),
        labels: Some(labels),
        host_config: Some(HostConfig {
            port_bindings: Some(bindings),
            network_mode: Some(network(project)),
            ..Default::default()
        }),
        networking_config: Some(bollard::models::NetworkingConfig {
            endpoints_config: Some(HashMap::from([(
                network(project),
                bollard::models::EndpointSettings {
                    aliases: Some(vec![SERVICE.into()]),
                    ..Default::default()
                },
            )])),
        }),
        ..Default::default()
    }
}

/// The front door's container: a fixed port on the host, labelled with the
/// probe a console without a config adds for it.
fn front_body(
    project: &str,
    target: &str,
    port: u16,
    file: &Path,
    hash: &str,
) -> ContainerCreateBody {
    let mut labels = labels(project, FRONT, 1, file, hash);
    labels.insert(PROBE_URL_LABEL.into(), front_url(port, "/health"));
    labels.insert(
        PROBE_WORKLOAD_LABEL.into(),
        format!("{target}/{project}/{SERVICE}"),
    );
    let bindings = HashMap::from([(
        format!("{DEMO_PORT}/tcp"),
        Some(vec![PortBinding {
            host_ip: Some("127.0.0.1".into()),
            host_port: Some(port.to_string()),
        }]),
    )]);
    ContainerCreateBody {
        image: Some(DEMO_FRONT.into()),
        labels: Some(labels),
        host_config: Some(HostConfig {
            port_bindings: Some(bindings),
            network_mode: Some(network(project)),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// `http://127.0.0.1:PORT/PATH` on the front door.
pub fn front_url(port: u16, path: &str) -> String {
    format!("http://127.0.0.1:{port}{path}")
}

/// What `up` made: the compose file, each replica's URL, the front door's.
pub struct Up {
    pub file: PathBuf,
    pub replicas: Vec<String>,
    pub front: String,
}

/// Builds the images if missing, creates the network, the replicas and the
/// front door that are not there yet, and starts them.
pub async fn up(
    docker: &Docker,
    target: &str,
    project: &str,
    front_port: u16,
    binary: &Path,
    data_dir: &Path,
) -> Result<Up, String> {
    if project.is_empty()
        || !project
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return Err(format!(
            "`{project}` is not a Compose project name: use lowercase letters, digits, - and _"
        ));
    }
    let bin = binary.to_path_buf();
    tokio::task::spawn_blocking(move || {
        build_demo_v1(&bin)
            .and(build_demo_v2_broken(&bin))
            .and(build_demo_v3_late(&bin))
            .and(build_demo_front(&bin))
    })
    .await
    .map_err(|e| e.to_string())??;
    let file = data_dir
        .join("demo")
        .join(project)
        .join("docker-compose.yml");
    let text = compose_file_text(front_port);
    std::fs::create_dir_all(file.parent().unwrap_or(data_dir))
        .and_then(|_| std::fs::write(&file, &text))
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let hash = super::image::sha256_text(&text);

    if docker
        .inspect_network(&network(project), None)
        .await
        .is_err()
    {
        let req = NetworkCreateRequest {
            name: network(project),
            labels: Some(HashMap::from([
                ("com.docker.compose.project".into(), project.into()),
                ("com.docker.compose.network".into(), "default".into()),
                ("com.docker.compose.version".into(), COMPOSE_VERSION.into()),
            ])),
            ..Default::default()
        };
        docker
            .create_network(req)
            .await
            .map_err(|e| format!("creating network {}: {e}", network(project)))?;
    }
    let mut urls = Vec::new();
    for n in 1..=REPLICAS {
        let name = compose_name(project, SERVICE, n);
        if docker.inspect_container(&name, None).await.is_err() {
            let opts = CreateContainerOptionsBuilder::default().name(&name).build();
            docker
                .create_container(Some(opts), replica_body(project, n, &file, &hash))
                .await
                .map_err(|e| format!("creating {name}: {e}"))?;
        }
        // Starting a running container is a no-op (304), so `up` can be run again.
        match docker.start_container(&name, None).await {
            Ok(())
            | Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 304, ..
            }) => {}
            Err(e) => return Err(format!("starting {name}: {e}")),
        }
        urls.push(format!("{name}: {}", url_of(docker, &name).await?));
    }
    let front = compose_name(project, FRONT, 1);
    if docker.inspect_container(&front, None).await.is_err() {
        let opts = CreateContainerOptionsBuilder::default()
            .name(&front)
            .build();
        docker
            .create_container(
                Some(opts),
                front_body(project, target, front_port, &file, &hash),
            )
            .await
            .map_err(|e| format!("creating {front}: {e}"))?;
    }
    match docker.start_container(&front, None).await {
        Ok(())
        | Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 304, ..
        }) => {}
        Err(e) => return Err(format!("starting {front} on port {front_port}: {e}")),
    }
    Ok(Up {
        file,
        replicas: urls,
        front: front_url(front_port, "/"),
    })
}

async fn url_of(docker: &Docker, name: &str) -> Result<String, String> {
    let c = docker
        .inspect_container(name, None)
        .await
        .map_err(|e| format!("inspecting {name}: {e}"))?;
    let port = c
        .network_settings
        .and_then(|n| n.ports)
        .and_then(|p| p.get(&format!("{DEMO_PORT}/tcp")).cloned().flatten())
        .and_then(|b| b.into_iter().find_map(|b| b.host_port))
        .ok_or_else(|| format!("{name} publishes no port"))?;
    Ok(format!("http://127.0.0.1:{port}/"))
}

/// Removes every container of the project (whatever opsdeck scaled it to) and its network.
pub async fn down(docker: &Docker, project: &str) -> Result<Vec<String>, String> {
    let listed = labelled(
        docker,
        vec![format!("com.docker.compose.project={project}")],
    )
    .await?;
    let mut removed = Vec::new();
    for c in listed {
        let Some(id) = c.id else { continue };
        let name = c
            .names
            .and_then(|n| n.first().cloned())
            .unwrap_or_else(|| id.clone());
        let opts = RemoveContainerOptionsBuilder::default().force(true).build();
        docker
            .remove_container(&id, Some(opts))
            .await
            .map_err(|e| format!("removing {name}: {e}"))?;
        removed.push(name.trim_start_matches('/').to_string());
    }
    let net = network(project);
    if docker.inspect_network(&net, None).await.is_ok() {
        docker
            .remove_network(&net)
            .await
            .map_err(|e| format!("removing network {net}: {e}"))?;
        removed.push(net);
    }
    Ok(removed)
}

/// The images `up` builds, for the printout.
pub const IMAGES: [&str; 4] = [DEMO_V1, DEMO_V2_BROKEN, DEMO_V3_LATE, DEMO_FRONT];
