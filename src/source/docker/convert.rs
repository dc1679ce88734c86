//! Raw Engine API data to the model: pure functions, tested on JSON captured
//! from a real engine (tests/fixtures/docker/).

mod event;
mod group;
mod instance;
mod scrape;
mod task;
#[cfg(test)]
mod tests;
mod usage;

pub use event::{change, engine_event, Change, WATCHED_ACTIONS};
pub use group::{adopt_service_addresses, group_workloads, swarm_services, SwarmService};
pub use instance::{
    container_name, health_verdict, instance_from_inspect, instance_from_summary, unix_nanos,
    unix_secs, workload_of, Container,
};
pub use scrape::{engine_host, scrape_url};
pub use task::remote_task_instances;
pub use usage::{cpu_percent, mem_bytes, usage};
