//! The domain types every part of opsdeck speaks in.
mod ack;
pub mod backup;
pub mod cache;
pub mod database;
pub mod describe;
mod host;
pub mod kube;
mod labels;
mod request_series;
pub mod restore_check;
mod severity;
mod target;
mod workload;

pub use ack::Ack;
pub use cache::CacheSnapshot;
pub use database::DbSnapshot;
pub use host::{ratio, DiskUsage, HostSnapshot, NetRate};
pub use kube::{
    Autoscaler, AutoscalerMetric, NodeInfo, PodContainer, PodDetail, Resources, Rollout,
};
pub use labels::labels_text;
pub use request_series::RequestSeries;
pub use severity::Severity;
pub use target::{worst_first, Health, Target, TargetKind};
pub use workload::{
    EngineEvent, Instance, InstanceHealth, Inventory, LogLine, Usage, Workload, WorkloadAddr,
    WorkloadKind, EVENTS_KEPT, NO_GROUP,
};
