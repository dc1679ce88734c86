//! The report's opening: bullet lists a person can paste anywhere (Markdown
//! tables do not render in every chat or ticket): what fired, what the
//! checks found, what was done, the state now, and how long mitigation took.

use super::{clock, elapsed};
use crate::base::duration;
use crate::runbook::judge::fmt_num;
use crate::runbook::spec::param::display;
use crate::runbook::spec::{Runbook, StepBody};
use crate::runbook::status::StepState;
use crate::runbook::timeline::{Entry, RunState, TimelineEntry};
use std::fmt::Write;

pub(super) fn summary(out: &mut String, rb: &Runbook, entries: &[TimelineEntry], snap: &RunState) {
    let started = entries.first().map(|e| e.at.as_str()).unwrap_or("-");
    let ended = entries.last().map(|e| e.at.as_str()).unwrap_or("-");
    let verdict = match &snap.outcome {
        Some(o) => o.describe(),
        None => "unfinished (the run stopped without an outcome)".into(),
    };
    out.push_str("## Summary\n\n");
    let _ = writeln!(out, "- **Verdict:** {verdict}");
    let _ = writeln!(out, "- **What fired:** {}", fired(snap));
    let took = elapsed(started, ended)
        .map(duration::format)
        .unwrap_or_else(|| "unknown".into());
    let _ = writeln!(
        out,
        "- **Run:** `{}` ({}), {} mode, {started} to {ended} ({took})",
        rb.id,
        rb.title,
        format!("{:?}", snap.mode).to_lowercase()
    );
    let _ = writeln!(out, "- **Time to mitigate:** {}", mitigation(rb, entries));
    let params: Vec<String> = snap
        .params
        .iter()
        .filter(|(_, v)| !v.is_null() && v.as_str() != Some(""))
        .map(|(k, v)| format!("`{k}` = `{}`", display(v)))
        .collect();
    let _ = writeln!(
        out,
        "- **Params:** {}",
        if params.is_empty() {
            "none".into()
        } else {
            params.join(", ")
        }
    );
    if !snap.labels.is_empty() {
        let labels: Vec<String> = snap
            .labels
            .iter()
            .map(|(k, v)| format!("`{k}` = `{v}`"))
            .collect();
        let _ = writeln!(out, "- **Alert labels:** {}", labels.join(", "));
    }

    out.push_str("\n### What the checks found\n\n");
    let found = findings(rb, snap);
    if found.is_empty() {
        out.push_str("- No check ran.\n");
    }
    for line in found {
        let _ = writeln!(out, "- {line}");
    }

    out.push_str("\n### What was done\n\n");
    let done = actions(entries);
    if done.is_empty() {
        out.push_str("- Nothing was changed.\n");
    }
    for line in done {
        let _ = writeln!(out, "- {line}");
    }

    out.push_str("\n### State now\n\n");
    let _ = writeln!(out, "- {verdict}");
    if let Some(last) = last_verification(rb, snap) {
        let _ = writeln!(out, "- Last verification: {last}");
    }
}

fn fired(snap: &RunState) -> String {
    let Some(a) = &snap.alert else {
        return match snap.labels.get("alertname") {
            Some(name) => format!("{name} (the run was opened from it)"),
            None => "no alert: the run was started by hand".into(),
        };
    };
    let value = match (a.value, a.threshold) {
        (Some(v), Some(t)) => format!(", value {} against {}", fmt_num(v), fmt_num(t)),
        (Some(v), None) => format!(", value {}", fmt_num(v)),
        _ => String::new(),
    };
    let since = crate::base::time::rfc3339(a.since as i64);
    let on = if a.series.is_empty() {
        String::new()
    } else {
        format!(" on `{}`", a.series)
    };
    format!("{} ({}){on}{value}, since {since}", a.name, a.severity)
}

/// Each check's last word, in the order of the runbook.
fn findings(rb: &Runbook, snap: &RunState) -> Vec<String> {
    rb.steps
        .iter()
        .filter(|s| matches!(s.body, StepBody::Check(_) | StepBody::Wait { .. }))
        .filter_map(|s| {
            let r = snap.steps.get(&s.id)?;
            let first = r.output.lines().next().unwrap_or_default();
            match r.status {
                StepState::Skipped if first.starts_with("not applicable") => None,
                status => Some(format!("{}: {} — {first}", s.title, status.as_str())),
            }
        })
        .collect()
}

fn actions(entries: &[TimelineEntry]) -> Vec<String> {
    entries
        .iter()
        .filter_map(|e| match &e.event {
            Entry::ActionApplied {
                action,
                ok,
                output,
                undo,
                ..
            } => Some(
                format!(
                    "{} {}{}: {} at {}",
                    if *undo { "undo" } else { "" },
                    action.describe(),
                    if *ok { "" } else { " FAILED" },
                    output.lines().next().unwrap_or("done"),
                    clock(&e.at)
                )
                .trim_start()
                .to_string(),
            ),
            Entry::Decision { text } if text.starts_with("declined") => {
                Some(format!("{text} at {}", clock(&e.at)))
            }
            _ => None,
        })
        .collect()
}

/// From the run's start to the first verification (a wait step) that
/// passed after an action changed something: when the fix was seen to work.
fn mitigation(rb: &Runbook, entries: &[TimelineEntry]) -> String {
    let start = entries.first().map(|e| e.at.as_str()).unwrap_or_default();
    let mut acted = false;
    for e in entries {
        match &e.event {
            Entry::ActionApplied { ok: true, .. } => acted = true,
            Entry::StepFinished {
                status: StepState::Passed,
                ..
            } if acted => {
                let is_wait = e
                    .step
                    .as_deref()
                    .and_then(|id| rb.step_index(id))
                    .is_some_and(|i| matches!(rb.steps[i].body, StepBody::Wait { .. }));
                if is_wait {
                    let took = elapsed(start, &e.at)
                        .map(duration::format)
                        .unwrap_or_else(|| "unknown".into());
                    let step = super::title_of(rb, e.step.as_deref());
                    return format!("{took} (verified by \"{step}\" at {})", clock(&e.at));
                }
            }
            _ => {}
        }
    }
    if acted {
        "not verified: no check after the action passed".into()
    } else {
        "not mitigated by this run: nothing was changed".into()
    }
}

fn last_verification(rb: &Runbook, snap: &RunState) -> Option<String> {
    rb.steps
        .iter()
        .rev()
        .filter(|s| matches!(s.body, StepBody::Wait { .. }))
        .find_map(|s| {
            let r = snap.steps.get(&s.id)?;
            (r.status != StepState::Skipped).then(|| {
                format!(
                    "{}: {} — {}",
                    s.title,
                    r.status.as_str(),
                    r.output.lines().next().unwrap_or_default()
                )
            })
        })
}
