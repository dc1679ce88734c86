use serde::{Deserialize, Serialize};

/// How bad something is; ordered so that `max()` gives the worst.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Ok,
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    /// An alert's `severity` label as Prometheus rules write it: warning when
    /// absent or unknown, the common default.
    pub fn of_labels(labels: &std::collections::BTreeMap<String, String>) -> Severity {
        match labels.get("severity").map(String::as_str) {
            Some("critical") | Some("page") => Severity::Critical,
            Some("info") | Some("none") => Severity::Info,
            _ => Severity::Warning,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
