//! The small base every layer may use: located errors, durations, time,
//! redaction, units, and the allocator's trim.
pub mod diag;
pub mod duration;
pub mod memory;
pub mod redact;
pub mod time;
pub mod units;
