//! A capacity run's stages as rows of figures, for the terminal summary and
//! the Markdown report alike. Pure.

use super::infra::{Peak, StageInfra, WorkloadStage};
use super::stages::Stage;
use super::verdict::{Outcome, StageRow};
use crate::load::report::ms;
use crate::load::stats::LoadFigures;

pub const HEADER: [&str; 9] = [
    "stage",
    "requests/s",
    "p50",
    "p95",
    "p99",
    "max",
    "errors",
    "status codes",
    "result",
];

/// One row's cells, in the order of [`HEADER`].
pub fn cells(row: &StageRow) -> Vec<String> {
    let result = match &row.outcome {
        Outcome::Passed => "passed".to_string(),
        Outcome::Failed => format!("FAILED: {}", row.why()),
        Outcome::NothingAnswered | Outcome::NotRun { .. } => row.why(),
    };
    let mut out = vec![stage_cell(&row.stage)];
    out.extend(figure_cells(row.figures.as_ref()));
    out.push(result);
    out
}

/// The first cell: `100 users for 2m`.
pub fn stage_cell(stage: &Stage) -> String {
    format!(
        "{} for {}",
        stage.label(),
        crate::base::duration::HumanDuration(stage.hold)
    )
}

/// The cells between the stage and the result: a finished stage's figures,
/// or the running one's so far; `-` for each without figures.
pub fn figure_cells(figures: Option<&LoadFigures>) -> Vec<String> {
    let Some(f) = figures else {
        return std::iter::repeat_n("-".to_string(), 7).collect();
    };
    let errors = if f.error_kinds.is_empty() {
        "0".to_string()
    } else {
        f.error_kinds
            .iter()
            .map(|(k, n)| format!("{} {n}", k.label()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let codes = f
        .statuses
        .iter()
        .map(|(c, n)| format!("{c}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let answered = f.answers > 0;
    let lat = |v: f64| if answered { ms(v) } else { "-".to_string() };
    vec![
        format!("{:.1}", f.rps),
        lat(f.latency.p50),
        lat(f.latency.p95),
        lat(f.latency.p99),
        lat(f.latency.max),
        errors,
        if codes.is_empty() { "-".into() } else { codes },
    ]
}

/// Aligned columns for a terminal.
pub fn text(rows: &[StageRow]) -> String {
    let body: Vec<Vec<String>> = rows.iter().map(cells).collect();
    let mut widths: Vec<usize> = HEADER.iter().map(|h| h.chars().count()).collect();
    for r in &body {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                // The last column is free text: no padding to trail it.
                if i + 1 == widths.len() {
                    c.to_string()
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        padded.join("  ")
    };
    let mut out = line(HEADER.to_vec());
    out.push('\n');
    for r in &body {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

/// What was read beside each stage, one line each: `beside 200 users: ...`.
pub fn beside(rows: &[StageRow]) -> String {
    let mut out = String::new();
    for r in rows {
        let Some(infra) = &r.infra else { continue };
        out.push_str(&format!(
            "beside {}: {}\n",
            r.stage.label(),
            infra_text(infra)
        ));
    }
    out
}

/// The readings of one stage in words; an unread source says why.
pub fn infra_text(infra: &StageInfra) -> String {
    let mut parts = Vec::new();
    if let Some(w) = &infra.workload {
        parts.push(workload_text(w, true));
    }
    parts.extend(databases_text(infra));
    if parts.is_empty() {
        "no reading".into()
    } else {
        parts.join(", ")
    }
}

/// The workload's peaks (`named`: with its name first), or why it was not read.
pub fn workload_text(peak: &Peak<WorkloadStage>, named: bool) -> String {
    match peak {
        Peak::Read(w) if named => w.describe(),
        Peak::Read(w) => w.figures(),
        Peak::Unread(why) => format!("workload unread: {why}"),
    }
}

/// Each `[[postgres]]` target's peaks, or why it was not read.
pub fn databases_text(infra: &StageInfra) -> Vec<String> {
    infra
        .databases
        .iter()
        .map(|(name, p)| match p {
            Peak::Read(d) => d.describe(name),
            Peak::Unread(why) => format!("{name} unread: {why}"),
        })
        .collect()
}
