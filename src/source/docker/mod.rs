//! Docker targets: inventory, stats, events and logs through bollard.

mod connect;
pub mod convert;

pub use connect::{client, connect, Endpoint};
