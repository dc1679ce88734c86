//! Each stage passes or fails its thresholds, and the run answers the one
//! question: up to which stage does it hold, and where does it fail? Pure.

use super::bottleneck::Bottleneck;
use super::infra::StageInfra;
use super::stages::{Level, Role, Stage};
use super::threshold::{Extra, Judged, Threshold};
use crate::load::stats::LoadFigures;
use serde::Serialize;

/// How one stage went.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    /// At least one threshold failed.
    Failed,
    /// Requests went out and none was answered: no figure to judge, so a fail.
    NothingAnswered,
    /// Not run: stopped early, or an earlier stage failed.
    NotRun {
        why: String,
    },
}

/// One stage, its figures and how it was judged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRow {
    pub stage: Stage,
    pub outcome: Outcome,
    pub figures: Option<LoadFigures>,
    pub judged: Vec<Judged>,
    /// What was read beside the stage (None: nothing is watched).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infra: Option<StageInfra>,
    /// On a failed stage with readings: what saturated, as degraded-performance judges it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bottleneck: Option<Bottleneck>,
}

impl StageRow {
    pub fn not_run(stage: Stage, why: &str) -> StageRow {
        StageRow {
            stage,
            outcome: Outcome::NotRun { why: why.into() },
            figures: None,
            judged: Vec::new(),
            infra: None,
            bottleneck: None,
        }
    }

    pub fn judge(
        stage: Stage,
        figures: LoadFigures,
        extra: Extra,
        thresholds: &[Threshold],
    ) -> StageRow {
        let judged: Vec<Judged> = thresholds
            .iter()
            .map(|t| t.judge(&figures, extra))
            .collect();
        let outcome = if figures.answers == 0 {
            Outcome::NothingAnswered
        } else if judged.iter().all(|j| j.passed) {
            Outcome::Passed
        } else {
            Outcome::Failed
        };
        StageRow {
            stage,
            outcome,
            figures: Some(figures),
            judged,
            infra: None,
            bottleneck: None,
        }
    }

    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }

    /// Why it failed, in a few words: `p95 1.8 s (p95<1s)`.
    pub fn why(&self) -> String {
        match &self.outcome {
            Outcome::Passed => self.observed(),
            Outcome::Failed => self
                .judged
                .iter()
                .filter(|j| !j.passed)
                .map(|j| format!("{} ({})", j.observed, j.threshold))
                .collect::<Vec<_>>()
                .join(", "),
            Outcome::NothingAnswered => {
                let kinds = self.figures.as_ref().map_or_else(String::new, |f| {
                    f.error_kinds
                        .iter()
                        .map(|(k, n)| format!("{} {n}", k.label()))
                        .collect::<Vec<_>>()
                        .join(", ")
                });
                if kinds.is_empty() {
                    "nothing answered".into()
                } else {
                    format!("nothing answered ({kinds})")
                }
            }
            Outcome::NotRun { why } => format!("not run: {why}"),
        }
    }

    /// What the thresholds read: `p95 0.41 s, errors 0 %`.
    pub fn observed(&self) -> String {
        self.judged
            .iter()
            .map(|j| j.observed.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The answer of the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// The highest step that passed, with every step below it passing too.
    pub holds: Option<Level>,
    /// The first step that did not pass.
    pub fails_at: Option<Level>,
    /// The step that must pass for the run to succeed.
    pub target: Level,
    pub target_passed: bool,
    /// How the spike went, when there was one (None: not run).
    pub spike_passed: Option<bool>,
    /// One line: `holds 100 users at p95 0.41 s; fails at 200 users: p95 1.8 s (p95<1s)`.
    pub line: String,
}

/// The rows of one step level: the step and, when the spike cut it, the rest.
fn level_rows(rows: &[StageRow], level: Level) -> impl Iterator<Item = &StageRow> {
    rows.iter()
        .filter(move |r| r.stage.role != Role::Spike && r.stage.level == level)
}

/// Step levels in the order they run.
fn step_levels(rows: &[StageRow]) -> Vec<Level> {
    let mut out: Vec<Level> = Vec::new();
    for r in rows.iter().filter(|r| r.stage.role == Role::Step) {
        if !out.contains(&r.stage.level) {
            out.push(r.stage.level);
        }
    }
    out
}

/// The default target: the last step.
pub fn default_target(stages: &[Stage]) -> Option<Level> {
    stages
        .iter()
        .rev()
        .find(|s| s.role == Role::Step)
        .map(|s| s.level)
}

pub fn verdict(rows: &[StageRow], target: Level) -> Verdict {
    let level_passed = |l: Level| level_rows(rows, l).all(StageRow::passed);
    let mut holds = None;
    let mut fails_at = None;
    for l in step_levels(rows) {
        if level_passed(l) {
            holds = Some(l);
        } else {
            fails_at = Some(l);
            break;
        }
    }
    let spike = rows.iter().find(|r| r.stage.role == Role::Spike);
    let spike_passed = spike
        .filter(|r| !matches!(r.outcome, Outcome::NotRun { .. }))
        .map(StageRow::passed);
    let target_passed = level_rows(rows, target).next().is_some() && level_passed(target);

    let mut parts = Vec::new();
    match holds {
        Some(l) => {
            let at = level_rows(rows, l)
                .next()
                .map(StageRow::observed)
                .unwrap_or_default();
            parts.push(if at.is_empty() {
                format!("holds {l}")
            } else {
                format!("holds {l} at {at}")
            });
        }
        None if fails_at.is_some() => parts.push("holds no stage".to_string()),
        None => parts.push("no stage ran".to_string()),
    }
    if let Some(l) = fails_at {
        let first = level_rows(rows, l).find(|r| !r.passed());
        let why = first.map(StageRow::why).unwrap_or_default();
        // A stage stopped before its end was not judged: it did not fail.
        let not_run = first.is_some_and(|r| matches!(r.outcome, Outcome::NotRun { .. }));
        parts.push(if not_run {
            format!("stopped at {l}: {why}")
        } else {
            format!("fails at {l}: {why}")
        });
        let named = level_rows(rows, l).find_map(|r| r.bottleneck.as_ref());
        if let Some(b) = named {
            parts.push(format!(
                "at {l}: {} → {}, see {}",
                b.readings,
                b.title,
                super::bottleneck::RUNBOOK
            ));
        }
    }
    if let (Some(r), Some(ok)) = (spike, spike_passed) {
        parts.push(format!(
            "{}: {}",
            r.stage.label(),
            if ok {
                format!("held at {}", r.observed())
            } else {
                format!("failed: {}", r.why())
            }
        ));
    }
    parts.push(format!(
        "target {target}: {}",
        if target_passed {
            "passed"
        } else {
            "not passed"
        }
    ));
    Verdict {
        holds,
        fails_at,
        target,
        target_passed,
        spike_passed,
        line: parts.join("; "),
    }
}

#[cfg(test)]
#[path = "verdict_tests.rs"]
mod tests;
