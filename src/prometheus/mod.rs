//! The Prometheus HTTP API: queries, targets, rules and alerts.

mod answer;
mod client;
pub mod red;
mod rules;

pub use answer::{decode_value, number, Answer, Labels, RangeSeries, Sample, Value};
pub use client::{step_for, timeout_of, Client, PromAlert, PromRule, RuleGroup, ScrapeTarget};
pub use rules::PromRuleRow;
