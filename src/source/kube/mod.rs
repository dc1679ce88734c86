//! Kubernetes targets: kubeconfig contexts, watched through kube's reflectors.

mod collector;
pub mod convert;
mod event_feed;
pub mod logs;
pub mod pod_record;
mod pod_scrapes;
mod quantity;
mod slim;
mod watches;

pub use collector::KubeSource;
