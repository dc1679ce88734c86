//! Time series kept in memory (fixed-size rings with downsampling tiers), and
//! the maths over them: histogram quantiles and counter rates.
pub mod glob;
pub mod histogram;
pub mod rate;
pub mod service_rates;
mod store;
mod tier;

pub use glob::glob_match;
pub use store::{MetricStore, SeriesId, TIERS};
