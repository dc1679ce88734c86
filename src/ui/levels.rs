//! When a host value turns yellow or red on screen. These follow the built-in
//! alert thresholds in DESIGN.md, with a critical step above each warning.

use crate::model::Severity;

fn level(v: f64, warn: f64, crit: f64) -> Severity {
    if v >= crit {
        Severity::Critical
    } else if v >= warn {
        Severity::Warning
    } else {
        Severity::Ok
    }
}

pub fn cpu(percent: f64) -> Severity {
    level(percent, 80.0, 95.0)
}

pub fn memory(ratio: f64) -> Severity {
    level(ratio, 0.85, 0.95)
}

pub fn swap(ratio: f64) -> Severity {
    level(ratio, 0.5, 0.8)
}

pub fn disk(ratio: f64) -> Severity {
    level(ratio, 0.8, 0.9)
}

/// Load per core: above 1 means work is queueing.
pub fn load(load: f64, cores: usize) -> Severity {
    level(load / cores.max(1) as f64, 1.0, 2.0)
}

/// Share of max_connections in use; 0.8 is the database runbook's default saturation.
pub fn connections(ratio: f64) -> Severity {
    level(ratio, 0.8, 0.95)
}

/// How long a query has run: half a minute is slow for an OLTP query, five minutes is a runaway.
pub fn query_secs(secs: f64) -> Severity {
    level(secs, 30.0, 300.0)
}
