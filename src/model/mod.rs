//! The domain types every part of opsdeck speaks in.
pub mod acks;
pub mod alerts;
mod console;
pub mod database;
mod host;
pub mod kube;
pub mod panels;
pub mod sample;
pub mod sample_database;
pub mod sample_metrics;
pub mod services;
mod severity;
mod silences;
mod target;
mod workload;

pub use acks::{Ack, Acks};
pub use alerts::{AlertRow, Alerts, ExternalAlert};
pub use console::{Model, EVENTS_KEPT};
pub use database::DbSnapshot;
pub use host::{ratio, DiskUsage, HostSnapshot, NetRate};
pub use kube::{NodeInfo, PodContainer, PodDetail, Resources, Rollout};
pub use panels::{PanelDef, PanelRange};
pub use services::{ServiceDef, ServiceRow};
pub use severity::Severity;
pub use silences::{PromRuleRow, Silence, SilenceRow};
pub use target::{Health, Target, TargetKind};
pub use workload::{
    EngineEvent, Instance, InstanceHealth, Inventory, LogLine, Usage, Workload, WorkloadAddr,
    WorkloadKind, NO_GROUP,
};
