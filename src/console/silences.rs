//! Alertmanager silences as the console lists them beside opsdeck's alerts.

use crate::alertmanager::Silence;
use serde::Serialize;

/// One line of the silences list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SilenceRow {
    /// The Alertmanager's configured name.
    pub source: String,
    #[serde(flatten)]
    pub silence: Silence,
    /// How many of that Alertmanager's alerts it mutes now.
    pub muting: usize,
}
