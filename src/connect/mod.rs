//! Client set-up, in one place for collectors and actions alike: the HTTP
//! client (TLS verified, auth from the environment or files), Docker engines,
//! Kubernetes contexts, PostgreSQL sessions and Redis connections.
pub mod docker;
pub mod http;
pub mod kube;
pub mod postgres;
pub mod process;
pub mod redis;
pub mod ssh;
