//! One silence as an Alertmanager holds it, in the terms opsdeck uses.

use super::Matcher;
use serde::Serialize;

/// One silence of an Alertmanager.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Silence {
    pub id: String,
    pub matchers: Vec<Matcher>,
    /// active, pending or expired.
    pub state: String,
    /// Unix seconds.
    pub starts_at: f64,
    pub ends_at: f64,
    pub created_by: String,
    pub comment: String,
}
