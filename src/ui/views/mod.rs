//! Whole screens and their parts. Each takes the Model by shared reference.
pub mod action_dialog;
pub mod alert_lists;
pub mod alerts;
pub mod chrome;
pub mod containers;
pub mod database;
pub mod events;
pub mod help;
pub mod host_panes;
mod list_frame;
pub mod load;
pub mod logs;
pub mod metrics;
pub mod overview;
pub mod runbook;
pub mod workloads;
