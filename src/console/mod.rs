//! The console's state: the Model (what opsdeck knows), the Events that
//! change it (collector updates and executors' replies), the Commands it asks
//! the executors for, and `apply`. Pure: no I/O, no awaiting.
pub mod acks;
pub mod alerts;
pub mod backups;
pub mod cache;
pub mod cluster_series;
mod command;
mod event;
pub mod load_run;
mod model;
pub mod panels;
pub mod reads;
pub mod runbook;
pub mod services;
pub mod silences;

pub use acks::Acks;
pub use alerts::{AlertRow, Alerts};
pub use cluster_series::ClusterSeries;
pub use command::{CapacityAsk, Command};
pub use event::Event;
pub use model::{inventory_series, Model};
pub use panels::{PanelDef, PanelRange};
pub use services::{ServiceDef, ServiceRow};
pub use silences::SilenceRow;
