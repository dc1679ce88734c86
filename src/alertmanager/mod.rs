//! The Alertmanager API v2: its alerts and silences (read by the source),
//! creating and expiring silences (done by the action path's orchestrator),
//! and the label matchers a silence is made of.

pub mod client;
pub mod matcher;
mod silence;

pub use client::{AmAlert, AmSilence, AmStatus, Client, NewSilence, SilenceStatus};
pub use matcher::{matchers_for_alert, Matcher};
pub use silence::Silence;
