//! The domain types every part of opsdeck speaks in.
mod severity;
pub use severity::Severity;
