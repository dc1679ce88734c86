//! Docker targets: inventory, stats, events and logs through bollard.

mod connect;

pub use connect::{client, connect, Endpoint};
