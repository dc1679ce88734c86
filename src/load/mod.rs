//! The load generator: `opsdeck load URL` and the console's `:load` view.
//!
//! Pure parts, tested alone: [`profile`] (rate over time and the open-model
//! schedule), [`stats`] (HdrHistogram percentiles, counts, per-second
//! series), [`errors`] (what kind of failure), [`spec`] (the run asked for
//! and its action plan), [`report`] (the text summary). The I/O parts:
//! [`client`] (one hyper connection per worker, or a shared HTTP/2 one),
//! [`runner`] (workers on tokio) and [`orchestrator`], through which a run
//! goes down the one action path (plan → read-only refusal → confirm →
//! audit), its live figures on a channel of their own.

pub mod args;
pub mod capacity;
pub mod client;
pub mod errors;
pub mod orchestrator;
pub mod profile;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod spec;
pub mod stats;

pub use errors::ErrorKind;
pub use orchestrator::LoadOrchestrator;
pub use profile::Profile;
pub use spec::{Endpoint, LoadSpec, Stop};
pub use stats::{LoadFigures, Sample, Stats};
