//! Kubernetes targets: kubeconfig contexts, watched through kube's reflectors.

mod collector;
mod connect;
pub mod convert;
mod event_feed;
pub mod logs;
pub mod pod_record;
mod quantity;
mod slim;
mod watches;

pub use collector::KubeSource;
pub use connect::{
    client, client_config, contexts, explain, targets, with_context, KubeTarget, IN_CLUSTER,
};
