//! How alerts open runbooks, checked before an incident needs it: which
//! labels each rule's alerts carry, whether every `from_alert` param of a
//! runbook binds from the alerts its triggers name, and whether a param's
//! default names something the config has. Pure: the caller brings the
//! catalogue, the rules and (when there is one) the config.

mod carried;
mod roles;

pub use carried::{carried, Carried};
pub use roles::{param_roles, Role};

use crate::base::diag::FileError;
use crate::config::alert_rule::RuleSpec;
use crate::config::Config;
use crate::runbook::catalog::{Entry, Origin};
use crate::runbook::locate::{Locator, Seg};
use std::path::PathBuf;

/// Every binding problem of the runbooks in `entries` against `rules` (the
/// built-ins merged with the config's), located in the runbook file: a param
/// bound to a label its alerts never carry, a default naming nothing the
/// config has.
pub fn check(entries: &[Entry], rules: &[RuleSpec], config: Option<&Config>) -> Vec<FileError> {
    review(entries, rules, config).0
}

/// What the config lacks for an alert to bind by itself (a probe that names
/// no workload): the run would ask, so these are advice, not errors.
pub fn advice(entries: &[Entry], rules: &[RuleSpec], config: &Config) -> Vec<FileError> {
    review(entries, rules, Some(config)).1
}

fn review(
    entries: &[Entry],
    rules: &[RuleSpec],
    config: Option<&Config>,
) -> (Vec<FileError>, Vec<FileError>) {
    let mut errors = Vec::new();
    let mut advice = Vec::new();
    for entry in entries {
        let path = match &entry.origin {
            Origin::Builtin(name) => PathBuf::from(format!("runbooks/{name}")),
            Origin::File(p) => p.clone(),
        };
        let loc = Locator::new(&path, &entry.text);
        let rb = &entry.runbook;
        for (name, spec) in &rb.params {
            let at = [Seg::Key("params"), Seg::Key(name), Seg::Key("from_alert")];
            if let Some(label) = spec.alert_label() {
                for trigger in &rb.triggers {
                    let Some(rule) = rules.iter().find(|r| r.name == trigger.alert) else {
                        continue;
                    };
                    let Some(c) = carried(rule) else { continue };
                    if c.always.contains(label) || spec.default.is_some() {
                        continue;
                    }
                    if c.maybe.contains(label) {
                        if let Some(cfg) = config {
                            for why in c.missing_in(label, cfg) {
                                advice.push(loc.error(&at, format!(
                                    "param {name} binds labels.{label}; alert {} from {why}, so the run would have to ask for it",
                                    rule.name
                                )));
                            }
                        }
                        continue;
                    }
                    errors.push(loc.error(
                        &at,
                        format!(
                            "param {name} binds labels.{label}; alert {} carries {}",
                            rule.name,
                            c.list()
                        ),
                    ));
                }
            }
            if let (Some(cfg), Some(default)) = (config, spec.default.as_ref()) {
                let at = [Seg::Key("params"), Seg::Key(name), Seg::Key("default")];
                let roles = param_roles(rb, name);
                if let Some(problem) = roles::default_problem(&roles, default, cfg) {
                    errors.push(loc.error(&at, format!("param {name}: {problem}")));
                }
            }
        }
    }
    (errors, advice)
}

#[cfg(test)]
mod tests;
