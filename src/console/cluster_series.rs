//! What the alert rules read of a Kubernetes cluster beyond the stored
//! series: each pod's state (`pod:TARGET/NS/POD:crashlooping|oom_killed`),
//! kept as of the latest inventory only, and the labels of each subject
//! (a pod's workload and node, a workload's namespace).
//!
//! Pods are not stored with history: a cluster has thousands and they come
//! and go by name (see `inventory_series`); an alert needs only the latest
//! state, and a pod missing from a fresh inventory is known to be gone.

use crate::model::{Inventory, WorkloadKind};
use std::collections::BTreeMap;

/// Labels by subject: a series name without its metric (`pod:T/NS/P`).
type Subjects = BTreeMap<String, BTreeMap<String, String>>;

#[derive(Debug, Clone, Default)]
pub struct ClusterSeries {
    targets: BTreeMap<String, Reading>,
}

#[derive(Debug, Clone, Default)]
struct Reading {
    at: i64,
    series: BTreeMap<String, f64>,
    subjects: Subjects,
}

impl ClusterSeries {
    /// Replaces what is known of `target` with its inventory read at `at`.
    pub fn record(&mut self, target: &str, at: i64, inv: &Inventory) {
        let (series, subjects) = read(target, inv);
        self.targets.insert(
            target.to_string(),
            Reading {
                at,
                series,
                subjects,
            },
        );
    }

    /// Every pod series matching `pattern`, with its value unless the
    /// target's latest inventory is older than `stale_after` seconds.
    pub fn matching(
        &self,
        pattern: &str,
        now: i64,
        stale_after: i64,
    ) -> Vec<(String, Option<f64>)> {
        self.targets
            .values()
            .flat_map(|r| {
                let fresh = now - r.at <= stale_after;
                r.series
                    .iter()
                    .filter(|(name, _)| crate::metrics::glob_match(pattern, name))
                    .map(move |(name, v)| (name.clone(), fresh.then_some(*v)))
            })
            .collect()
    }

    pub fn subject_labels(&self, series: &str) -> BTreeMap<String, String> {
        let Some((subject, target)) = subject_and_target(series) else {
            return BTreeMap::new();
        };
        self.targets
            .get(target)
            .and_then(|r| r.subjects.get(subject))
            .cloned()
            .unwrap_or_default()
    }

    /// A pod series its target's fresh inventory no longer lists: the pod
    /// was deleted. A target not read lately knows nothing of the kind.
    pub fn gone(&self, series: &str, now: i64, stale_after: i64) -> bool {
        let Some((subject, target)) = subject_and_target(series) else {
            return false;
        };
        subject.starts_with("pod:")
            && self
                .targets
                .get(target)
                .is_some_and(|r| now - r.at <= stale_after && !r.series.contains_key(series))
    }
}

/// `pod:T/NS/P` and `T` of `pod:T/NS/P:metric`.
fn subject_and_target(series: &str) -> Option<(&str, &str)> {
    let (subject, _) = series.rsplit_once(':')?;
    let (_, name) = subject.split_once(':')?;
    let target = name.split('/').next()?;
    Some((subject, target))
}

fn read(target: &str, inv: &Inventory) -> (BTreeMap<String, f64>, Subjects) {
    let mut series = BTreeMap::new();
    let mut subjects = Subjects::new();
    for w in &inv.workloads {
        if matches!(
            w.kind,
            WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet
        ) {
            let labels = BTreeMap::from([("namespace".to_string(), w.addr.group.clone())]);
            subjects.insert(format!("workload:{}", w.addr), labels);
        }
    }
    for i in &inv.instances {
        let Some(pod) = &i.pod else { continue };
        let subject = format!("pod:{target}/{}/{}", pod.namespace, i.name);
        let crashlooping = pod
            .containers
            .iter()
            .any(|c| c.reason.as_deref() == Some("CrashLoopBackOff"));
        series.insert(format!("{subject}:crashlooping"), flag(crashlooping));
        series.insert(format!("{subject}:oom_killed"), flag(i.oom_killed));
        let mut labels = BTreeMap::from([("workload".to_string(), i.workload.to_string())]);
        if !pod.node.is_empty() {
            labels.insert("node".into(), pod.node.clone());
        }
        subjects.insert(subject, labels);
    }
    (series, subjects)
}

fn flag(b: bool) -> f64 {
    f64::from(u8::from(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Instance, PodContainer, PodDetail, Workload, WorkloadAddr};

    fn pod(name: &str, reason: Option<&str>, oom: bool) -> Instance {
        let addr: WorkloadAddr = "prod/shop/api".parse().unwrap();
        Instance {
            id: name.into(),
            name: name.into(),
            workload: addr,
            image: "api:v2".into(),
            image_id: String::new(),
            state: reason.unwrap_or("running").into(),
            exit_code: None,
            health: None,
            restart_count: 3,
            oom_killed: oom,
            ports: vec![],
            created_at: 0,
            started_at: None,
            usage: None,
            pod: Some(Box::new(PodDetail {
                namespace: "shop".into(),
                node: "node-1".into(),
                phase: "Running".into(),
                containers: vec![PodContainer {
                    name: "api".into(),
                    ready: false,
                    restarts: 3,
                    state: "waiting".into(),
                    reason: reason.map(str::to_string),
                    last_termination: None,
                    requests: Default::default(),
                    limits: Default::default(),
                    usage: None,
                }],
            })),
        }
    }

    fn inventory(pods: Vec<Instance>) -> Inventory {
        let w = Workload {
            addr: "prod/shop/api".parse().unwrap(),
            kind: WorkloadKind::Deployment,
            desired: Some(2),
            running: 2,
            ready: 0,
            images: vec![],
            usage: Default::default(),
            restarts: 0,
            rollout: None,
        };
        Inventory {
            instances: pods,
            workloads: vec![w],
            ..Default::default()
        }
    }

    #[test]
    fn pods_are_read_with_their_workload_node_and_namespace() {
        let mut c = ClusterSeries::default();
        let inv = inventory(vec![
            pod("api-1", Some("CrashLoopBackOff"), false),
            pod("api-2", None, true),
        ]);
        c.record("prod", 100, &inv);
        let crash = c.matching("pod:*:crashlooping", 110, 60);
        assert_eq!(
            crash,
            [
                ("pod:prod/shop/api-1:crashlooping".to_string(), Some(1.0)),
                ("pod:prod/shop/api-2:crashlooping".to_string(), Some(0.0)),
            ]
        );
        let oom = c.matching("pod:*:oom_killed", 110, 60);
        assert_eq!(oom[1], ("pod:prod/shop/api-2:oom_killed".into(), Some(1.0)));
        let labels = c.subject_labels("pod:prod/shop/api-1:crashlooping");
        assert_eq!(labels["workload"], "prod/shop/api");
        assert_eq!(labels["node"], "node-1");
        let labels = c.subject_labels("workload:prod/shop/api:ready_ratio");
        assert_eq!(labels["namespace"], "shop");
    }

    #[test]
    fn a_stale_reading_is_no_value_and_knows_of_nothing_gone() {
        let mut c = ClusterSeries::default();
        c.record("prod", 100, &inventory(vec![pod("api-1", None, false)]));
        assert_eq!(c.matching("pod:*:oom_killed", 200, 60)[0].1, None);
        assert!(!c.gone("pod:prod/shop/old:oom_killed", 200, 60));
        assert!(c.gone("pod:prod/shop/old:oom_killed", 120, 60));
        assert!(!c.gone("pod:prod/shop/api-1:oom_killed", 120, 60));
        assert!(!c.gone("pod:other/shop/old:oom_killed", 120, 60));
        assert!(!c.gone("workload:prod/shop/api:ready", 120, 60));
    }
}
