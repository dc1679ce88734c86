//! Local acknowledgements: "acknowledged by USER at TIME (note)", kept
//! append-only in `DATA_DIR/acks.jsonl` through the audit log's JSONL
//! writer, reloaded on start. An ack holds while the alert stays in the state
//! it was acknowledged in; a new state asks for attention again.

use crate::action::audit::{append_line, read_lines};
use crate::model::AlertRow;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

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
    /// An ack of `row` now by `who`.
    pub fn of(row: &AlertRow, who: &str, unix: i64, note: &str) -> Ack {
        Ack {
            at: crate::base::time::rfc3339(unix),
            unix,
            who: crate::base::redact::redact(who),
            source: row.source.clone(),
            rule: row.alert.rule.clone(),
            series: row.alert.series.clone(),
            state: row.alert.state.as_str().to_string(),
            since: row.alert.since,
            note: crate::base::redact::redact(note.trim()),
        }
    }

    /// Whether this ack is about `row` as it is now (same alert, same state episode).
    pub fn covers(&self, row: &AlertRow) -> bool {
        self.source == row.source
            && self.rule == row.alert.rule
            && self.series == row.alert.series
            && self.state == row.alert.state.as_str()
            && (self.since - row.alert.since).abs() < 1.0
    }

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

/// The ack log: where it lives and every ack read from it.
#[derive(Debug, Clone, Default)]
pub struct Acks {
    path: Option<PathBuf>,
    pub all: Vec<Ack>,
    /// Why the log could not be read on start (it then starts empty).
    pub load_error: Option<String>,
}

impl Acks {
    /// `acks.jsonl` in the data dir, read now; a log that cannot be read is
    /// reported and starts empty rather than stopping the console.
    pub fn in_data_dir() -> Acks {
        Acks::load(crate::config::paths::data_dir().join("acks.jsonl"))
    }

    pub fn load(path: PathBuf) -> Acks {
        let (all, load_error) = match read_lines(&path) {
            Ok(all) => (all, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        Acks {
            path: Some(path),
            all,
            load_error,
        }
    }

    /// Records `ack` on disk first, then in memory. Without a file (tests,
    /// a model built in memory) it is kept in memory only.
    pub fn record(&mut self, ack: Ack) -> Result<(), String> {
        if let Some(path) = &self.path {
            let line = serde_json::to_string(&ack).map_err(|e| e.to_string())?;
            append_line(path, &line)?;
        }
        self.all.push(ack);
        Ok(())
    }

    /// The latest ack that still covers `row`.
    pub fn current(&self, row: &AlertRow) -> Option<&Ack> {
        self.all.iter().rev().find(|a| a.covers(row))
    }

    /// Acks recorded in `[from, to]` (unix seconds), oldest first: what a
    /// runbook run's report lists beside its own timeline.
    pub fn between(&self, from: i64, to: i64) -> Vec<&Ack> {
        self.all
            .iter()
            .filter(|a| a.unix >= from && a.unix <= to)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{AlertState, AlertView};
    use crate::model::Severity;

    fn row(state: AlertState, since: f64) -> AlertRow {
        AlertRow {
            source: "am".into(),
            alert: AlertView {
                rule: "DiskFull".into(),
                series: "fp1".into(),
                labels: Default::default(),
                annotations: Default::default(),
                state,
                severity: Severity::Critical,
                value: None,
                threshold: None,
                since,
                active_since: Some(since),
                runbook: None,
                message: None,
                flapping: false,
            },
            op: None,
            runbook_id: None,
            muted_by: Vec::new(),
            ack: None,
        }
    }

    #[test]
    fn an_ack_holds_until_the_state_changes_and_survives_a_reload() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("acks.jsonl");
        let mut acks = Acks::load(path.clone());
        assert!(acks.load_error.is_none() && acks.all.is_empty());
        let firing = row(AlertState::Firing, 100.0);
        acks.record(Ack::of(&firing, "ana@box", 1_800_000_000, " on it "))
            .unwrap();
        let ack = acks.current(&firing).expect("acked");
        assert_eq!(
            ack.describe(),
            "acknowledged by ana@box at 2027-01-15T08:00:00Z (on it)"
        );
        assert!(acks.current(&row(AlertState::Resolved, 200.0)).is_none());
        assert!(
            acks.current(&row(AlertState::Firing, 300.0)).is_none(),
            "a new episode"
        );

        let reloaded = Acks::load(path);
        assert!(reloaded.load_error.is_none());
        assert!(reloaded.current(&firing).is_some());
        assert_eq!(reloaded.between(1_799_999_999, 1_800_000_001).len(), 1);
        assert!(reloaded.between(0, 10).is_empty());
    }

    #[test]
    fn a_torn_log_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("acks.jsonl");
        std::fs::write(&path, "{not json\n").unwrap();
        let acks = Acks::load(path);
        assert!(acks.all.is_empty());
        assert!(acks.load_error.unwrap().contains("acks.jsonl:1"));
    }
}
