//! Instances gathered into workloads: counts, images, summed usage.

use super::instance::{Container, STACK_NAMESPACE};
use crate::model::{Usage, Workload, WorkloadAddr, WorkloadKind, NO_GROUP};
use bollard::models::{Service, Task, TaskState};
use std::collections::BTreeMap;

/// What a Swarm manager says a service should have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwarmService {
    /// The manager's id for it, which its tasks name.
    pub id: String,
    pub addr: WorkloadAddr,
    /// Replicas for a replicated service; for a global one, the tasks the
    /// manager wants running (one per eligible node).
    pub desired: Option<u32>,
}

/// From `GET /services` and `GET /tasks`, addressed by stack (the service's
/// `com.docker.stack.namespace` label) and service name.
pub fn swarm_services(target: &str, services: &[Service], tasks: &[Task]) -> Vec<SwarmService> {
    services
        .iter()
        .filter_map(|s| {
            let spec = s.spec.as_ref()?;
            let name = spec.name.as_deref().filter(|n| !n.is_empty())?;
            let stack = spec
                .labels
                .as_ref()
                .and_then(|l| l.get(STACK_NAMESPACE))
                .map_or(NO_GROUP, String::as_str);
            let mode = spec.mode.as_ref();
            let desired = match mode.and_then(|m| m.replicated.as_ref()) {
                Some(r) => Some(r.replicas.unwrap_or(1).clamp(0, i64::from(u32::MAX)) as u32),
                None if mode.is_some_and(|m| m.global.is_some()) => {
                    let wanted = tasks
                        .iter()
                        .filter(|t| t.service_id.is_some() && t.service_id == s.id)
                        .filter(|t| t.desired_state == Some(TaskState::RUNNING))
                        .count();
                    Some(u32::try_from(wanted).unwrap_or(u32::MAX))
                }
                None => None,
            };
            Some(SwarmService {
                id: s.id.clone().unwrap_or_default(),
                addr: WorkloadAddr::new(target, stack, name),
                desired,
            })
        })
        .collect()
}

/// A task's container carries the stack label only when `docker stack deploy`
/// put it there; the service always knows its stack, so its address wins.
pub fn adopt_service_addresses(containers: &mut [Container], services: &[SwarmService]) {
    for c in containers
        .iter_mut()
        .filter(|c| c.kind == WorkloadKind::SwarmService)
    {
        let w = &mut c.instance.workload;
        if let Some(s) = services
            .iter()
            .find(|s| s.addr.target == w.target && s.addr.name == w.name)
        {
            *w = s.addr.clone();
        }
    }
}

/// One workload per address, sorted by address. A Swarm service with no
/// containers here still shows (0 running of its desired count).
pub fn group_workloads(containers: &[Container], services: &[SwarmService]) -> Vec<Workload> {
    let mut by_addr: BTreeMap<&WorkloadAddr, (WorkloadKind, Vec<&Container>)> = BTreeMap::new();
    for c in containers {
        by_addr
            .entry(&c.instance.workload)
            .or_insert_with(|| (c.kind, Vec::new()))
            .1
            .push(c);
    }
    for s in services {
        by_addr
            .entry(&s.addr)
            .or_insert_with(|| (WorkloadKind::SwarmService, Vec::new()));
    }
    by_addr
        .into_iter()
        .map(|(addr, (kind, members))| {
            let desired = services
                .iter()
                .find(|s| &s.addr == addr)
                .and_then(|s| s.desired);
            workload(addr.clone(), kind, desired, &members)
        })
        .collect()
}

fn workload(
    addr: WorkloadAddr,
    kind: WorkloadKind,
    desired: Option<u32>,
    members: &[&Container],
) -> Workload {
    let mut usage = Usage::default();
    let mut images: Vec<(String, usize)> = Vec::new();
    let (mut running, mut ready, mut restarts) = (0u32, 0u32, 0u32);
    for c in members {
        let i = &c.instance;
        running += u32::from(i.is_running());
        ready += u32::from(i.is_ready());
        restarts = restarts.saturating_add(i.restart_count);
        if let Some(u) = &i.usage {
            usage.add(u);
        }
        match images.iter_mut().find(|(name, _)| *name == i.image) {
            Some((_, n)) => *n += 1,
            None => images.push((i.image.clone(), 1)),
        }
    }
    // Most common first; ties by name so the order is stable.
    images.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Workload {
        addr,
        kind,
        desired,
        running,
        ready,
        images: images.into_iter().map(|(name, _)| name).collect(),
        usage,
        restarts,
        rollout: None,
    }
}
