//! Param declarations: defaults and choices of the declared type, a
//! default among the choices, and input steps that set declared params.

use crate::base::diag::FileError;
use crate::runbook::locate::{step_field, Locator, Seg};
use crate::runbook::spec::param::display;
use crate::runbook::spec::{Runbook, StepBody};

pub(super) fn check(rb: &Runbook, loc: &Locator) -> Vec<FileError> {
    let mut errors = Vec::new();
    for (name, spec) in &rb.params {
        let at = |f: &'static str| [Seg::Key("params"), Seg::Key(name), Seg::Key(f)];
        for (k, choice) in spec.choices.iter().enumerate() {
            if let Err(e) = spec.kind.accept(choice) {
                let at = [
                    Seg::Key("params"),
                    Seg::Key(name),
                    Seg::Key("choices"),
                    Seg::Index(k),
                ];
                errors.push(loc.error(&at, format!("param `{name}` choice: {e}")));
            }
        }
        if let Some(default) = &spec.default {
            match spec.kind.accept(default) {
                Err(e) => {
                    errors.push(loc.error(&at("default"), format!("param `{name}` default: {e}")))
                }
                Ok(v) => {
                    if spec.check_choice(&v).is_err() {
                        let msg = format!(
                            "param `{name}` default {} is not among its choices",
                            display(&v)
                        );
                        errors.push(loc.error(&at("default"), msg));
                    }
                }
            }
        }
    }
    for (i, step) in rb.steps.iter().enumerate() {
        if let StepBody::Input { param, .. } = &step.body {
            if !rb.params.contains_key(param) {
                let msg = format!(
                    "input sets param `{param}`, which is not declared: add [params.{param}]"
                );
                errors.push(loc.error(&step_field(i, "param"), msg));
            }
        }
    }
    errors
}
