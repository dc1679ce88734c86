//! opsdeck: a terminal operations console. See DESIGN.md for the shape and the
//! README's "Architecture" for the layers; `tests/architecture.rs` keeps them.

// Layer 0: vocabulary, config, base.
pub mod base;
pub mod config;
pub mod model;
// Layer 1: pure engines.
pub mod alert;
pub mod binding;
pub mod exposition;
pub mod metrics;
pub mod runbook;
// Layer 2: adapters to the outside world.
pub mod action;
pub mod alertmanager;
pub mod connect;
pub mod demo;
pub mod load;
pub mod prometheus;
pub mod source;
// Layer 3: the console's state.
pub mod console;
// Layer 4: executors.
pub mod exec;
// Layer 5: entry points.
pub mod cli;
pub mod ui;

// Test fixtures live with the integration tests, which name the crate
// `opsdeck`; the unit tests reach them by the same name.
#[cfg(test)]
extern crate self as opsdeck;
#[cfg(test)]
#[path = "../tests/support/fixtures/mod.rs"]
pub mod fixtures;
