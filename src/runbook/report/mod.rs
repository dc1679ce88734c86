//! The Markdown incident report of a run, built from its timeline and the
//! runbook: summary, timeline, actions with plans and outcomes, final step
//! states, and the key series as sparklines.

mod events;
pub use events::describe;
pub mod sparkline;
mod summary;

use super::judge::fmt_num;
use super::spec::Runbook;
use super::timeline::{RunState, TimelineEntry};
use crate::base::time::unix_seconds;
use std::fmt::Write;
use std::time::Duration;

/// How many characters a sparkline takes in the report.
const SPARK_WIDTH: usize = 48;

pub fn render(rb: &Runbook, entries: &[TimelineEntry], series: &[(String, Vec<f64>)]) -> String {
    let snap = RunState::rebuild(entries).unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(out, "# Incident report: {}\n", rb.title);
    summary::summary(&mut out, rb, entries, &snap);
    section(&mut out, "Timeline");
    events::timeline(&mut out, rb, entries);
    section(&mut out, "Actions");
    events::actions(&mut out, rb, entries);
    section(&mut out, "Steps");
    steps(&mut out, rb, &snap);
    if !series.is_empty() {
        section(&mut out, "Key series");
        key_series(&mut out, series);
    }
    out
}

/// Starts a section with exactly one blank line before and after its title.
fn section(out: &mut String, title: &str) {
    out.truncate(out.trim_end().len());
    let _ = write!(out, "\n\n## {title}\n\n");
}

/// Whole seconds between two RFC 3339 UTC timestamps.
fn elapsed(from: &str, to: &str) -> Option<Duration> {
    let (a, b) = (unix_seconds(from)?, unix_seconds(to)?);
    (b >= a).then(|| Duration::from_secs((b - a) as u64))
}

fn steps(out: &mut String, rb: &Runbook, snap: &RunState) {
    out.push_str("| Step | Kind | State | Result |\n|---|---|---|---|\n");
    for step in &rb.steps {
        let (state, result) = match snap.steps.get(&step.id) {
            Some(r) => (r.status.as_str(), r.output.as_str()),
            None => ("not run", ""),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {state} | {} |",
            cell(&step.title),
            step.body.kind_name(),
            cell(result)
        );
    }
}

fn key_series(out: &mut String, series: &[(String, Vec<f64>)]) {
    out.push_str("```text\n");
    let width = series
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0);
    for (name, values) in series {
        let line = sparkline::sparkline(values, SPARK_WIDTH);
        let stats = match sparkline::stats(values) {
            Some((min, max, last)) => format!(
                "min {}  max {}  last {}",
                fmt_num(min),
                fmt_num(max),
                fmt_num(last)
            ),
            None => "no data".into(),
        };
        let _ = writeln!(out, "{name:<width$}  {line}  {stats}");
    }
    out.push_str("```\n");
}

/// One Markdown table cell: pipes escaped, line breaks kept visible.
pub(crate) fn cell(text: &str) -> String {
    text.trim().replace('|', "\\|").replace('\n', "<br>")
}

/// The clock time of an RFC 3339 timestamp, for compact timeline rows.
fn clock(at: &str) -> &str {
    match at.get(11..19) {
        Some(t) if at.as_bytes().get(10) == Some(&b'T') => t,
        _ => at,
    }
}

pub(crate) fn title_of<'a>(rb: &'a Runbook, step: Option<&'a str>) -> &'a str {
    match step {
        Some(id) => rb.step_index(id).map_or(id, |i| rb.steps[i].title.as_str()),
        None => "",
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
