//! Replacing containers one at a time behind a health gate, the way
//! docker-compose 1.x recreates one: stop the old container and rename it
//! aside, create the new one under its name (so ports, number and name stay),
//! wait for health, then remove the old one or put it back.

use super::engine::{create_and_start, Progress};
use super::health::{wait_ready, HealthGate};
use super::replica::{replacement, Replica};
use bollard::query_parameters::{
    RemoveContainerOptionsBuilder, RenameContainerOptionsBuilder, StopContainerOptionsBuilder,
};
use bollard::Docker;

/// Seconds a container gets to stop on SIGTERM before it is killed.
pub const STOP_GRACE_SECS: i32 = 10;

/// The name the old container waits under while its successor proves itself.
pub fn aside_name(r: &Replica) -> String {
    format!("{}_{}", r.short_id(), r.name)
}

/// Which replicas were replaced, and whether the whole set made it.
pub struct Rolled {
    pub replaced: Vec<String>,
    pub failure: Option<String>,
    /// True when a failure was undone: every replica back on its old image.
    pub rolled_back: bool,
}

pub async fn stop(docker: &Docker, id: &str) -> Result<(), String> {
    let opts = StopContainerOptionsBuilder::default()
        .t(STOP_GRACE_SECS)
        .build();
    match docker.stop_container(id, Some(opts)).await {
        Ok(()) => Ok(()),
        // 304: already stopped.
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 304, ..
        }) => Ok(()),
        Err(e) => Err(format!("stopping {id}: {e}")),
    }
}

pub async fn remove(docker: &Docker, id: &str) -> Result<(), String> {
    let opts = RemoveContainerOptionsBuilder::default().force(true).build();
    docker
        .remove_container(id, Some(opts))
        .await
        .map_err(|e| format!("removing {id}: {e}"))
}

async fn rename(docker: &Docker, id: &str, name: &str) -> Result<(), String> {
    let opts = RenameContainerOptionsBuilder::default().name(name).build();
    docker
        .rename_container(id, opts)
        .await
        .map_err(|e| format!("renaming {id} to {name}: {e}"))
}

/// Replaces `old` with a container of `image`; on a failed gate the new one
/// is removed and `old` restored and started. Returns the new container's id.
pub async fn replace_one(
    docker: &Docker,
    old: &Replica,
    image: &str,
    alias: Option<&str>,
    gate: &HealthGate,
    progress: &Progress,
) -> Result<String, String> {
    let old_image = docker
        .inspect_image(&old.image_id)
        .await
        .map(|i| i.config.unwrap_or_default())
        .unwrap_or_default();
    let (body, extra_nets) = replacement(old, image, &old_image, alias);
    progress
        .say(format!("stopping {} ({})", old.name, old.image))
        .await;
    stop(docker, &old.id).await?;
    rename(docker, &old.id, &aside_name(old)).await?;
    progress
        .say(format!("creating {} on {image}", old.name))
        .await;
    let created = create_and_start(docker, &old.name, body, extra_nets).await;
    let verdict = match &created {
        Ok(id) => {
            progress
                .say(format!("waiting for {} to be healthy", old.name))
                .await;
            wait_ready(docker, id, gate).await
        }
        Err(e) => Err(e.clone()),
    };
    match verdict {
        Ok(()) => {
            progress
                .say(format!(
                    "{} is healthy; removing the old container",
                    old.name
                ))
                .await;
            remove(docker, &old.id).await?;
            created
        }
        Err(why) => {
            progress
                .say(format!(
                    "{} failed its health gate: {why}; restoring it",
                    old.name
                ))
                .await;
            if let Ok(id) = &created {
                remove(docker, id).await?;
            } else {
                // A create that failed half-way may have left a container under the name.
                let _ = remove(docker, &old.name).await;
            }
            rename(docker, &old.id, &old.name).await?;
            docker
                .start_container(&old.id, None)
                .await
                .map_err(|e| format!("restarting the old {}: {e}", old.name))?;
            // The restored replica must serve again before anything else is touched.
            if let Err(e) = wait_ready(docker, &old.id, gate).await {
                progress
                    .say(format!(
                        "the restored {} is not healthy either: {e}",
                        old.name
                    ))
                    .await;
            }
            Err(format!("{}: {why}", old.name))
        }
    }
}

/// Replaces every replica in turn; when one fails, the ones already replaced
/// go back to the image they had, one at a time, and the rest are untouched.
pub async fn replace_all(
    docker: &Docker,
    replicas: &[Replica],
    image: &str,
    alias: Option<&str>,
    gate: &HealthGate,
    progress: &Progress,
) -> Result<Rolled, String> {
    let mut done: Vec<(Replica, String)> = Vec::new();
    for r in replicas {
        match replace_one(docker, r, image, alias, gate, progress).await {
            Ok(new_id) => done.push((r.clone(), new_id)),
            Err(why) => {
                for (old, new_id) in done.iter().rev() {
                    progress
                        .say(format!("rolling {} back to {}", old.name, old.image))
                        .await;
                    let now = super::engine::inspect(docker, new_id).await?;
                    let back = image_ref(docker, &old.image, &old.image_id).await;
                    replace_one(docker, &now, &back, alias, gate, progress)
                        .await
                        .map_err(|e| format!("{why}; rolling back also failed: {e}"))?;
                }
                return Ok(Rolled {
                    replaced: Vec::new(),
                    failure: Some(why),
                    rolled_back: true,
                });
            }
        }
    }
    Ok(Rolled {
        replaced: done.into_iter().map(|(r, _)| r.name).collect(),
        failure: None,
        rolled_back: false,
    })
}

/// The name to create a container from: the tag while it still points at
/// `id`, else the id itself (the tag has moved on since).
pub async fn image_ref(docker: &Docker, name: &str, id: &str) -> String {
    match docker.inspect_image(name).await {
        Ok(i) if i.id.as_deref() == Some(id) => name.to_string(),
        _ => id.to_string(),
    }
}
