//! The audit log: `DATA_DIR/audit.jsonl`, append-only, one JSON record a line,
//! synced to disk after each record so a crash mid-action still leaves the
//! intent on disk. Records carry what was asked and planned, never a secret:
//! every string passes through [`redact`](crate::base::redact::redact) on its way in.

use super::{Actor, Outcome, Plan, PlanStep};
use crate::base::redact::redact;
use crate::base::time::now_rfc3339;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Intent,
    Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditStep {
    pub op: String,
    pub subject: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPlan {
    pub summary: String,
    pub steps: Vec<AuditStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// RFC 3339, UTC.
    pub at: String,
    /// `who` (`user@host`) and, on a shared account, the person behind it;
    /// records written before those fields read with them absent.
    #[serde(flatten)]
    pub actor: Actor,
    pub phase: Phase,
    pub target: String,
    pub workload: String,
    pub verb: String,
    /// The verb as a person reads it: `deploy opsdeck-demo:v2`.
    pub request: String,
    pub plan: AuditPlan,
    /// Outcome phase only: did it succeed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolled_back: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Outcome phase only, when the action could not run to an outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl AuditRecord {
    pub fn intent(plan: &Plan, actor: &Actor) -> Self {
        let steps = plan.steps.iter().map(audit_step).collect();
        AuditRecord {
            at: now_rfc3339(),
            actor: Actor {
                who: redact(&actor.who),
                login: actor.login.as_deref().map(redact),
                sudo_user: actor.sudo_user.as_deref().map(redact),
                ssh_from: actor.ssh_from.clone(),
            },
            phase: Phase::Intent,
            target: redact(&plan.request.workload.target),
            workload: redact(&plan.request.workload.to_string()),
            verb: plan.request.verb.name().to_string(),
            request: redact(&plan.request.verb.to_string()),
            plan: AuditPlan {
                summary: redact(&plan.summary),
                steps,
            },
            ok: None,
            rolled_back: None,
            message: None,
            error: None,
        }
    }

    pub fn outcome(plan: &Plan, actor: &Actor, result: &Result<Outcome, String>) -> Self {
        let mut r = Self::intent(plan, actor);
        r.phase = Phase::Outcome;
        match result {
            Ok(o) => {
                r.ok = Some(o.ok);
                r.rolled_back = Some(o.rolled_back);
                r.message = Some(redact(&o.message));
            }
            Err(e) => {
                r.ok = Some(false);
                r.error = Some(redact(e));
            }
        }
        r
    }
}

fn audit_step(s: &PlanStep) -> AuditStep {
    let op = serde_json::to_value(s.op)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    AuditStep {
        op,
        subject: redact(&s.subject),
        detail: redact(&s.detail),
    }
}

#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    pub fn new(path: PathBuf) -> Self {
        AuditLog { path }
    }

    /// `audit.jsonl` in the data dir (`OPSDECK_DATA_DIR` or the platform's).
    pub fn in_data_dir() -> Self {
        Self::new(crate::config::paths::data_dir().join("audit.jsonl"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn append(&self, record: &AuditRecord) -> Result<(), String> {
        let line = serde_json::to_string(record).map_err(|e| e.to_string())?;
        append_line(&self.path, &line)
    }

    /// Every record, oldest first; a missing file is an empty log.
    pub fn read(&self) -> Result<Vec<AuditRecord>, String> {
        read_lines(&self.path)
    }
}

/// Every JSON line of an append-only file, oldest first; a missing file has none,
/// and a line that does not parse is an error at its file:line.
pub(crate) fn read_lines<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// Appends one line and syncs it: a record is either wholly on disk or absent.
pub(crate) fn append_line(path: &Path, line: &str) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("{}: {e}", path.display());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(fail)?;
    // One write call per record, so concurrent writers never interleave inside a line.
    f.write_all(format!("{line}\n").as_bytes()).map_err(fail)?;
    f.sync_data().map_err(fail)
}

/// `user@host` of whoever runs opsdeck.
pub fn whoami() -> String {
    Actor::current().who
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::{Request, StepOp, Verb};
    use crate::model::WorkloadKind;

    #[test]
    fn records_are_appended_as_lines_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("sub/audit.jsonl"));
        let plan = Plan {
            request: Request {
                workload: "local/shop/api".parse().unwrap(),
                verb: Verb::Scale { replicas: 3 },
            },
            kind: WorkloadKind::ComposeService,
            summary: "scale local/shop/api 1 → 3 via ssh://u:secret@h".into(),
            steps: vec![PlanStep {
                op: StepOp::Create,
                subject: "shop_api_2".into(),
                detail: "replica 2".into(),
            }],
            destructive: false,
        };
        let me = Actor::from_session("me", "here", None, Some("ana".into()), None);
        log.append(&AuditRecord::intent(&plan, &me)).unwrap();
        let done = Ok(Outcome {
            ok: true,
            message: "done".into(),
            rolled_back: false,
        });
        log.append(&AuditRecord::outcome(&plan, &me, &done))
            .unwrap();
        let text = std::fs::read_to_string(log.path()).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(!text.contains("secret"), "{text}");
        let recs = log.read().unwrap();
        assert_eq!(recs[0].phase, Phase::Intent);
        assert_eq!(recs[0].plan.steps[0].op, "create");
        assert_eq!(recs[1].phase, Phase::Outcome);
        assert_eq!(recs[1].ok, Some(true));
        assert_eq!(recs[1].verb, "scale");
        assert_eq!(recs[1].actor, me);
        assert!(
            text.contains(r#""who":"me@here","sudo_user":"ana""#),
            "{text}"
        );
    }

    #[test]
    fn a_record_from_before_the_actor_fields_still_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(
            &path,
            r#"{"at":"2026-11-23T10:00:00Z","who":"ana@ops-1","phase":"intent","target":"local","workload":"local/shop/api","verb":"scale","request":"scale to 3","plan":{"summary":"scale local/shop/api 1 → 3","steps":[]}}"#,
        )
        .unwrap();
        let recs = AuditLog::new(path).read().unwrap();
        assert_eq!(recs[0].actor, Actor::named("ana@ops-1"));
    }
}
