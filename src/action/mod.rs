//! Every change to the outside world goes through here: plan (a preview of
//! exactly what changes) → refuse if read-only → audit intent → execute → audit
//! outcome. The TUI, the CLI twins and runbooks all use this one path.

mod plan;

pub use plan::{ActionEvent, Outcome, Plan, PlanStep, Request, StepOp, Verb};
