//! Docker targets: inventory, stats, events and logs through bollard.

mod collector;

pub mod convert;
pub mod logs;
mod streams;

pub use collector::DockerSource;
