//! Alerts: rules, their evaluation over opsdeck's series and PromQL results,
//! alert states and transitions, built-in rules, and Prometheus rule import.
//!
//! Pure: no tokio, no I/O, no clock. Time comes in as unix seconds (f64);
//! series values come through `SeriesLookup`; PromQL results are fed in by
//! the Prometheus source with `AlertEngine::ingest_promql`.

pub mod defaults;

mod backup_rules;
mod cluster_rules;
mod engine;
mod external;
mod flap;

mod from_config;
pub mod promfile;
mod runbook_ref;
mod series;
mod state;
mod suggest;
pub mod template;
mod validate;
mod view;

pub use crate::base::duration::HumanDuration;
pub use crate::config::alert_rule::{MetricPatterns, Op, RuleSpec};
pub use crate::metrics::glob::{glob_match, is_pattern};
pub use defaults::{default_rules, merge_rules, MergeError};
pub use engine::{AlertEngine, EngineOptions, PromResult, PromSample, SeriesLookup};
pub use external::ExternalAlert;
pub use from_config::{check_config, rules_of, specs_of, target_labels};
pub use promfile::{import_rule_file, rules_to_toml, ImportNote, ImportReport};
pub use runbook_ref::{map_runbook_url, RunbookRef};
pub use series::{labels_key, series_labels};
pub use state::AlertState;
pub use validate::{validate_rules, Condition, Level, Rule, RuleError, RuleSource};
pub use view::{display_order, state_rank, AlertView, Transition};
