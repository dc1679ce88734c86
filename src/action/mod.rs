//! Every change to the outside world goes through here: plan (a preview of
//! exactly what changes) → refuse if read-only → audit intent → execute → audit
//! outcome. The TUI, the CLI twins and runbooks all use this one path
//! ([`perform::perform`], or [`perform::spawn`] from the app loop).

pub mod audit;
pub mod docker;
mod orchestrator;
pub mod perform;
mod plan;
pub mod revisions;

pub use orchestrator::{Orchestrator, Revision};
pub use perform::{perform, PerformError, PerformOptions, Performed};
pub use plan::{ActionEvent, Outcome, Plan, PlanStep, Request, StepOp, Verb};
