//! Time series kept in memory: fixed-size rings with downsampling tiers.
mod store;
mod tier;

pub use store::{glob_match, MetricStore, SeriesId, TIERS};
