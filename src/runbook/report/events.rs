//! The timeline table and the actions section of the report.

use super::{cell, clock, title_of};
use crate::runbook::spec::param::display;
use crate::runbook::spec::Runbook;
use crate::runbook::timeline::{Entry, TimelineEntry};
use std::fmt::Write;

pub(super) fn timeline(out: &mut String, rb: &Runbook, entries: &[TimelineEntry]) {
    out.push_str("| Time | Step | What happened |\n|---|---|---|\n");
    let mut i = 0;
    while i < entries.len() {
        let e = &entries[i];
        let step = title_of(rb, e.step.as_deref());
        // A wait's polls are one line: how many, over how long, then how it ended.
        let polls = entries[i..]
            .iter()
            .take_while(|p| matches!(p.event, Entry::Polled { .. }) && p.step == e.step)
            .count();
        let (what, used) = if polls > 1 {
            let last = &entries[i + polls - 1];
            let span = super::elapsed(&e.at, &last.at)
                .map(crate::base::duration::format)
                .unwrap_or_default();
            let Entry::Polled { output, .. } = &last.event else {
                unreachable!()
            };
            let mut text = format!("polled {polls}× over {span}: not yet (last: {output})");
            let mut used = polls;
            if let Some(end) = entries.get(i + polls).filter(|n| n.step == e.step) {
                if let Entry::StepFinished { .. } = end.event {
                    text.push_str(&format!(", then {}", describe(&end.event)));
                    used += 1;
                }
            }
            (text, used)
        } else {
            (describe(&e.event), 1)
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            clock(&e.at),
            cell(step),
            cell(&what)
        );
        i += used;
    }
}

/// One timeline entry as the report's "What happened" column says it.
pub fn describe(e: &Entry) -> String {
    match e {
        Entry::RunStarted { runbook, mode, .. } => {
            format!("run of `{runbook}` started ({mode:?})").to_lowercase()
        }
        Entry::RunResumed { from, .. } => format!("run resumed from `{from}`"),
        Entry::StepStarted { attempt: 1 } => "started".into(),
        Entry::StepStarted { attempt } => format!("started (attempt {attempt})"),
        Entry::CheckRequested { check } => format!("check: {}", check.describe()),
        Entry::Polled { output, .. } => format!("not yet: {output}"),
        Entry::StepFinished { status, output, .. } if output.is_empty() => {
            status.as_str().to_string()
        }
        Entry::StepFinished { status, output, .. } => format!("{}: {output}", status.as_str()),
        Entry::Decision { text } => text.clone(),
        Entry::ActionPlanned { action, undo, .. } => {
            format!(
                "{}planned: {}",
                if *undo { "undo " } else { "" },
                action.describe()
            )
        }
        Entry::ActionApplied {
            action,
            ok,
            output,
            undo,
            ..
        } => format!(
            "{}{}: {}{}",
            if *undo { "undo " } else { "" },
            if *ok { "applied" } else { "FAILED" },
            action.describe(),
            if output.is_empty() {
                String::new()
            } else {
                format!(" ({output})")
            }
        ),
        Entry::InputGiven { param, value, .. } => format!("{param} = {}", display(value)),
        Entry::RunFinished { outcome } => format!("run {}", outcome.describe()),
        Entry::AlertAcknowledged {
            source,
            rule,
            who,
            note,
        } => {
            let note = if note.is_empty() {
                String::new()
            } else {
                format!(" ({note})")
            };
            format!("alert {rule} ({source}) acknowledged by {who}{note}")
        }
    }
}

/// Each planned action with what became of it: the decision and the outcome
/// that follow its plan for the same step.
pub(super) fn actions(out: &mut String, rb: &Runbook, entries: &[TimelineEntry]) {
    let mut any = false;
    for (i, e) in entries.iter().enumerate() {
        let Entry::ActionPlanned {
            action, plan, undo, ..
        } = &e.event
        else {
            continue;
        };
        any = true;
        let later = || entries[i + 1..].iter().filter(|l| l.step == e.step);
        let decision = later()
            .take_while(|l| {
                !matches!(
                    l.event,
                    Entry::ActionPlanned { .. } | Entry::StepStarted { .. }
                )
            })
            .find_map(|l| match &l.event {
                Entry::Decision { text } if text.starts_with("confirmed") => Some("confirmed"),
                Entry::Decision { text } if text.starts_with("declined") => Some("declined"),
                _ => None,
            });
        let outcome = later().find_map(|l| match &l.event {
            Entry::ActionApplied {
                action: a,
                ok,
                output,
                ..
            } if a == action => Some((*ok, output.clone(), l.at.clone())),
            _ => None,
        });
        let step = title_of(rb, e.step.as_deref());
        let _ = writeln!(out, "### {}{step}\n", if *undo { "Undo: " } else { "" });
        let _ = writeln!(out, "- **Action:** {}", action.describe());
        let _ = writeln!(out, "- **Planned at:** {}", e.at);
        let _ = writeln!(out, "- **Plan:**\n\n```text\n{}\n```\n", plan.trim_end());
        let decided = match decision {
            Some(d) => d,
            None if outcome.is_none() => "not confirmed (plan only)",
            None => "confirmed",
        };
        let _ = writeln!(out, "- **Decision:** {decided}");
        let result = match outcome {
            Some((true, output, at)) => format!("applied at {at}: {output}"),
            Some((false, output, at)) => format!("failed at {at}: {output}"),
            None => "not applied".into(),
        };
        let _ = writeln!(out, "- **Outcome:** {}\n", result.trim_end());
    }
    if !any {
        out.push_str("No actions were planned or taken.\n");
    }
}
