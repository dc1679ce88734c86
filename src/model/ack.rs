//! A local acknowledgement of an alert: "acknowledged by USER at TIME (note)".

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    /// RFC 3339, UTC.
    pub at: String,
    /// Unix seconds, for ordering and the timeline.
    pub unix: i64,
    /// `user@host`.
    pub who: String,
    /// Where the alert comes from (`opsdeck` or a Prometheus/Alertmanager name).
    pub source: String,
    pub rule: String,
    pub series: String,
    /// The state it was acknowledged in, and since when it held it.
    pub state: String,
    pub since: f64,
    #[serde(default)]
    pub note: String,
}

impl Ack {
    /// `acknowledged by ana@host at 2026-11-23T10:00:00Z (looking into it)`.
    pub fn describe(&self) -> String {
        let note = if self.note.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.note)
        };
        format!("acknowledged by {} at {}{note}", self.who, self.at)
    }
}
