//! Swarm tasks running on other nodes: a manager lists them, but their
//! containers are not on this engine, so they become instances from the task.

use super::group::SwarmService;
use super::instance::{unix_secs, Container};
use crate::model::{Instance, WorkloadKind};
use bollard::models::{Task, TaskState};
use std::collections::HashSet;

/// Instances for the tasks the manager wants running whose containers are not
/// among `local_ids` (those are known better from inspecting them). They have
/// no stats or health: only the task's state.
pub fn remote_task_instances(
    services: &[SwarmService],
    tasks: &[Task],
    local_ids: &HashSet<&str>,
) -> Vec<Container> {
    tasks
        .iter()
        .filter(|t| t.desired_state == Some(TaskState::RUNNING))
        .filter_map(|t| {
            let service = services
                .iter()
                .find(|s| Some(&s.id) == t.service_id.as_ref())?;
            let status = t.status.as_ref();
            let container_id = status
                .and_then(|s| s.container_status.as_ref())
                .and_then(|c| c.container_id.clone())
                .unwrap_or_default();
            if local_ids.contains(container_id.as_str()) {
                return None;
            }
            let task_id = t.id.clone().unwrap_or_default();
            // As the engine names a task's container: service.slot.task, or service.node.task.
            let slot = match t.slot {
                Some(n) => n.to_string(),
                None => t.node_id.clone().unwrap_or_default(),
            };
            let state = status
                .and_then(|s| s.state)
                .map(|s| s.to_string())
                .unwrap_or_default();
            let running = state == "running";
            let image = t
                .spec
                .as_ref()
                .and_then(|s| s.container_spec.as_ref())
                .and_then(|c| c.image.clone())
                .unwrap_or_default();
            let instance = Instance {
                id: if container_id.is_empty() {
                    task_id.clone()
                } else {
                    container_id
                },
                name: format!("{}.{slot}.{task_id}", service.addr.name),
                workload: service.addr.clone(),
                // The spec pins a digest (`image:tag@sha256:…`); people read the tag.
                image: image.split('@').next().unwrap_or_default().to_string(),
                image_id: image
                    .split_once('@')
                    .map(|(_, d)| d.to_string())
                    .unwrap_or_default(),
                exit_code: None,
                health: None,
                restart_count: 0,
                oom_killed: false,
                ports: Vec::new(),
                created_at: t.created_at.as_deref().and_then(unix_secs).unwrap_or(0),
                started_at: if running {
                    status
                        .and_then(|s| s.timestamp.as_deref())
                        .and_then(unix_secs)
                } else {
                    None
                },
                usage: None,
                pod: None,
                state,
            };
            Some(Container {
                instance,
                kind: WorkloadKind::SwarmService,
                mem_limited: None,
                cpu_limit_percent: None,
            })
        })
        .collect()
}
