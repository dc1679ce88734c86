//! Docker targets: inventory, stats, events and logs through bollard.

mod collector;
mod connect;
pub mod convert;
mod discovery;
pub mod logs;
mod streams;
mod targets;

pub use collector::DockerSource;
pub use connect::{client, connect, Endpoint};
pub use targets::{targets, LOCAL};
