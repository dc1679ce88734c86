//! What a runbook param stands for, read off where its steps use it: a
//! `[[postgres]]` target (a SQL check's target, a db action's, a
//! `postgres:NAME:*` series), a `[[redis]]` target (a `redis:NAME:*`
//! series), a workload address, or a `[[probe]]`.

use crate::config::Config;
use crate::runbook::spec::{ActionSpec, Check, Runbook, StepBody};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Postgres,
    Redis,
    Workload,
    Probe,
}

/// The roles param `name` plays in `rb`'s steps, each once.
pub fn param_roles(rb: &Runbook, name: &str) -> Vec<Role> {
    let uses = |text: &str| mentions(text, name);
    let series = |s: &str, kind: &str| {
        s.split_once(':')
            .is_some_and(|(k, rest)| k == kind && uses(rest.split(':').next().unwrap_or_default()))
    };
    let mut roles = Vec::new();
    let mut add = |r: Role| {
        if !roles.contains(&r) {
            roles.push(r);
        }
    };
    for step in &rb.steps {
        match &step.body {
            StepBody::Check(c) | StepBody::Wait { check: c, .. } => match c {
                Check::Sql(s) if uses(&s.target) => add(Role::Postgres),
                Check::Metric(m) if series(&m.series, "postgres") => add(Role::Postgres),
                Check::Metric(m) if series(&m.series, "probe") => add(Role::Probe),
                Check::Metric(m) if series(&m.series, "redis") => add(Role::Redis),
                Check::Workload(w) if uses(&w.workload) => add(Role::Workload),
                Check::RecentDeploy(r) if uses(&r.workload) => add(Role::Workload),
                _ => {}
            },
            StepBody::Action(a) => match a {
                ActionSpec::DbCancel { target, .. } | ActionSpec::DbTerminate { target, .. }
                    if uses(target) =>
                {
                    add(Role::Postgres)
                }
                ActionSpec::Maxmemory { target, .. } if uses(target) => add(Role::Redis),
                ActionSpec::Scale { workload, .. }
                | ActionSpec::Restart { workload }
                | ActionSpec::Rollback { workload, .. }
                | ActionSpec::Deploy { workload, .. }
                | ActionSpec::Autoscale { workload, .. }
                    if uses(workload) =>
                {
                    add(Role::Workload)
                }
                _ => {}
            },
            _ => {}
        }
    }
    roles
}

/// Whether `text` is `{{ params.NAME }}` (spaces as written).
fn mentions(text: &str, name: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    t == format!("{{{{params.{name}}}}}")
}

/// What is wrong with a default that names something the config lacks.
pub fn default_problem(roles: &[Role], default: &Value, cfg: &Config) -> Option<String> {
    let value = default.as_str().filter(|v| !v.is_empty())?;
    for role in roles {
        let (kind, known): (&str, Vec<&String>) = match role {
            Role::Postgres => (
                "[[postgres]] target",
                cfg.postgres.iter().map(|p| p.name.get_ref()).collect(),
            ),
            Role::Redis => (
                "[[redis]] target",
                cfg.redis.iter().map(|p| p.name.get_ref()).collect(),
            ),
            Role::Probe => (
                "[[probe]]",
                cfg.probe.iter().map(|p| p.name.get_ref()).collect(),
            ),
            Role::Workload => {
                let targets: Vec<&String> = cfg
                    .docker
                    .iter()
                    .map(|d| d.name.get_ref())
                    .chain(cfg.kubernetes.iter().map(|k| k.name.get_ref()))
                    .collect();
                // With none configured the targets are found at run time.
                let target = value.split('/').next().unwrap_or_default();
                if targets.is_empty() || targets.iter().any(|t| *t == target) {
                    continue;
                }
                return Some(format!(
                    "default {value:?} names target `{target}`, which the config does not have; a run would act on the wrong place. Known: {}",
                    targets.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
                ));
            }
        };
        if !known.iter().any(|k| *k == value) {
            let have = if known.is_empty() {
                "none is configured".to_string()
            } else {
                format!(
                    "configured: {}",
                    known
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Some(format!(
                "default {value:?} names no {kind} ({have}); a run would read the wrong place. Remove the default so the run asks, or name one that exists"
            ));
        }
    }
    None
}
