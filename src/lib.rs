//! opsdeck: a terminal operations console. See DESIGN.md for the shape.
pub mod action;
pub mod alert;
pub mod alertmanager;
pub mod cli;
pub mod config;
pub mod demo;
pub mod base;
pub mod exposition;
pub mod connect;
pub mod load;
pub mod metrics;
pub mod model;
pub mod prometheus;
pub mod runbook;
pub mod runbook_exec;
pub mod source;
pub mod ui;
