//! Alerts another system evaluates, as opsdeck holds them.

use super::AlertView;

/// An alert another system evaluates (Prometheus, Alertmanager).
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalAlert {
    pub alert: AlertView,
    /// The Alertmanager silences or inhibiting alerts that mute it.
    pub muted_by: Vec<String>,
}

impl ExternalAlert {
    pub fn new(alert: AlertView) -> Self {
        ExternalAlert {
            alert,
            muted_by: Vec::new(),
        }
    }
}
