//! The Model: everything the console knows, owned by the app loop alone and
//! changed only through `apply`. Rendering reads it by shared reference.

use super::{EngineEvent, Health, HostSnapshot, Inventory, Target, TargetKind};
use crate::metrics::MetricStore;
use crate::source::Update;
use std::collections::VecDeque;
use std::time::Duration;

/// Engine events kept for the events pane, newest last.
pub const EVENTS_KEPT: usize = 1000;

#[derive(Debug, Clone)]
pub struct Model {
    pub targets: Vec<Target>,
    pub store: MetricStore,
    /// The latest reading of each host target, for lists (mounts, interfaces).
    pub hosts: Vec<(String, HostSnapshot)>,
    /// The latest inventory of each Docker or Kubernetes target.
    pub inventories: Vec<(String, Inventory)>,
    pub events: VecDeque<EngineEvent>,
    pub alerts: super::Alerts,
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
            inventories: Vec::new(),
            events: VecDeque::new(),
            alerts: super::Alerts::default(),
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

    /// The clock moved on: opsdeck's own rules are evaluated on every tick.
    pub fn tick(&mut self, now: i64) {
        self.now = self.now.max(now);
        self.alerts.evaluate(self.now, &self.store);
    }

    /// Folds one collector update into the model.
    pub fn apply(&mut self, update: Update) {
        match update {
            Update::Health { target, health } => {
                // An unreachable Prometheus cannot say whether its rules hold:
                // they go to error rather than keep their last state.
                if let Health::Degraded { reason, since, .. } = &health {
                    if self
                        .target(&target)
                        .is_some_and(|t| t.kind == TargetKind::Prometheus)
                    {
                        let at = self.now.max(*since);
                        self.alerts.prometheus_failed(&target, at, reason);
                    }
                }
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
            Update::Inventory {
                target,
                at,
                inventory,
            } => {
                self.now = self.now.max(at);
                for (name, value) in inventory_series(&inventory) {
                    self.store.record(&name, at, value);
                }
                match self.inventories.iter_mut().find(|(n, _)| *n == target) {
                    Some(slot) => slot.1 = *inventory,
                    None => self.inventories.push((target, *inventory)),
                }
            }
            Update::Series {
                target,
                at,
                series,
                health,
            } => {
                self.now = self.now.max(at);
                for (name, value) in series {
                    self.store.record(&name, at, value);
                }
                if let Some(t) = self.targets.iter_mut().find(|t| t.name == target) {
                    t.health = health;
                }
            }
            Update::Events { events, .. } => {
                for e in events {
                    if self.events.len() == EVENTS_KEPT {
                        self.events.pop_front();
                    }
                    self.events.push_back(e);
                }
            }
            Update::RuleResults { at, results, .. } => {
                self.now = self.now.max(at);
                self.alerts.ingest_promql(at, results);
            }
            Update::ExternalAlerts { source, alerts } => self.alerts.set_external(source, alerts),
            // Log lines and action progress belong to the UI state.
            Update::Logs { .. } | Update::Action(_) | Update::Load(_) => {}
        }
    }
}

/// The series an inventory feeds, named as DESIGN.md lists them. CPU is percent
/// of one core, like `docker stats` and `host:cpu`.
pub fn inventory_series(inv: &Inventory) -> Vec<(String, f64)> {
    let mut out = Vec::with_capacity(inv.instances.len() * 2 + inv.workloads.len() * 4);
    for i in &inv.instances {
        if let Some(u) = &i.usage {
            let key = format!("container:{}/{}", i.workload.target, i.name);
            out.push((format!("{key}:cpu"), u.cpu_percent));
            out.push((format!("{key}:mem_bytes"), u.mem_bytes as f64));
        }
    }
    for w in &inv.workloads {
        let key = format!("workload:{}", w.addr);
        out.push((format!("{key}:cpu"), w.usage.cpu_percent));
        out.push((format!("{key}:mem_bytes"), w.usage.mem_bytes as f64));
        out.push((format!("{key}:ready"), f64::from(w.ready)));
        let desired = w.desired.unwrap_or(w.running);
        out.push((format!("{key}:desired"), f64::from(desired)));
    }
    out
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
