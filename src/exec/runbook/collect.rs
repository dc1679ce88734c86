//! Metric and workload checks of a headless run: the configured collectors
//! polled once into a fresh `Model` (the same plan the console supervises),
//! then read as the console reads its live one (`console::reads`).

use crate::config::Config;
use crate::console::reads::{metric_facts, workload_facts};
use crate::console::Model;
use crate::model::WorkloadAddr;
use crate::runbook::judge::Facts;
use crate::source::targets::{plan, poll_all, poll_each};

/// What a headless read says where the console would say "now".
const AFTER_POLL: &str = "after one poll of the configured collectors";

/// What a headless read says when the series needed a second poll.
const AFTER_TWO_POLLS: &str = "after two polls of the configured collectors, one refresh apart";

/// The latest sample of `series` after one poll of every collector; a
/// series one poll cannot give (a rate between two readings: a cache's hit
/// ratio, a scrape's requests/s) after a second poll, one refresh later.
pub async fn metric(config: &Config, series: &str) -> Facts {
    let mut model = Model::new(config.refresh.0, true);
    let mut planned = plan(config);
    model.add_started(poll_each(&mut planned).await);
    if model.store.latest_by_name(series).is_some() {
        return metric_facts(&model, series, AFTER_POLL);
    }
    tokio::time::sleep(config.refresh.0).await;
    model.add_started(poll_each(&mut planned).await);
    metric_facts(&model, series, AFTER_TWO_POLLS)
}

/// Replica counts of `workload` after one poll of its target's collector.
pub async fn workload(config: &Config, workload: &str) -> Facts {
    let addr: WorkloadAddr = match workload.parse() {
        Ok(a) => a,
        Err(e) => return Facts::Unavailable(e),
    };
    let planned: Vec<_> = plan(config)
        .into_iter()
        .filter(|p| p.name == addr.target)
        .collect();
    if planned.is_empty() {
        return Facts::Unavailable(format!(
            "no target `{}` is configured (workload {addr})",
            addr.target
        ));
    }
    let mut model = Model::new(config.refresh.0, true);
    model.add_started(poll_all(planned).await);
    workload_facts(&model, &addr)
}
