//! Deploys the engine saw, whoever made them (`docker-compose up`, CI, a
//! person with `docker run`): the workload's containers as they were
//! created, from the engine's event log and the containers that exist, a
//! new revision each time the image differs from the previous instance's.
//!
//! The engine keeps its event log in memory and only the latest events
//! (256 on dockerd 20.10); the containers that exist fill in what it has
//! dropped, so the newest change is never missed, older ones may be.

use super::replica::{PROJECT, SERVICE};
use crate::action::{Revision, RevisionSource};
use crate::base::time::{rfc3339, unix_now};
use crate::model::{WorkloadAddr, NO_GROUP};
use bollard::query_parameters::{EventsOptions, ListContainersOptionsBuilder};
use bollard::Docker;
use futures::StreamExt;
use std::collections::HashMap;

/// How far back the event log is read.
const LOOK_BACK_SECS: i64 = 7 * 86_400;
/// The label docker-compose sets to its own version.
const COMPOSE_VERSION: &str = "com.docker.compose.version";

/// One container as it was created: when, from which image, by what.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub at: i64,
    pub image: String,
    pub labels: HashMap<String, String>,
}

/// The engine's record of the workload's changes, oldest first.
pub async fn engine_record(docker: &Docker, addr: &WorkloadAddr) -> Result<Vec<Revision>, String> {
    let (key, values) = if addr.group == NO_GROUP {
        ("container", vec![addr.name.clone()])
    } else {
        (
            "label",
            vec![
                format!("{PROJECT}={}", addr.group),
                format!("{SERVICE}={}", addr.name),
            ],
        )
    };
    let mut created = events(docker, key, &values).await?;
    created.extend(existing(docker, key, &values).await?);
    Ok(revisions(addr, created))
}

async fn events(docker: &Docker, key: &str, values: &[String]) -> Result<Vec<Created>, String> {
    let now = unix_now();
    let filters = HashMap::from([
        ("type".to_string(), vec!["container".to_string()]),
        ("event".to_string(), vec!["create".to_string()]),
        (key.to_string(), values.to_vec()),
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
        let labels: HashMap<String, String> = e
            .actor
            .and_then(|a| a.attributes)
            .unwrap_or_default()
            .into_iter()
            .collect();
        let Some(image) = labels.get("image").cloned() else {
            continue;
        };
        out.push(Created {
            at: e.time.unwrap_or_default(),
            image,
            labels,
        });
    }
    Ok(out)
}

async fn existing(docker: &Docker, key: &str, values: &[String]) -> Result<Vec<Created>, String> {
    // `name` matches a substring; the exact name is checked below.
    let filter = if key == "container" { "name" } else { key };
    let filters = HashMap::from([(filter.to_string(), values.to_vec())]);
    let opts = ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    let listed = docker
        .list_containers(Some(opts))
        .await
        .map_err(|e| format!("listing containers: {e}"))?;
    Ok(listed
        .into_iter()
        .filter(|c| {
            key != "container"
                || c.names
                    .iter()
                    .flatten()
                    .any(|n| n.trim_start_matches('/') == values[0])
        })
        .filter_map(|c| {
            Some(Created {
                at: c.created?,
                image: c.image?,
                labels: c.labels.unwrap_or_default(),
            })
        })
        .collect())
}

/// Each run of creations with the same image is one revision, dated by
/// its first creation; a container seen both in the event log and listed
/// counts once.
pub fn revisions(addr: &WorkloadAddr, mut created: Vec<Created>) -> Vec<Revision> {
    created.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.image.cmp(&b.image)));
    let mut out: Vec<Revision> = Vec::new();
    for c in created {
        if out.last().is_some_and(|r| r.image == c.image) {
            continue;
        }
        out.push(Revision {
            workload: addr.to_string(),
            revision: out.len() as u32 + 1,
            image: c.image.clone(),
            image_id: String::new(),
            at: rfc3339(c.at),
            verb: "create".into(),
            change_cause: None,
            source: RevisionSource::Platform,
            made_by: made_by(&c.labels),
        });
    }
    out
}

/// `docker-compose 1.29.2 (project shop)` from Compose's labels.
fn made_by(labels: &HashMap<String, String>) -> Option<String> {
    let project = labels.get(PROJECT)?;
    Some(match labels.get(COMPOSE_VERSION) {
        Some(v) => format!("docker-compose {v} (project {project})"),
        None => format!("Compose project {project}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn created(at: i64, image: &str, compose: Option<&str>) -> Created {
        let mut labels = HashMap::from([(PROJECT.to_string(), "shop".to_string())]);
        if let Some(v) = compose {
            labels.insert(COMPOSE_VERSION.into(), v.into());
        }
        Created {
            at,
            image: image.into(),
            labels,
        }
    }

    #[test]
    fn each_change_of_image_is_a_revision_dated_by_its_first_container() {
        let addr: WorkloadAddr = "local/shop/api".parse().unwrap();
        let revs = revisions(
            &addr,
            vec![
                created(300, "api:v2", Some("1.29.2")),
                created(100, "api:v1", Some("1.29.2")),
                created(110, "api:v1", Some("1.29.2")),
                // The same container, listed as well as in the event log.
                created(300, "api:v2", Some("1.29.2")),
                created(500, "api:v1", None),
            ],
        );
        let seen: Vec<(u32, &str, &str)> = revs
            .iter()
            .map(|r| (r.revision, r.image.as_str(), r.at.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (1, "api:v1", "1970-01-01T00:01:40Z"),
                (2, "api:v2", "1970-01-01T00:05:00Z"),
                (3, "api:v1", "1970-01-01T00:08:20Z"),
            ]
        );
        assert_eq!(
            revs[1].made_by.as_deref(),
            Some("docker-compose 1.29.2 (project shop)")
        );
        assert_eq!(revs[2].made_by.as_deref(), Some("Compose project shop"));
        assert!(revs.iter().all(|r| r.source == RevisionSource::Platform));
    }
}
