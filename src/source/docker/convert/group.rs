//! Instances gathered into workloads: counts, images, summed usage.

use super::instance::{Container, STACK_NAMESPACE};
use crate::model::{Usage, Workload, WorkloadAddr, WorkloadKind, NO_GROUP};
use bollard::models::Service;
use std::collections::BTreeMap;

/// What a Swarm manager says a service should have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwarmService {
    pub addr: WorkloadAddr,
    /// Replicas for a replicated service; None for global ones, which have no count.
    pub desired: Option<u32>,
}

/// From `GET /services`; addressed like its tasks' containers (stack / service name).
pub fn swarm_service(target: &str, s: &Service) -> Option<SwarmService> {
    let spec = s.spec.as_ref()?;
    let name = spec.name.as_deref().filter(|n| !n.is_empty())?;
    let stack = spec
        .labels
        .as_ref()
        .and_then(|l| l.get(STACK_NAMESPACE))
        .map_or(NO_GROUP, String::as_str);
    let desired = spec
        .mode
        .as_ref()
        .and_then(|m| m.replicated.as_ref())
        .map(|r| r.replicas.unwrap_or(1).clamp(0, i64::from(u32::MAX)) as u32);
    Some(SwarmService {
        addr: WorkloadAddr::new(target, stack, name),
        desired,
    })
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
    }
}
