//! The demo service: a small HTTP server of the project's own, with
//! Prometheus metrics and fault switches, that the integration tests run in
//! `FROM scratch` images and `opsdeck demo up` runs as a playground.
//!
//! Routes: `GET /health` (200 "ok", 503 while unhealthy), `GET /` and
//! `GET /work` (`?ms=N` adds a delay; the slow and errors faults act here),
//! `GET /metrics` (Prometheus text), `GET /fault` and `POST /fault` (a JSON
//! [`FaultPatch`]; the current [`FaultView`] comes back).

mod burn;
mod cli;
pub mod client;
mod config;
pub mod exposition;
mod faults;
mod front;
pub mod image;
pub mod metrics;
pub mod playground;
mod routes;
mod server;

pub use cli::{run_check, run_serve, DemoCheckArgs, DemoServeArgs};
pub use client::{check, HttpResponse};
pub use config::{ConfigError, DemoConfig, DEFAULT_LISTEN};
pub use faults::{DownMode, FaultPatch, FaultSettings, FaultView};
pub use front::{run_front, DemoFrontArgs};
pub use routes::Route;
pub use server::{is_crash, serve, shutdown_signal, CrashFault, DemoServer, DRAIN_TIMEOUT};
