//! The run timeline: one JSON object per line, appended as the run goes.
//! Timestamps are RFC 3339 strings handed in by the runner; nothing here
//! reads the clock. `Snapshot` folds a timeline back into run state so a run
//! can resume from the step that failed.

use super::spec::{Action, Check, Params, Prior};
use super::status::{RunMode, RunOutcome, StepState};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    #[serde(flatten)]
    pub event: Entry,
}

/// What fired, as the incident report opens with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiredAlert {
    pub name: String,
    pub severity: String,
    /// What it reads on: a series, or a Prometheus alert's label set.
    pub series: String,
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    /// Unix seconds it began (pending included).
    pub since: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Entry {
    RunStarted {
        runbook: String,
        mode: RunMode,
        params: Params,
        #[serde(default)]
        labels: BTreeMap<String, String>,
        /// The alert the run was opened from, as it stood then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alert: Option<FiredAlert>,
        /// Params whose values lost credentials or query values to
        /// redaction: a resumed run must be given them again.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        withheld: Vec<String>,
    },
    RunResumed {
        from: String,
        mode: RunMode,
    },
    StepStarted {
        attempt: u32,
    },
    CheckRequested {
        check: Check,
    },
    /// One poll of a `wait` step that did not pass yet.
    Polled {
        value: Value,
        output: String,
    },
    StepFinished {
        status: StepState,
        #[serde(default)]
        value: Value,
        #[serde(default)]
        output: String,
    },
    /// Branch choices, retries, gotos, confirmations, skips.
    Decision {
        text: String,
    },
    ActionPlanned {
        action: Action,
        plan: String,
        #[serde(default)]
        prior: Prior,
        #[serde(default)]
        undo: bool,
    },
    ActionApplied {
        action: Action,
        #[serde(default)]
        prior: Prior,
        ok: bool,
        output: String,
        #[serde(default)]
        undo: bool,
    },
    InputGiven {
        param: String,
        value: Value,
        /// The value lost credentials or query values to redaction.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        withheld: bool,
    },
    RunFinished {
        outcome: RunOutcome,
    },
    /// Someone acknowledged an alert in the console while the run went on
    /// (from the ack log, merged in when the report is written).
    AlertAcknowledged {
        source: String,
        rule: String,
        who: String,
        #[serde(default)]
        note: String,
    },
}

impl TimelineEntry {
    pub fn new(at: &str, step: Option<&str>, event: Entry) -> Self {
        TimelineEntry {
            at: at.to_string(),
            step: step.map(str::to_string),
            event,
        }
    }

    /// The entry as a timeline keeps and shows it: every string through
    /// [`redact`](crate::base::redact::redact), so a URL's userinfo and query
    /// values never reach the file, the report or the screen; a param whose
    /// value that changed is marked withheld.
    pub fn redacted(mut self) -> TimelineEntry {
        match &mut self.event {
            Entry::RunStarted {
                params, withheld, ..
            } => {
                *withheld = params
                    .iter()
                    .filter(|(_, v)| loses_to_redaction(v))
                    .map(|(k, _)| k.clone())
                    .collect();
            }
            Entry::InputGiven {
                value, withheld, ..
            } => *withheld = loses_to_redaction(value),
            _ => {}
        }
        let mut json = serde_json::to_value(&self).expect("timeline entries always serialize");
        redact_strings(&mut json);
        // The file is read back with this same deserializer, so what was
        // written always reads.
        serde_json::from_value(json).expect("a redacted timeline entry reads back")
    }

    /// One line of the JSONL file, newline included.
    pub fn to_line(&self) -> String {
        let mut line = serde_json::to_string(self).expect("timeline entries always serialize");
        line.push('\n');
        line
    }
}

impl From<&crate::model::Ack> for TimelineEntry {
    fn from(a: &crate::model::Ack) -> Self {
        TimelineEntry::new(
            &a.at,
            None,
            Entry::AlertAcknowledged {
                source: a.source.clone(),
                rule: a.rule.clone(),
                who: a.who.clone(),
                note: a.note.clone(),
            },
        )
    }
}

/// The run's entries with the acknowledgements made between its first and
/// last entry, in time order.
pub fn with_acks(entries: &[TimelineEntry], acks: &[crate::model::Ack]) -> Vec<TimelineEntry> {
    let unix = |at: &str| crate::base::time::unix_seconds(at).unwrap_or(0.0);
    let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
        return entries.to_vec();
    };
    let (from, to) = (unix(&first.at), unix(&last.at));
    let mut all: Vec<TimelineEntry> = entries.to_vec();
    all.extend(
        acks.iter()
            .filter(|a| a.unix >= from.floor() as i64 && a.unix <= to.ceil() as i64)
            .map(TimelineEntry::from),
    );
    // Stable: a run's own entries keep their order when times tie.
    all.sort_by(|a, b| unix(&a.at).total_cmp(&unix(&b.at)));
    all
}

/// Reads a JSONL timeline. A torn last line (the process died mid-write)
/// is dropped; a bad line anywhere else is an error naming its number.
pub fn parse(text: &str) -> Result<Vec<TimelineEntry>, String> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let mut entries = Vec::with_capacity(lines.len());
    for (k, (n, line)) in lines.iter().enumerate() {
        match serde_json::from_str(line) {
            Ok(e) => entries.push(e),
            Err(_) if k + 1 == lines.len() && !text.ends_with('\n') => break,
            Err(e) => return Err(format!("line {}: {e}", n + 1)),
        }
    }
    Ok(entries)
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct StepResult {
    pub status: StepState,
    pub value: Value,
    pub output: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub step: String,
    pub action: Action,
    pub prior: Prior,
}

/// A run's state as its timeline tells it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunState {
    pub runbook: String,
    /// The alert the run was opened from.
    pub alert: Option<FiredAlert>,
    pub mode: RunMode,
    pub params: Params,
    pub labels: BTreeMap<String, String>,
    /// Params the timeline holds only redacted (see [`TimelineEntry::redacted`]).
    pub withheld: std::collections::BTreeSet<String>,
    pub steps: BTreeMap<String, StepResult>,
    /// Actions that changed something and were not undone, oldest first.
    pub applied: Vec<Applied>,
    pub last_started: Option<String>,
    pub outcome: Option<RunOutcome>,
    pub started_at: Option<String>,
    pub last_at: Option<String>,
}

impl RunState {
    pub fn rebuild(entries: &[TimelineEntry]) -> Result<RunState, String> {
        let mut snap = RunState::default();
        let mut seen_start = false;
        for e in entries {
            snap.last_at = Some(e.at.clone());
            let step = e.step.clone().unwrap_or_default();
            match &e.event {
                Entry::RunStarted {
                    runbook,
                    mode,
                    params,
                    labels,
                    alert,
                    withheld,
                } => {
                    seen_start = true;
                    snap.alert = alert.clone();
                    snap.runbook = runbook.clone();
                    snap.mode = *mode;
                    snap.params = params.clone();
                    snap.labels = labels.clone();
                    snap.withheld = withheld.iter().cloned().collect();
                    snap.started_at = Some(e.at.clone());
                }
                Entry::RunResumed { mode, .. } => {
                    snap.mode = *mode;
                    snap.outcome = None;
                }
                Entry::StepStarted { .. } => {
                    snap.last_started = Some(step.clone());
                    snap.steps.entry(step).or_default().status = StepState::Running;
                }
                Entry::StepFinished {
                    status,
                    value,
                    output,
                } => {
                    let r = StepResult {
                        status: *status,
                        value: value.clone(),
                        output: output.clone(),
                    };
                    snap.steps.insert(step, r);
                }
                Entry::InputGiven {
                    param,
                    value,
                    withheld,
                } => {
                    snap.params.insert(param.clone(), value.clone());
                    if *withheld {
                        snap.withheld.insert(param.clone());
                    } else {
                        snap.withheld.remove(param);
                    }
                }
                Entry::ActionApplied {
                    action,
                    prior,
                    ok: true,
                    undo: false,
                    ..
                } => {
                    snap.applied.push(Applied {
                        step,
                        action: action.clone(),
                        prior: prior.clone(),
                    });
                }
                Entry::ActionApplied {
                    ok: true,
                    undo: true,
                    ..
                } => {
                    if let Some(i) = snap.applied.iter().rposition(|a| a.step == step) {
                        snap.applied.remove(i);
                    }
                }
                Entry::RunFinished { outcome } => snap.outcome = Some(outcome.clone()),
                Entry::CheckRequested { .. }
                | Entry::Polled { .. }
                | Entry::Decision { .. }
                | Entry::ActionPlanned { .. }
                | Entry::ActionApplied { .. }
                | Entry::AlertAcknowledged { .. } => {}
            }
        }
        if !seen_start {
            return Err("the timeline has no run_started entry".into());
        }
        Ok(snap)
    }

    /// The step to resume from: where the run failed or was stopped, or,
    /// if the process died mid-run, the step it was in.
    pub fn resume_point(&self) -> Result<String, String> {
        match &self.outcome {
            Some(o) => o
                .resume_step()
                .map(str::to_string)
                .ok_or_else(|| format!("the run {}; nothing to resume", o.describe())),
            None => self
                .last_started
                .clone()
                .ok_or_else(|| "the run never started a step".to_string()),
        }
    }
}

/// Whether redaction would change this value (a URL with credentials or a
/// query, anywhere in it).
fn loses_to_redaction(v: &Value) -> bool {
    let mut redacted = v.clone();
    redact_strings(&mut redacted);
    redacted != *v
}

fn redact_strings(v: &mut Value) {
    match v {
        Value::String(s) => *s = crate::base::redact::redact(s),
        Value::Array(items) => items.iter_mut().for_each(redact_strings),
        Value::Object(map) => map.values_mut().for_each(redact_strings),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
#[path = "timeline_tests.rs"]
mod tests;
