//! opsdeck: a terminal operations console. See DESIGN.md for the shape.
pub mod config;
pub mod diag;
pub mod model;
