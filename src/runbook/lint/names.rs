//! Every template and condition must parse and name only what exists:
//! declared params, `alert.labels.*`, and `steps.ID.{status,value,output}`
//! of real steps. A check's `expect` sees the facts of its source instead.

use crate::base::diag::FileError;
use crate::runbook::expr;
use crate::runbook::judge::expect_expr;
use crate::runbook::locate::{step_field, Locator, Seg};
use crate::runbook::spec::{Check, Runbook, StepBody};

/// Functions minijinja provides as globals; templates may call them.
const GLOBALS: &[&str] = &["range", "dict", "namespace"];

enum Kind<'a> {
    Template,
    Condition,
    /// An `expect`: a template whose rendering is judged against these facts.
    Expect(&'a [&'a str]),
}

struct Text<'a> {
    at: Vec<Seg<'a>>,
    text: &'a str,
    kind: Kind<'a>,
}

pub(super) fn check(rb: &Runbook, loc: &Locator) -> Vec<FileError> {
    let mut errors = Vec::new();
    for t in texts(rb) {
        let result = match t.kind {
            Kind::Template => expr::template_names(t.text).map(|n| unknown_names(rb, &n)),
            Kind::Condition => expr::expr_names(t.text).map(|n| unknown_names(rb, &n)),
            Kind::Expect(facts) => expect_problems(rb, t.text, facts),
        };
        match result {
            Ok(problems) => errors.extend(problems.into_iter().map(|p| loc.error(&t.at, p))),
            Err(e) => {
                errors.push(loc.error(&t.at, format!("`{}` does not parse: {e}", t.text.trim())))
            }
        }
    }
    errors
}

fn facts_of(check: &Check) -> &'static [&'static str] {
    match check {
        Check::Workload(_) => &[
            "ready",
            "desired",
            "running",
            "updated",
            "image",
            "hpa_min",
            "hpa_max",
            "hpa_desired",
        ],
        Check::Sql(_) => &["rows", "value", "row"],
        Check::Promql(_) | Check::Metric(_) => &["value"],
        Check::Probe(_) | Check::RecentDeploy(_) => &[],
    }
}

fn texts(rb: &Runbook) -> Vec<Text<'_>> {
    let mut out = Vec::new();
    for (i, step) in rb.steps.iter().enumerate() {
        let here = |f: &'static str| step_field(i, f).to_vec();
        if let Some(when) = &step.when {
            out.push(Text {
                at: here("when"),
                text: when,
                kind: Kind::Condition,
            });
        }
        match &step.body {
            StepBody::Note { text, .. } => out.push(Text {
                at: here("text"),
                text,
                kind: Kind::Template,
            }),
            StepBody::Check(check) | StepBody::Wait { check, .. } => {
                for (field, text) in check.strings() {
                    let at = match check {
                        Check::Workload(_) => here(field),
                        _ => vec![
                            Seg::Key("step"),
                            Seg::Index(i),
                            Seg::Key(check.source_name()),
                            Seg::Key(field),
                        ],
                    };
                    let kind = if field == "expect" {
                        Kind::Expect(facts_of(check))
                    } else {
                        Kind::Template
                    };
                    out.push(Text { at, text, kind });
                }
            }
            StepBody::Action(spec) => {
                for (field, text) in spec.strings() {
                    out.push(Text {
                        at: here(field),
                        text,
                        kind: Kind::Template,
                    });
                }
            }
            StepBody::Input { prompt, .. } => out.push(Text {
                at: here("prompt"),
                text: prompt,
                kind: Kind::Template,
            }),
            StepBody::Branch { cases, .. } => {
                for (k, case) in cases.iter().enumerate() {
                    let at = vec![
                        Seg::Key("step"),
                        Seg::Index(i),
                        Seg::Key("cases"),
                        Seg::Index(k),
                        Seg::Key("when"),
                    ];
                    out.push(Text {
                        at,
                        text: &case.when,
                        kind: Kind::Condition,
                    });
                }
            }
        }
    }
    out
}

/// An `expect` is templated first (it may use params), then judged; only a
/// plain one can be checked as an expression here.
fn expect_problems(
    rb: &Runbook,
    text: &str,
    facts: &[&str],
) -> Result<Vec<String>, expr::ExprError> {
    let templated = expr::template_names(text)?;
    if !templated.is_empty() || text.contains("{{") {
        return Ok(unknown_names(rb, &templated));
    }
    let names = expr::expr_names(&expect_expr(text))?;
    Ok(names
        .iter()
        .map(|n| n.split('.').next().unwrap_or_default())
        .filter(|root| !facts.contains(root))
        .map(|root| {
            format!(
                "unknown name `{root}` in expect (this check offers: {})",
                facts.join(", ")
            )
        })
        .collect())
}

fn unknown_names(rb: &Runbook, names: &std::collections::BTreeSet<String>) -> Vec<String> {
    names.iter().filter_map(|n| unknown_name(rb, n)).collect()
}

fn unknown_name(rb: &Runbook, name: &str) -> Option<String> {
    let parts: Vec<&str> = name.split('.').collect();
    let hint = |word: &str, among: Vec<&str>| {
        crate::runbook::suggest(word, among)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default()
    };
    match parts[..] {
        ["params"] | ["alert"] | ["steps"] | ["alert", "labels", ..] => None,
        ["params", p, ..] if rb.params.contains_key(p) => None,
        ["params", p, ..] => Some(format!(
            "unknown param `{p}`{}",
            hint(p, rb.params.keys().map(String::as_str).collect())
        )),
        ["alert", other, ..] => Some(format!(
            "unknown name `alert.{other}`: an alert offers `alert.labels`"
        )),
        ["steps", s, ..] if rb.step_index(s).is_none() => Some(format!(
            "unknown step `{s}`{}",
            hint(s, rb.steps.iter().map(|s| s.id.as_str()).collect())
        )),
        ["steps", _] | ["steps", _, "status" | "value" | "output", ..] => None,
        ["steps", s, field, ..] => Some(format!(
            "`steps.{s}.{field}`: a step offers status, value and output"
        )),
        [root, ..] if GLOBALS.contains(&root) => None,
        [root, ..] => Some(format!(
            "unknown name `{root}`: templates see params, alert.labels and steps"
        )),
        [] => None,
    }
}
