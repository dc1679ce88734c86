//! A Docker container as the engine inspects it, and what the engine's
//! event log says happened to it in the last hour.

use super::Fetched;
use crate::base::redact::object::mask_object;
use crate::base::time::{rfc3339, unix_now};
use crate::connect::docker::{connect, Endpoint};
use crate::model::describe::docker::ContainerEvent;
use crate::model::describe::{self, EVENTS};
use bollard::query_parameters::{
    EventsOptions, ListContainersOptionsBuilder, ListTasksOptionsBuilder,
};
use bollard::Docker;
use futures::StreamExt;
use std::collections::HashMap;

const LOOK_BACK_SECS: i64 = 3600;
/// The attributes of an event worth a line: why it died, with what.
const SHOWN: &[&str] = &["exitCode", "signal", "execDuration"];

async fn events(docker: &Docker, id: &str) -> Result<Vec<ContainerEvent>, String> {
    let now = unix_now();
    let filters = HashMap::from([
        ("container".to_string(), vec![id.to_string()]),
        ("type".to_string(), vec!["container".to_string()]),
    ]);
    // With `until` the engine sends what it has and closes the stream.
    let mut stream = docker.events(Some(EventsOptions {
        since: Some((now - LOOK_BACK_SECS).to_string()),
        until: Some(now.to_string()),
        filters: Some(filters),
    }));
    let mut out = Vec::new();
    while let Some(e) = stream.next().await {
        let e = e.map_err(|e| format!("reading the engine's events: {e}"))?;
        let action = e.action.unwrap_or_default();
        // Every health check is an exec: the health log says what they found.
        if action.starts_with("exec_") {
            continue;
        }
        let attrs = e.actor.and_then(|a| a.attributes).unwrap_or_default();
        let detail: Vec<String> = SHOWN
            .iter()
            .filter_map(|k| attrs.get(*k).map(|v| format!("{k}={v}")))
            .collect();
        out.push(ContainerEvent {
            time: rfc3339(e.time.unwrap_or_default()),
            action,
            detail: detail.join(" "),
        });
    }
    Ok(out)
}

/// The container a Compose service's address stands for: its replica with
/// the lowest number.
async fn first_replica(docker: &Docker, project: &str, service: &str) -> Result<String, String> {
    let filters = HashMap::from([(
        "label".to_string(),
        vec![
            format!("com.docker.compose.project={project}"),
            format!("com.docker.compose.service={service}"),
        ],
    )]);
    let opts = ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    let mut found: Vec<(u32, String)> = docker
        .list_containers(Some(opts))
        .await
        .map_err(|e| format!("listing containers: {e}"))?
        .into_iter()
        .map(|c| {
            let labels = c.labels.unwrap_or_default();
            let n = labels
                .get("com.docker.compose.container-number")
                .and_then(|n| n.parse().ok())
                .unwrap_or(u32::MAX);
            (n, c.id.unwrap_or_default())
        })
        .collect();
    found.sort();
    found
        .into_iter()
        .next()
        .map(|(_, id)| id)
        .ok_or_else(|| format!("no container of Compose service {project}/{service}"))
}

pub async fn fetch(
    target: &str,
    endpoint: &Endpoint,
    group: Option<&str>,
    name: &str,
) -> Result<Fetched, String> {
    let docker = connect(endpoint).await.map_err(|e| {
        format!(
            "Docker target `{target}` is unreachable: {}",
            crate::base::redact::redact(&e)
        )
    })?;
    let id = match group {
        Some(project) => match first_replica(&docker, project, name).await {
            Ok(id) => id,
            Err(none) => {
                return match service(&docker, target, Some(project), name).await? {
                    Some(f) => Ok(f),
                    None => Err(format!("{none}, and no Swarm service {project}_{name}")),
                }
            }
        },
        None => name.to_string(),
    };
    let inspect = match docker.inspect_container(&id, None).await {
        Ok(c) => c,
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => {
            // A Swarm service outside any stack is listed as `TARGET/_/NAME` too.
            return match service(&docker, target, None, name).await? {
                Some(f) => Ok(f),
                None => Err(format!(
                    "no container (or Swarm service) named `{name}` on target {target}"
                )),
            };
        }
        Err(e) => return Err(format!("inspecting {name}: {e}")),
    };
    let mut raw = serde_json::to_value(&inspect).map_err(|e| e.to_string())?;
    mask_object(&mut raw);
    let full_id = inspect.id.clone().unwrap_or(id);
    let (evs, refused) = match events(&docker, &full_id).await {
        Ok(evs) => (evs, None),
        Err(why) => (Vec::new(), Some(why)),
    };
    let mut description = describe::docker::describe(target, &raw, &evs);
    if let Some(why) = refused {
        description.unreadable(EVENTS, &why);
    }
    if let Some(project) = group {
        description.title = format!("{} (first replica of {project}/{name})", description.title);
    }
    Ok(Fetched {
        description,
        raw,
        yaml: false,
    })
}

/// The Swarm service `NAME` (of stack `GROUP`, as `docker stack` names it
/// `GROUP_NAME`) with its tasks; None when the engine has no such service
/// (or is no swarm manager).
async fn service(
    docker: &Docker,
    target: &str,
    stack: Option<&str>,
    name: &str,
) -> Result<Option<Fetched>, String> {
    let mut names = vec![name.to_string()];
    if let Some(stack) = stack {
        names.insert(0, format!("{stack}_{name}"));
    }
    for n in names {
        let found = match docker.inspect_service(&n, None).await {
            Ok(s) => s,
            // 404: no such service; 503: this engine is no swarm manager.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404 | 503,
                ..
            }) => continue,
            Err(e) => return Err(format!("inspecting service {n}: {e}")),
        };
        let id = found.id.clone().unwrap_or_default();
        let filters = HashMap::from([("service".to_string(), vec![id])]);
        let opts = ListTasksOptionsBuilder::default().filters(&filters).build();
        let mut raw = serde_json::to_value(&found).map_err(|e| e.to_string())?;
        mask_object(&mut raw);
        let description = match docker.list_tasks(Some(opts)).await {
            Ok(tasks) => {
                let mut tasks = serde_json::to_value(tasks).map_err(|e| e.to_string())?;
                mask_object(&mut tasks);
                let tasks = tasks.as_array().cloned().unwrap_or_default();
                describe::swarm::describe(target, &raw, &tasks)
            }
            Err(e) => {
                let mut d = describe::swarm::describe(target, &raw, &[]);
                d.unreadable(EVENTS, &format!("listing its tasks: {e}"));
                d
            }
        };
        return Ok(Some(Fetched {
            description,
            raw,
            yaml: false,
        }));
    }
    Ok(None)
}
