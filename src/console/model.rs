//! The Model: everything the console knows, owned by the app loop alone and
//! changed only through `apply`. Rendering reads it by shared reference.

use super::runbook::{RunEvent, RunbookSession};
use super::Event;
use crate::console::load_run::LoadRun;
use crate::metrics::MetricStore;
use crate::model::EVENTS_KEPT;
use crate::model::{EngineEvent, Health, HostSnapshot, Inventory, Target, TargetKind};
use crate::source::Update;
use std::collections::VecDeque;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Model {
    pub targets: Vec<Target>,
    pub store: MetricStore,
    /// Pod states and subject labels of each Kubernetes target, for alerts.
    pub cluster: super::ClusterSeries,
    /// The latest reading of each host target, for lists (mounts, interfaces).
    pub hosts: Vec<(String, HostSnapshot)>,
    /// The latest inventory of each Docker or Kubernetes target.
    pub inventories: Vec<(String, Inventory)>,
    /// The latest reading of each PostgreSQL target, with when it was taken.
    pub databases: Vec<(String, i64, crate::model::DbSnapshot)>,
    /// The latest reading of each Redis target, with when it was taken.
    pub caches: Vec<(String, i64, crate::model::CacheSnapshot)>,
    /// The caching headers of each probe's latest answer.
    pub probe_cache: std::collections::BTreeMap<String, crate::model::cache::http::CacheHeaders>,
    pub events: VecDeque<EngineEvent>,
    pub alerts: super::Alerts,
    /// The services of the latency pane, from the config.
    pub services: Vec<super::ServiceDef>,
    /// The workloads probes and scrapes declare for their URLs' origins.
    pub declared: Vec<super::load_run::Declared>,
    /// The `[[backup]]`s, each shown beside the target it protects.
    pub backups: Vec<super::backups::BackupDef>,
    /// The `[[panel]]`s, and the latest range reading of each by title.
    pub panels: Vec<super::PanelDef>,
    pub panel_ranges: std::collections::HashMap<String, super::PanelRange>,
    /// Which series each scrape reads its request figures from, by target.
    pub request_series: std::collections::HashMap<String, crate::model::RequestSeries>,
    pub read_only: bool,
    pub refresh: Duration,
    /// Unix seconds of the latest event, so rendering never reads the clock.
    pub now: i64,
    /// The runbook run the console started (running or ended).
    pub runbook: Option<RunbookSession>,
    /// The load run started with `:load`, kept after it ends for its figures.
    pub load: Option<LoadRun>,
}

impl Model {
    pub fn new(refresh: Duration, read_only: bool) -> Self {
        Model {
            targets: Vec::new(),
            store: MetricStore::new(),
            cluster: super::ClusterSeries::default(),
            hosts: Vec::new(),
            inventories: Vec::new(),
            databases: Vec::new(),
            caches: Vec::new(),
            probe_cache: std::collections::BTreeMap::new(),
            events: VecDeque::new(),
            alerts: super::Alerts::default(),
            services: Vec::new(),
            declared: Vec::new(),
            backups: Vec::new(),
            panels: Vec::new(),
            panel_ranges: std::collections::HashMap::new(),
            request_series: std::collections::HashMap::new(),
            read_only,
            refresh,
            now: 0,
            runbook: None,
            load: None,
        }
    }

    /// The services, panels and alert rules a config names; `runbook_ids`
    /// are the catalogue's, for mapping alerts' runbook URLs onto.
    pub fn with_config(mut self, config: &crate::config::Config, runbook_ids: Vec<String>) -> Self {
        self.services = super::services::from_config(config);
        self.panels = super::panels::from_config(config);
        self.backups = super::backups::from_config(config);
        self.declared = super::load_run::declared_workloads(config);
        self.alerts = super::Alerts::from_config(config, runbook_ids);
        self
    }

    /// What `by` found to scrape now: a target and a service each, replacing
    /// what it found before; a name the config already uses is left to the config.
    fn set_discovered(&mut self, by: &str, found: &[(String, String)]) {
        let names: Vec<String> = found.iter().map(|(n, _)| n.clone()).collect();
        let found_here = |d: &Option<String>| d.as_deref() == Some(by);
        self.targets
            .retain(|t| !found_here(&t.discovered_by) || names.contains(&t.name));
        self.services
            .retain(|s| !found_here(&s.discovered_by) || names.contains(&s.name));
        for (name, workload) in found {
            if self.target(name).is_none() {
                // Its alerts say which workload its container belongs to.
                let labels = [("workload".to_string(), workload.clone())].into();
                self.alerts.engine.set_target_labels(name, labels);
                let mut t = Target::new(name.clone(), TargetKind::Scrape);
                t.discovered_by = Some(by.to_string());
                self.targets.push(t);
            }
            if !self.services.iter().any(|s| s.name == *name) {
                self.services.push(super::ServiceDef {
                    name: name.clone(),
                    sources: vec![super::services::ServiceSource::Scrape(name.clone())],
                    discovered_by: Some(by.to_string()),
                });
            }
        }
    }

    pub fn add_target(&mut self, name: &str, kind: TargetKind) {
        if !self.targets.iter().any(|t| t.name == name) {
            self.targets.push(Target::new(name, kind));
        }
    }

    /// Workloads with fewer replicas ready than wanted, as (address, ready,
    /// wanted); Compose wants every replica container that exists.
    pub fn not_ready(&self) -> Vec<(String, u32, u32)> {
        self.inventories
            .iter()
            .flat_map(|(_, inv)| {
                inv.workloads.iter().filter_map(move |w| {
                    let wanted = w.desired.unwrap_or_else(|| {
                        inv.instances
                            .iter()
                            .filter(|i| i.workload == w.addr)
                            .count() as u32
                    });
                    (w.ready < wanted).then(|| (w.addr.to_string(), w.ready, wanted))
                })
            })
            .collect()
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
        self.record_down_databases();
        self.alerts.evaluate(self.now, &self.store, &self.cluster);
    }

    /// The targets collectors were started or polled for, with what they said.
    pub fn add_started(&mut self, started: Vec<crate::source::targets::Started>) {
        for s in started {
            self.add_target(&s.name, s.kind);
            for u in s.updates {
                self.apply_update(u);
            }
        }
        self.record_down_databases();
    }

    /// A database or cache that cannot be read sends no readings, only its
    /// health: its `up` reads 0 while it is degraded, so DatabaseDown and
    /// CacheDown can fire and a runbook can ask.
    fn record_down_databases(&mut self) {
        for t in &self.targets {
            let kind = match t.kind {
                TargetKind::Postgres => "postgres",
                TargetKind::Redis => "redis",
                _ => continue,
            };
            if matches!(t.health, Health::Degraded { .. }) {
                self.store
                    .record(&format!("{kind}:{}:up", t.name), self.now, 0.0);
            }
        }
    }

    /// Folds one collector update into the model.
    pub fn apply_update(&mut self, update: Update) {
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
                for (name, value) in inventory_series(&target, &inventory) {
                    self.store.record(&name, at, value);
                }
                self.cluster.record(&target, at, &inventory);
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
            Update::Database {
                target,
                at,
                snapshot,
            } => {
                self.now = self.now.max(at);
                match self.databases.iter_mut().find(|(n, ..)| *n == target) {
                    Some(slot) => (slot.1, slot.2) = (at, *snapshot),
                    None => self.databases.push((target, at, *snapshot)),
                }
            }
            Update::Cache {
                target,
                at,
                snapshot,
            } => {
                self.now = self.now.max(at);
                match self.caches.iter_mut().find(|(n, ..)| *n == target) {
                    Some(slot) => (slot.1, slot.2) = (at, *snapshot),
                    None => self.caches.push((target, at, *snapshot)),
                }
            }
            Update::CacheHeaders { target, headers } => {
                self.probe_cache.insert(target, headers);
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
            Update::ExternalAlerts { source, alerts } => {
                if self
                    .target(&source)
                    .is_some_and(|t| t.kind == TargetKind::Alertmanager)
                {
                    self.alerts.alertmanagers.insert(source.clone());
                }
                self.alerts.set_external(source, alerts)
            }
            Update::Silences { source, silences } => self.alerts.set_silences(source, silences),
            Update::PromRules { source, rules } => self.alerts.set_prom_rules(source, rules),
            Update::Discovered { by, scrapes } => self.set_discovered(&by, &scrapes),
            Update::RequestSeries { target, series } => {
                self.request_series.insert(target, series);
            }
        }
    }

    /// Folds an event into the console's state. Events only the views hold
    /// (log lines, an action's progress, revisions) leave it as it is.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Source(u) => self.apply_update(u),
            Event::PanelRange { title, range } => {
                self.panel_ranges.insert(title, range);
            }
            Event::Runbook(e) => {
                if let RunEvent::Started {
                    run_id,
                    runbook,
                    timeline,
                } = e
                {
                    self.runbook = Some(RunbookSession::new(run_id, *runbook, timeline));
                } else if let Some(run) = self.runbook.as_mut() {
                    run.on_event(e);
                }
            }
            Event::Load(figures) => {
                if let Some(run) = self.load.as_mut() {
                    run.figures = Some(*figures);
                }
            }
            Event::Capacity(progress) => {
                if let Some(run) = self.load.as_mut() {
                    run.on_progress(*progress);
                }
            }
            Event::CapacityReport(result) => {
                if let Some(c) = self.load.as_mut().and_then(|r| r.capacity.as_mut()) {
                    c.written = Some(result);
                }
            }
            Event::Acknowledged {
                result: Ok(ack), ..
            } => self.alerts.acks.record(ack),
            Event::Logs { .. }
            | Event::Action(_)
            | Event::History { .. }
            | Event::Theme(_)
            | Event::Acknowledged { .. } => {}
        }
    }
}

/// The series an inventory feeds, named as DESIGN.md lists them. CPU is percent
/// of one core, like `docker stats` and `host:cpu`.
pub fn inventory_series(target: &str, inv: &Inventory) -> Vec<(String, f64)> {
    let mut out = Vec::with_capacity(inv.instances.len() * 2 + inv.workloads.len() * 4);
    // A Kubernetes pod's history is its workload's: 10,000 pods kept for 48 h
    // in three tiers would be most of a gigabyte, and pods come and go by name.
    for i in inv.instances.iter().filter(|i| i.pod.is_none()) {
        if let Some(u) = &i.usage {
            let key = format!("container:{}/{}", i.workload.target, i.name);
            out.push((format!("{key}:cpu"), u.cpu_percent));
            out.push((format!("{key}:mem_bytes"), u.mem_bytes as f64));
        }
    }
    // Nodes are few, and what the NodeNotReady and NodePressure rules read.
    for n in &inv.nodes {
        let key = format!("node:{target}/{}", n.name);
        out.push((format!("{key}:ready"), f64::from(u8::from(n.ready))));
        for (condition, metric) in [
            ("MemoryPressure", "memory_pressure"),
            ("DiskPressure", "disk_pressure"),
            ("PIDPressure", "pid_pressure"),
        ] {
            let under = n.pressure.iter().any(|p| p == condition);
            out.push((format!("{key}:{metric}"), f64::from(u8::from(under))));
        }
    }
    for (n, u) in inv.nodes.iter().filter_map(|n| Some((n, n.usage?))) {
        let key = format!("node:{target}/{}", n.name);
        out.push((format!("{key}:cpu"), u.cpu_millis as f64 / 10.0));
        out.push((format!("{key}:mem_bytes"), u.mem_bytes as f64));
        if n.allocatable.mem_bytes > 0 {
            let ratio = u.mem_bytes as f64 / n.allocatable.mem_bytes as f64;
            out.push((format!("{key}:mem_ratio"), ratio));
        }
    }
    for w in &inv.workloads {
        let key = format!("workload:{}", w.addr);
        let mine: Vec<&crate::model::Instance> = inv
            .instances
            .iter()
            .filter(|i| i.workload == w.addr)
            .collect();
        out.push((format!("{key}:cpu"), w.usage.cpu_percent));
        out.push((format!("{key}:mem_bytes"), w.usage.mem_bytes as f64));
        out.push((format!("{key}:ready"), f64::from(w.ready)));
        // Compose has no desired count: every replica container that exists is wanted,
        // so a replica that crashed counts as not ready rather than as not wanted.
        let desired = inv.wanted(w);
        out.push((format!("{key}:desired"), f64::from(desired)));
        if desired > 0 {
            let ratio = f64::from(w.ready.min(desired)) / f64::from(desired);
            out.push((format!("{key}:ready_ratio"), ratio));
        }
        // A pod's crash loop and OOM kill are its own alerts (PodCrashLooping,
        // PodOOMKilled, from `ClusterSeries`): counted here they would page twice.
        let count = |f: &dyn Fn(&crate::model::Instance) -> bool| {
            mine.iter().filter(|i| i.pod.is_none() && f(i)).count() as f64
        };
        out.push((
            format!("{key}:crashlooping"),
            count(&|i| i.state == "restarting" || i.state == "CrashLoopBackOff"),
        ));
        out.push((format!("{key}:oom_killed"), count(&|i| i.oom_killed)));
        out.push((
            format!("{key}:unhealthy"),
            count(&|i| i.health == Some(crate::model::InstanceHealth::Unhealthy)),
        ));
        if let Some(r) = &w.rollout {
            let failed = r
                .problem
                .as_deref()
                .is_some_and(|p| p.contains("ProgressDeadlineExceeded"));
            out.push((format!("{key}:rollout_failed"), f64::from(u8::from(failed))));
        }
        // CPU against its limit, or against what it requested where it has no limit.
        let allocated = match (w.usage.cpu_limit_percent, &w.rollout) {
            (l, _) if l > 0.0 => Some(l),
            (_, Some(r)) if r.requests.cpu_millis > 0 => Some(r.requests.cpu_millis as f64 / 10.0),
            _ => None,
        };
        if let Some(a) = allocated {
            out.push((format!("{key}:cpu_ratio"), w.usage.cpu_percent / a));
        }
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
        m.apply_update(Update::Host {
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
        m.apply_update(Update::Health {
            target: "local".into(),
            health: degraded.clone(),
        });
        assert_eq!(m.target("local").unwrap().health, degraded);
    }

    #[test]
    fn containers_and_nodes_are_series_and_pods_are_not() {
        let mut inv = crate::fixtures::sample_inventory(1000);
        let container = inv.instances[0].clone();
        assert!(container.usage.is_some());
        let mut pod = container.clone();
        pod.name = "api-7d4b9c-2kq8w".into();
        pod.pod = Some(Box::new(crate::model::PodDetail {
            namespace: "shop".into(),
            node: "node-1".into(),
            phase: "Running".into(),
            containers: Vec::new(),
        }));
        inv.instances = vec![container.clone(), pod];
        inv.nodes = vec![crate::model::NodeInfo {
            name: "node-1".into(),
            ready: true,
            pressure: Vec::new(),
            unschedulable: false,
            allocatable: crate::model::Resources {
                cpu_millis: 4000,
                mem_bytes: 8 << 30,
            },
            usage: Some(crate::model::Resources {
                cpu_millis: 1500,
                mem_bytes: 6 << 30,
            }),
            kubelet: "v1.37.0".into(),
        }];
        let series: std::collections::HashMap<String, f64> =
            inventory_series("prod", &inv).into_iter().collect();
        assert_eq!(series["node:prod/node-1:cpu"], 150.0, "percent of one core");
        assert_eq!(series["node:prod/node-1:mem_ratio"], 0.75);
        let names: Vec<String> = inventory_series("local", &inv)
            .into_iter()
            .map(|(n, _)| n)
            .filter(|n| n.starts_with("container:"))
            .collect();
        let key = format!("container:{}/{}", container.workload.target, container.name);
        assert_eq!(names, [format!("{key}:cpu"), format!("{key}:mem_bytes")]);
    }
}
