//! `opsdeck runbook lint`: every problem in a runbook file, each with its
//! file:line:col. Shape errors come from parsing; this adds the semantic
//! ones: duplicate ids, dangling gotos, unreachable steps, loops with no
//! `wait`, unknown names in templates and conditions, bad param defaults.

mod graph;
mod names;
mod params;

use crate::base::diag::FileError;
use crate::runbook::locate::{step_field, Locator};
use crate::runbook::spec::{Runbook, END};
use std::collections::BTreeMap;
use std::path::Path;

pub fn lint(path: &Path, text: &str) -> Vec<FileError> {
    let rb = match Runbook::parse(path, text) {
        Ok(rb) => rb,
        Err(errors) => return errors,
    };
    let loc = Locator::new(path, text);
    let mut errors = ids(&rb, &loc);
    errors.extend(graph::check(&rb, &loc));
    errors.extend(names::check(&rb, &loc));
    errors.extend(params::check(&rb, &loc));
    errors.sort_by(|a, b| (a.line, a.column, &a.message).cmp(&(b.line, b.column, &b.message)));
    errors.dedup();
    errors
}

fn ids(rb: &Runbook, loc: &Locator) -> Vec<FileError> {
    let mut errors = Vec::new();
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, step) in rb.steps.iter().enumerate() {
        let at = step_field(i, "id");
        if step.id == END {
            errors.push(loc.error(
                &at,
                "step id `end` is reserved: goto \"end\" finishes the run",
            ));
        } else if step.id.trim().is_empty() || step.id.contains(char::is_whitespace) {
            errors.push(loc.error(
                &at,
                "a step id must be one word, so templates can say steps.ID",
            ));
        }
        if let Some(&j) = first.get(step.id.as_str()) {
            let line = loc.error(&step_field(j, "id"), "").line;
            errors.push(loc.error(
                &at,
                format!(
                    "duplicate step id `{}` (first used on line {line})",
                    step.id
                ),
            ));
        } else {
            first.insert(&step.id, i);
        }
    }
    errors
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
