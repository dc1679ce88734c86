//! The audit log: `DATA_DIR/audit.jsonl`, append-only, one JSON record a line,
//! synced to disk after each record so a crash mid-action still leaves the
//! intent on disk. Records carry what was asked and planned, never a secret:
//! every string passes through [`redact`](crate::base::redact::redact) on its way in.

use super::{Outcome, Plan, PlanStep};
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
    /// `user@host`.
    pub who: String,
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
    pub fn intent(plan: &Plan, who: &str) -> Self {
        let steps = plan.steps.iter().map(audit_step).collect();
        AuditRecord {
            at: now_rfc3339(),
            who: redact(who),
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

    pub fn outcome(plan: &Plan, who: &str, result: &Result<Outcome, String>) -> Self {
        let mut r = Self::intent(plan, who);
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
    let user = ["USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .or_else(user_from_uid)
        .unwrap_or_else(|| "unknown".into());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("{user}@{host}")
}

/// The login name of this process's uid, from /proc and /etc/passwd
/// (cron jobs, containers and `env -i` run without USER).
fn user_from_uid() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 2 && f[2] == uid).then(|| f[0].to_string())
    })
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
        log.append(&AuditRecord::intent(&plan, "me@here")).unwrap();
        let done = Ok(Outcome {
            ok: true,
            message: "done".into(),
            rolled_back: false,
        });
        log.append(&AuditRecord::outcome(&plan, "me@here", &done))
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
    }
}
