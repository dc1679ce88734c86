//! The Model: everything the console knows, owned by the app loop alone and
//! changed only through `apply`. Rendering reads it by shared reference.

use super::{Health, HostSnapshot, Target, TargetKind};
use crate::metrics::MetricStore;
use crate::source::Update;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Model {
    pub targets: Vec<Target>,
    pub store: MetricStore,
    /// The latest reading of each host target, for lists (mounts, interfaces).
    pub hosts: Vec<(String, HostSnapshot)>,
    pub read_only: bool,
    pub refresh: Duration,
    /// Unix seconds of the latest event, so rendering never reads the clock.
    pub now: i64,
}

impl Model {
    pub fn new(refresh: Duration, read_only: bool) -> Self {
        Model {
            targets: Vec::new(),
            store: MetricStore::new(),
            hosts: Vec::new(),
            read_only,
            refresh,
            now: 0,
        }
    }

    pub fn add_target(&mut self, name: &str, kind: TargetKind) {
        if !self.targets.iter().any(|t| t.name == name) {
            self.targets.push(Target::new(name, kind));
        }
    }

    pub fn target(&self, name: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.name == name)
    }

    pub fn host(&self) -> Option<&HostSnapshot> {
        self.hosts.first().map(|(_, h)| h)
    }

    /// Folds one collector update into the model.
    pub fn apply(&mut self, update: Update) {
        match update {
            Update::Health { target, health } => {
                if let Some(t) = self.targets.iter_mut().find(|t| t.name == target) {
                    t.health = health;
                }
            }
            Update::Host {
                target,
                at,
                snapshot,
            } => {
                self.now = self.now.max(at);
                for (name, value) in snapshot.series() {
                    self.store.record(&name, at, value);
                }
                if let Some(t) = self.targets.iter_mut().find(|t| t.name == target) {
                    t.health = Health::Ok;
                }
                match self.hosts.iter_mut().find(|(n, _)| *n == target) {
                    Some(slot) => slot.1 = *snapshot,
                    None => self.hosts.push((target, *snapshot)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_update_feeds_series_and_health() {
        let mut m = Model::new(Duration::from_secs(2), false);
        m.add_target("local", TargetKind::Host);
        let snap = HostSnapshot {
            cpu_percent: 42.0,
            mem_total_bytes: 100,
            mem_used_bytes: 25,
            ..Default::default()
        };
        m.apply(Update::Host {
            target: "local".into(),
            at: 1000,
            snapshot: Box::new(snap),
        });
        assert_eq!(m.store.latest_by_name("host:cpu"), Some((1000, 42.0)));
        assert_eq!(
            m.store.latest_by_name("host:mem_used_ratio"),
            Some((1000, 0.25))
        );
        assert_eq!(m.target("local").unwrap().health, Health::Ok);
        assert_eq!(m.now, 1000);
        let degraded = Health::Degraded {
            reason: "boom".into(),
            since: 1001,
            retry_in: Duration::from_secs(4),
        };
        m.apply(Update::Health {
            target: "local".into(),
            health: degraded.clone(),
        });
        assert_eq!(m.target("local").unwrap().health, degraded);
    }
}
