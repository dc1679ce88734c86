//! opsdeck: a terminal operations console. See DESIGN.md for the shape.
pub mod cli;
pub mod config;
pub mod diag;
pub mod metrics;
pub mod model;
pub mod source;
pub mod ui;
