//! What a runbook check reads from the Model: a series' latest sample, a
//! workload's replicas. The console answers its runs' checks from the live
//! Model with these; a headless run polls once into a fresh Model first.

use crate::console::Model;
use crate::model::{Health, WorkloadAddr};
use crate::runbook::judge::Facts;

/// A sample older than this is stale, as the alert engine judges it.
const STALE_AFTER_SECS: i64 = 60;

/// A read a console run asks the app loop for.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveRead {
    /// The latest sample of a series (`metric` checks).
    Metric(String),
    /// A workload's replicas (`workload` checks).
    Workload(String),
}

/// Answers `read` from the live Model.
pub fn live_facts(model: &Model, read: &LiveRead) -> Facts {
    match read {
        LiveRead::Metric(series) => match model.store.latest_by_name(series) {
            // A value the collectors stopped refreshing is not a reading of now.
            Some((at, _)) if model.now - at > STALE_AFTER_SECS => Facts::Unavailable(format!(
                "series `{series}` was last read {}s ago: stale{}",
                model.now - at,
                degraded(model)
            )),
            _ => metric_facts(model, series, "in the console now"),
        },
        LiveRead::Workload(w) => match w.parse::<WorkloadAddr>() {
            Ok(addr) => workload_facts(model, &addr),
            Err(e) => Facts::Unavailable(e),
        },
    }
}

pub fn metric_facts(model: &Model, series: &str, when: &str) -> Facts {
    match model.store.latest_by_name(series) {
        Some((_, v)) => Facts::Number(Some(v)),
        None => Facts::Unavailable(format!(
            "no data for series `{series}` {when}{}",
            degraded(model)
        )),
    }
}

pub fn workload_facts(model: &Model, addr: &WorkloadAddr) -> Facts {
    if let Some(Health::Degraded { reason, .. }) = model.target(&addr.target).map(|t| &t.health) {
        return Facts::Unavailable(format!("target `{}` is degraded: {reason}", addr.target));
    }
    let Some((_, inv)) = model.inventories.iter().find(|(t, _)| t == &addr.target) else {
        return Facts::Unavailable(format!(
            "target `{}` reported no inventory (is it a Docker target?)",
            addr.target
        ));
    };
    let Some(w) = inv.workloads.iter().find(|w| &w.addr == addr) else {
        return Facts::Unavailable(format!("no workload {addr} on target `{}`", addr.target));
    };
    // Compose has no desired count: every replica container that exists is wanted.
    let desired = inv.wanted(w);
    Facts::Workload {
        ready: w.ready,
        desired,
        running: w.running,
        updated: w.rollout.as_ref().map_or(w.running, |r| r.up_to_date),
        image: w.images.first().cloned().unwrap_or_default(),
        autoscaler: w
            .rollout
            .as_ref()
            .and_then(|r| r.autoscaler.as_ref())
            .map(|a| crate::runbook::judge::Bounds {
                min: a.min,
                max: a.max,
                desired: a.desired,
            }),
    }
}

/// The degraded targets, so "no data" says why there may be none.
fn degraded(model: &Model) -> String {
    let bad: Vec<String> = model
        .targets
        .iter()
        .filter_map(|t| match &t.health {
            Health::Degraded { reason, .. } => Some(format!("{}: {reason}", t.name)),
            _ => None,
        })
        .collect();
    if bad.is_empty() {
        String::new()
    } else {
        format!(" (degraded: {})", bad.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::sample_inventory;
    use crate::model::TargetKind;
    use crate::source::Update;

    fn model_with_sample() -> (Model, WorkloadAddr) {
        let mut model = Model::new(std::time::Duration::from_secs(2), true);
        let inv = sample_inventory(1_700_000_000);
        let addr = inv.workloads[0].addr.clone();
        model.add_target(&addr.target, TargetKind::Docker);
        model.inventories.push((addr.target.clone(), inv));
        (model, addr)
    }

    #[test]
    fn workload_facts_come_from_the_inventory() {
        let (model, addr) = model_with_sample();
        let w = model.inventories[0].1.workloads[0].clone();
        let Facts::Workload {
            ready,
            running,
            desired,
            image,
            ..
        } = workload_facts(&model, &addr)
        else {
            panic!("expected workload facts")
        };
        assert_eq!((ready, running), (w.ready, w.running));
        assert!(desired >= ready);
        assert_eq!(image, w.images.first().cloned().unwrap_or_default());
    }

    #[test]
    fn a_missing_workload_or_target_is_unavailable_with_a_reason() {
        let (model, addr) = model_with_sample();
        let other = WorkloadAddr::new(&addr.target, "nope", "nothing");
        let Facts::Unavailable(why) = workload_facts(&model, &other) else {
            panic!()
        };
        assert!(why.contains("no workload"), "{why}");
        let elsewhere = WorkloadAddr::new("prod", "a", "b");
        assert!(matches!(
            workload_facts(&model, &elsewhere),
            Facts::Unavailable(_)
        ));
    }

    #[test]
    fn metric_facts_read_the_latest_sample_or_say_which_targets_are_degraded() {
        let mut model = Model::new(std::time::Duration::from_secs(2), true);
        model.store.record("probe:site:up", 10, 0.0);
        model.store.record("probe:site:up", 20, 1.0);
        assert_eq!(
            metric_facts(&model, "probe:site:up", "now"),
            Facts::Number(Some(1.0))
        );
        model.add_target("site", TargetKind::Probe);
        model.apply_update(Update::Health {
            target: "site".into(),
            health: Health::Degraded {
                reason: "connection refused".into(),
                since: 0,
                retry_in: std::time::Duration::from_secs(5),
            },
        });
        let Facts::Unavailable(why) = metric_facts(&model, "probe:site:error_ratio", "now") else {
            panic!()
        };
        assert!(why.contains("site: connection refused"), "{why}");
    }
}
