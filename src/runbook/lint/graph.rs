//! The step graph: every way one step leads to another, used to find gotos
//! to missing steps, steps nothing leads to, and loops that would spin
//! without a `wait` to pace them.

use crate::base::diag::FileError;
use crate::runbook::locate::{Locator, Seg};
use crate::runbook::spec::{OnFailure, Runbook, StepBody, END};
use crate::runbook::suggest;

struct Edge<'a> {
    from: usize,
    /// `None` for the step below (it cannot be missing or go backwards).
    target: Option<&'a str>,
    at: Vec<Seg<'a>>,
}

fn edges(rb: &Runbook) -> Vec<Edge<'_>> {
    let mut out = Vec::new();
    for (i, step) in rb.steps.iter().enumerate() {
        let field = |f: &'static str| vec![Seg::Key("step"), Seg::Index(i), Seg::Key(f)];
        let onward = || match &step.next {
            Some(t) => Edge {
                from: i,
                target: Some(t.as_str()),
                at: field("next"),
            },
            None => Edge {
                from: i,
                target: None,
                at: vec![],
            },
        };
        match &step.body {
            StepBody::Branch { cases, default } => {
                for (k, case) in cases.iter().enumerate() {
                    let at = vec![
                        Seg::Key("step"),
                        Seg::Index(i),
                        Seg::Key("cases"),
                        Seg::Index(k),
                        Seg::Key("goto"),
                    ];
                    out.push(Edge {
                        from: i,
                        target: Some(&case.goto),
                        at,
                    });
                }
                match default {
                    Some(t) => out.push(Edge {
                        from: i,
                        target: Some(t),
                        at: field("default"),
                    }),
                    None => out.push(onward()),
                }
            }
            _ => out.push(onward()),
        }
        match &step.on_failure {
            OnFailure::Goto(t) => out.push(Edge {
                from: i,
                target: Some(t),
                at: field("on_failure"),
            }),
            OnFailure::Continue => out.push(onward()),
            OnFailure::Abort | OnFailure::Rollback => {}
        }
    }
    out
}

/// The step an edge leads to; `None` for the end of the run or a missing step.
fn resolve(rb: &Runbook, e: &Edge) -> Option<usize> {
    match e.target {
        None => Some(e.from + 1).filter(|&n| n < rb.steps.len()),
        Some(END) => None,
        Some(t) => rb.step_index(t),
    }
}

pub(super) fn check(rb: &Runbook, loc: &Locator) -> Vec<FileError> {
    let edges = edges(rb);
    let mut errors = Vec::new();
    for e in &edges {
        if let Some(t) = e.target.filter(|t| *t != END && rb.step_index(t).is_none()) {
            let hint = suggest(t, rb.steps.iter().map(|s| s.id.as_str()))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            errors.push(loc.error(&e.at, format!("goto to missing step `{t}`{hint}")));
        }
    }
    let n = rb.steps.len();
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in &edges {
        if let Some(t) = resolve(rb, e) {
            next[e.from].push(t);
        }
    }
    let reach: Vec<Vec<bool>> = (0..n).map(|s| reachable(&next, s)).collect();
    for (i, step) in rb.steps.iter().enumerate().skip(1) {
        if !reach[0][i] {
            let at = [Seg::Key("step"), Seg::Index(i), Seg::Key("id")];
            errors.push(loc.error(
                &at,
                format!("step `{}` is unreachable: no step leads to it", step.id),
            ));
        }
    }
    for e in &edges {
        let Some(to) = resolve(rb, e) else { continue };
        // Every cycle has an edge that does not go forward; judge it by that edge.
        if to > e.from || !reach[to][e.from] {
            continue;
        }
        let in_loop = (0..n).filter(|&w| reach[to][w] && reach[w][e.from]);
        let paced = in_loop
            .clone()
            .any(|w| matches!(rb.steps[w].body, StepBody::Wait { .. }));
        if !paced {
            let ids: Vec<&str> = in_loop.map(|w| rb.steps[w].id.as_str()).collect();
            let msg = format!(
                "loop with no wait step ({}): add a `wait` so it polls instead of spinning",
                ids.join(" → ")
            );
            errors.push(loc.error(&e.at, msg));
        }
    }
    errors
}

/// Which steps `start` leads to, itself included.
fn reachable(next: &[Vec<usize>], start: usize) -> Vec<bool> {
    let mut seen = vec![false; next.len()];
    let mut stack = vec![start];
    while let Some(s) = stack.pop() {
        if !std::mem::replace(&mut seen[s], true) {
            stack.extend(next[s].iter().copied());
        }
    }
    seen
}
