//! Local acknowledgements as the console holds them. The executors keep them
//! append-only in `DATA_DIR/acks.jsonl` and read them back on start. An ack
//! holds while the alert stays in the state it was acknowledged in; a new
//! state asks for attention again.

use crate::console::AlertRow;
use crate::model::Ack;

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
}

/// Every acknowledgement known, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Acks {
    pub all: Vec<Ack>,
    /// Why the log could not be read on start (it then starts empty).
    pub load_error: Option<String>,
}

impl Acks {
    /// What reading the log gave: its acks, or why there are none.
    pub fn from_read(read: Result<Vec<Ack>, String>) -> Acks {
        match read {
            Ok(all) => Acks {
                all,
                load_error: None,
            },
            Err(e) => Acks {
                all: Vec::new(),
                load_error: Some(e),
            },
        }
    }

    /// An ack the executors have written to the log.
    pub fn record(&mut self, ack: Ack) {
        self.all.push(ack);
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
