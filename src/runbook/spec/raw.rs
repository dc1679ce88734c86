//! The file as written: one flat table per step (as DESIGN.md shows it),
//! checked field by field against the step's kind and turned into `Step`.

use super::action::{ActionKind, ActionSpec};
use super::check::{
    Check, MetricCheck, ProbeCheck, PromqlCheck, RecentDeployCheck, SqlCheck, WorkloadCheck,
};
use super::{Case, OnFailure, ParamSpec, Runbook, Step, StepBody, Trigger};
use crate::base::diag::FileError;
use crate::base::duration;
use crate::model::Severity;
use crate::runbook::locate::{step_field, Locator, Seg};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// What a workload check expects when the file does not say.
const DEFAULT_WORKLOAD_EXPECT: &str = "ready >= desired and ready >= 1";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRunbook {
    id: String,
    title: String,
    #[serde(default = "default_severity")]
    severity: Severity,
    #[serde(default)]
    description: String,
    #[serde(default, rename = "trigger")]
    triggers: Vec<Trigger>,
    #[serde(default)]
    params: BTreeMap<String, ParamSpec>,
    #[serde(default, rename = "step")]
    steps: Vec<RawStep>,
}

fn default_severity() -> Severity {
    Severity::Warning
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum KindName {
    Note,
    Check,
    Action,
    Wait,
    Input,
    Branch,
}

/// Replica counts and pids may be written as numbers or as templates.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Int(i64),
    Text(String),
}

impl Scalar {
    fn text(self) -> String {
        match self {
            Scalar::Int(i) => i.to_string(),
            Scalar::Text(s) => s,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: String,
    kind: KindName,
    title: Option<String>,
    #[serde(default, with = "duration::opt")]
    timeout: Option<Duration>,
    retry: Option<u32>,
    #[serde(default, with = "duration::opt")]
    retry_delay: Option<Duration>,
    on_failure: Option<OnFailure>,
    next: Option<String>,
    when: Option<String>,
    text: Option<String>,
    unresolved: Option<bool>,
    probe: Option<ProbeCheck>,
    promql: Option<PromqlCheck>,
    workload: Option<String>,
    expect: Option<String>,
    metric: Option<MetricCheck>,
    sql: Option<SqlCheck>,
    recent_deploy: Option<RecentDeployCheck>,
    /// A workload check's value: one of the names its `expect` sees.
    value: Option<String>,
    #[serde(default, with = "duration::opt")]
    interval: Option<Duration>,
    action: Option<ActionKind>,
    replicas: Option<Scalar>,
    min: Option<Scalar>,
    max: Option<Scalar>,
    to: Option<String>,
    image: Option<String>,
    target: Option<String>,
    pid: Option<Scalar>,
    command: Option<String>,
    undo: Option<String>,
    url: Option<String>,
    rate: Option<Scalar>,
    duration: Option<String>,
    connections: Option<Scalar>,
    size: Option<Scalar>,
    backup: Option<String>,
    param: Option<String>,
    prompt: Option<String>,
    cases: Option<Vec<Case>>,
    default: Option<String>,
}

type Problems = Vec<(&'static str, String)>;

const FAILURE_FIELDS: &[&str] = &["timeout", "retry", "retry_delay", "on_failure"];
const SOURCES: &[&str] = &[
    "probe",
    "promql",
    "workload",
    "expect",
    "value",
    "metric",
    "sql",
    "recent_deploy",
];
const ACTION_FIELDS: &[&str] = &[
    "action",
    "workload",
    "replicas",
    "min",
    "max",
    "to",
    "image",
    "target",
    "pid",
    "command",
    "undo",
    "url",
    "rate",
    "duration",
    "connections",
    "size",
    "backup",
];

pub(super) fn parse(path: &Path, text: &str) -> Result<Runbook, Vec<FileError>> {
    let raw: RawRunbook = crate::base::diag::parse_toml(path, text).map_err(|e| vec![e])?;
    let loc = Locator::new(path, text);
    if raw.steps.is_empty() {
        return Err(vec![loc.error(&[], "a runbook needs at least one [[step]]")]);
    }
    let mut errors = Vec::new();
    let mut steps = Vec::new();
    for (i, step) in raw.steps.into_iter().enumerate() {
        match convert(step) {
            Ok(s) => steps.push(s),
            Err(problems) => errors.extend(
                problems
                    .into_iter()
                    .map(|(field, msg)| loc.error(&step_field(i, field), msg)),
            ),
        }
    }
    for (name, spec) in &raw.params {
        if spec.from_alert.is_some() && spec.alert_label().is_none() {
            let at = [Seg::Key("params"), Seg::Key(name), Seg::Key("from_alert")];
            errors.push(loc.error(&at, "from_alert must be `labels.NAME`"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Runbook {
        id: raw.id,
        title: raw.title,
        severity: raw.severity,
        description: raw.description,
        triggers: raw.triggers,
        params: raw.params,
        steps,
    })
}

impl RawStep {
    /// Names of the optional fields the file set, in declaration order.
    fn present(&self) -> Vec<&'static str> {
        let set = [
            ("timeout", self.timeout.is_some()),
            ("retry", self.retry.is_some()),
            ("retry_delay", self.retry_delay.is_some()),
            ("on_failure", self.on_failure.is_some()),
            ("text", self.text.is_some()),
            ("unresolved", self.unresolved.is_some()),
            ("probe", self.probe.is_some()),
            ("promql", self.promql.is_some()),
            ("workload", self.workload.is_some()),
            ("expect", self.expect.is_some()),
            ("value", self.value.is_some()),
            ("metric", self.metric.is_some()),
            ("sql", self.sql.is_some()),
            ("recent_deploy", self.recent_deploy.is_some()),
            ("interval", self.interval.is_some()),
            ("action", self.action.is_some()),
            ("replicas", self.replicas.is_some()),
            ("min", self.min.is_some()),
            ("max", self.max.is_some()),
            ("to", self.to.is_some()),
            ("image", self.image.is_some()),
            ("target", self.target.is_some()),
            ("pid", self.pid.is_some()),
            ("command", self.command.is_some()),
            ("undo", self.undo.is_some()),
            ("url", self.url.is_some()),
            ("rate", self.rate.is_some()),
            ("duration", self.duration.is_some()),
            ("connections", self.connections.is_some()),
            ("size", self.size.is_some()),
            ("backup", self.backup.is_some()),
            ("param", self.param.is_some()),
            ("prompt", self.prompt.is_some()),
            ("cases", self.cases.is_some()),
            ("default", self.default.is_some()),
        ];
        set.into_iter()
            .filter(|(_, on)| *on)
            .map(|(n, _)| n)
            .collect()
    }
}

fn convert(mut raw: RawStep) -> Result<Step, Problems> {
    let kind_word = kind_word(raw.kind);
    let allowed: Vec<&str> = match raw.kind {
        KindName::Note => vec!["text", "unresolved"],
        KindName::Check => [FAILURE_FIELDS, SOURCES].concat(),
        KindName::Wait => [FAILURE_FIELDS, SOURCES, &["interval"]].concat(),
        KindName::Action => [FAILURE_FIELDS, ACTION_FIELDS].concat(),
        KindName::Input => vec!["param", "prompt"],
        KindName::Branch => vec!["cases", "default", "on_failure"],
    };
    let mut problems: Problems = raw
        .present()
        .into_iter()
        .filter(|f| !allowed.contains(f))
        .map(|f| (f, format!("`{f}` does not apply to a {kind_word} step")))
        .collect();
    let body = match raw.kind {
        KindName::Note => Some(StepBody::Note {
            text: raw.text.take().unwrap_or_default(),
            unresolved: raw.unresolved.unwrap_or(false),
        }),
        KindName::Check => check_source(&mut raw, &mut problems).map(StepBody::Check),
        KindName::Wait => check_source(&mut raw, &mut problems).map(|check| StepBody::Wait {
            check,
            interval: raw.interval.unwrap_or(super::DEFAULT_WAIT_INTERVAL),
        }),
        KindName::Action => action(&mut raw, &mut problems).map(StepBody::Action),
        KindName::Input => match raw.param.take() {
            Some(param) => Some(StepBody::Input {
                param,
                prompt: raw.prompt.take().unwrap_or_default(),
            }),
            None => {
                problems.push((
                    "kind",
                    "an input step needs `param`, the param it sets".into(),
                ));
                None
            }
        },
        KindName::Branch => match raw.cases.take() {
            Some(cases) if !cases.is_empty() => Some(StepBody::Branch {
                cases,
                default: raw.default.take(),
            }),
            _ => {
                problems.push((
                    "kind",
                    "a branch step needs `cases = [ { when = \"...\", goto = \"...\" } ]`".into(),
                ));
                None
            }
        },
    };
    match body {
        Some(body) if problems.is_empty() => {
            let timeout = match (&body, raw.timeout) {
                (StepBody::Wait { .. }, None) => Some(super::DEFAULT_WAIT_TIMEOUT),
                (_, t) => t,
            };
            Ok(Step {
                title: raw.title.unwrap_or_else(|| raw.id.clone()),
                id: raw.id,
                timeout,
                retry: raw.retry.unwrap_or(0),
                retry_delay: raw.retry_delay,
                on_failure: raw.on_failure.unwrap_or_default(),
                next: raw.next,
                when: raw.when,
                body,
            })
        }
        _ => Err(problems),
    }
}

fn kind_word(kind: KindName) -> &'static str {
    match kind {
        KindName::Note => "note",
        KindName::Check => "check",
        KindName::Action => "action",
        KindName::Wait => "wait",
        KindName::Input => "input",
        KindName::Branch => "branch",
    }
}

fn check_source(raw: &mut RawStep, problems: &mut Problems) -> Option<Check> {
    let expect = raw.expect.take();
    if expect.is_some() && raw.workload.is_none() {
        problems.push(("expect", "step-level `expect` goes with `workload`; other sources take `expect` inside their table".into()));
    }
    let mut found: Vec<(&'static str, Check)> = Vec::new();
    found.extend(raw.probe.take().map(|p| ("probe", Check::Probe(p))));
    found.extend(raw.promql.take().map(|p| ("promql", Check::Promql(p))));
    found.extend(raw.workload.take().map(|workload| {
        let expect = expect.unwrap_or_else(|| DEFAULT_WORKLOAD_EXPECT.to_string());
        (
            "workload",
            Check::Workload(WorkloadCheck {
                workload,
                expect,
                value: raw.value.take(),
            }),
        )
    }));
    found.extend(raw.metric.take().map(|m| ("metric", Check::Metric(m))));
    found.extend(raw.sql.take().map(|s| ("sql", Check::Sql(s))));
    found.extend(
        raw.recent_deploy
            .take()
            .map(|r| ("recent_deploy", Check::RecentDeploy(r))),
    );
    match found.len() {
        0 => {
            problems.push((
                "kind",
                "a check reads one of: probe, promql, workload, metric, sql, recent_deploy".into(),
            ));
            None
        }
        1 => found.pop().map(|(_, c)| c),
        _ => {
            let names: Vec<&str> = found.iter().map(|(n, _)| *n).collect();
            problems.push((
                names[1],
                format!("a check reads one source; found {}", names.join(" and ")),
            ));
            None
        }
    }
}

fn action(raw: &mut RawStep, problems: &mut Problems) -> Option<ActionSpec> {
    let Some(kind) = raw.action else {
        problems.push(("kind", "an action step needs `action` (scale, restart, rollback, deploy, autoscale, db_cancel, db_terminate, backup, verify_backup, load, maxmemory, shell)".into()));
        return None;
    };
    let (name, takes): (&str, &[&str]) = match kind {
        ActionKind::Scale => ("scale", &["workload", "replicas"]),
        ActionKind::Restart => ("restart", &["workload"]),
        ActionKind::Rollback => ("rollback", &["workload", "to"]),
        ActionKind::Deploy => ("deploy", &["workload", "image"]),
        ActionKind::Autoscale => ("autoscale", &["workload", "min", "max"]),
        ActionKind::DbCancel => ("db_cancel", &["target", "pid"]),
        ActionKind::DbTerminate => ("db_terminate", &["target", "pid"]),
        ActionKind::Shell => ("shell", &["command", "undo"]),
        ActionKind::Load => ("load", &["url", "rate", "duration", "connections"]),
        ActionKind::Maxmemory => ("maxmemory", &["target", "size"]),
        ActionKind::Backup => ("backup", &["target"]),
        ActionKind::VerifyBackup => ("verify_backup", &["backup"]),
    };
    let before = problems.len();
    for f in raw
        .present()
        .into_iter()
        .filter(|f| ACTION_FIELDS.contains(f))
    {
        if f != "action" && !takes.contains(&f) {
            problems.push((
                f,
                format!(
                    "a {name} action takes {}; `{f}` does not apply",
                    list(takes)
                ),
            ));
        }
    }
    let mut need = |field: &'static str, v: Option<String>| -> String {
        if v.is_none() {
            problems.push(("action", format!("a {name} action needs `{field}`")));
        }
        v.unwrap_or_default()
    };
    let spec = match kind {
        ActionKind::Scale => ActionSpec::Scale {
            workload: need("workload", raw.workload.take()),
            replicas: need("replicas", raw.replicas.take().map(Scalar::text)),
        },
        ActionKind::Restart => ActionSpec::Restart {
            workload: need("workload", raw.workload.take()),
        },
        ActionKind::Rollback => ActionSpec::Rollback {
            workload: need("workload", raw.workload.take()),
            to: raw.to.take(),
        },
        ActionKind::Deploy => ActionSpec::Deploy {
            workload: need("workload", raw.workload.take()),
            image: need("image", raw.image.take()),
        },
        ActionKind::Autoscale => {
            let (min, max) = (raw.min.take(), raw.max.take());
            if min.is_none() && max.is_none() {
                // Reported through `need`, which holds the problem list here.
                need("max", None);
            }
            ActionSpec::Autoscale {
                workload: need("workload", raw.workload.take()),
                min: min.map(Scalar::text),
                max: max.map(Scalar::text),
            }
        }
        ActionKind::DbCancel => ActionSpec::DbCancel {
            target: need("target", raw.target.take()),
            pid: need("pid", raw.pid.take().map(Scalar::text)),
        },
        ActionKind::DbTerminate => ActionSpec::DbTerminate {
            target: need("target", raw.target.take()),
            pid: need("pid", raw.pid.take().map(Scalar::text)),
        },
        ActionKind::Backup => ActionSpec::Backup {
            target: need("target", raw.target.take()),
        },
        ActionKind::VerifyBackup => ActionSpec::VerifyBackup {
            backup: need("backup", raw.backup.take()),
        },
        ActionKind::Shell => ActionSpec::Shell {
            command: need("command", raw.command.take()),
            undo: raw.undo.take(),
        },
        ActionKind::Load => ActionSpec::Load {
            url: need("url", raw.url.take()),
            rate: need("rate", raw.rate.take().map(Scalar::text)),
            duration: need("duration", raw.duration.take()),
            connections: raw.connections.take().map(Scalar::text),
        },
        ActionKind::Maxmemory => ActionSpec::Maxmemory {
            target: need("target", raw.target.take()),
            size: need("size", raw.size.take().map(Scalar::text)),
        },
    };
    (problems.len() == before).then_some(spec)
}

fn list(fields: &[&str]) -> String {
    let quoted: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
    quoted.join(" and ")
}

#[cfg(test)]
#[path = "raw_tests.rs"]
mod tests;
