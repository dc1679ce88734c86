//! One container's lifecycle, as `docker stop`, `docker start` and `docker
//! kill` do it: the verbs an engineer reaches for on a stuck replica. The
//! plan says what else will act on the container afterwards (its restart
//! policy, the Compose service it belongs to), and the outcome is the state
//! read back from the engine, not the API's 204.

use super::engine::Progress;
use super::replica::{Replica, PROJECT, SERVICE};
use super::rolling::{stop, STOP_GRACE_SECS};
use super::work::{step, Work};
use crate::action::{Outcome, Plan, Request, StepOp, Verb};
use crate::model::WorkloadKind;
use bollard::query_parameters::KillContainerOptionsBuilder;
use bollard::Docker;
use std::time::Duration;

/// What the executor does to the container named in the plan.
#[derive(Debug, Clone)]
pub enum Change {
    Stop,
    Start,
    Kill(String),
}

/// The signal as the engine takes it (`SIGKILL`), from `KILL`, `sigkill`,
/// `SIGKILL` or a number; anything else is refused before a plan is made.
pub fn signal(s: &str) -> Result<String, String> {
    const NAMES: &[&str] = &[
        "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
        "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
        "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];
    let t = s.trim();
    if let Ok(n) = t.parse::<u8>() {
        return if (1..=64).contains(&n) {
            Ok(n.to_string())
        } else {
            Err(format!("signal {n} is out of range (1–64)"))
        };
    }
    let upper = t.to_ascii_uppercase();
    let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
    if NAMES.contains(&bare) {
        Ok(format!("SIG{bare}"))
    } else {
        Err(format!(
            "`{s}` is not a signal; use a name such as SIGKILL, SIGTERM, SIGHUP (or KILL, TERM, HUP) or a number"
        ))
    }
}

/// What will act on the container after the verb: its restart policy and
/// the Compose service whose replica it is.
fn aftermath(c: &Replica, change: &Change) -> String {
    let host = c.inspect.host_config.clone().unwrap_or_default();
    let policy = host
        .restart_policy
        .and_then(|p| p.name)
        .map(|n| n.to_string())
        .filter(|n| !n.is_empty() && n != "no");
    let labels = c
        .inspect
        .config
        .as_ref()
        .and_then(|k| k.labels.clone())
        .unwrap_or_default();
    let mut notes = Vec::new();
    match (policy.as_deref(), change) {
        (Some(p), Change::Kill(_)) => notes.push(format!(
            "restart policy `{p}`: the engine may start it again once it exits"
        )),
        (Some(p), Change::Stop) => notes.push(format!(
            "restart policy `{p}`: a stopped container stays stopped until started"
        )),
        _ => {}
    }
    if let (Some(project), Some(service)) = (labels.get(PROJECT), labels.get(SERVICE)) {
        notes.push(format!(
            "a replica of Compose service {project}/{service}; Compose does not replace it by itself"
        ));
    }
    notes.join("; ")
}

fn grace(c: &Replica) -> i64 {
    c.inspect
        .config
        .as_ref()
        .and_then(|k| k.stop_timeout)
        .unwrap_or(i64::from(STOP_GRACE_SECS))
}

fn stop_signal(c: &Replica) -> String {
    c.inspect
        .config
        .as_ref()
        .and_then(|k| k.stop_signal.clone())
        .unwrap_or_else(|| "SIGTERM".into())
}

/// The plan for one container, from one inspect of it.
pub fn plan(req: &Request, c: Replica) -> Result<(Plan, Work), String> {
    let addr = &req.workload;
    let name = c.name.clone();
    let (change, op, detail, summary) = match &req.verb {
        Verb::Stop => {
            if !c.running {
                return Ok(nothing(req, format!("{name} is not running")));
            }
            (
                Change::Stop,
                StepOp::Stop,
                format!(
                    "as docker stop: {} to its main process, SIGKILL after {} s",
                    stop_signal(&c),
                    grace(&c)
                ),
                format!("stop {addr}"),
            )
        }
        Verb::Start => {
            if c.running {
                return Ok(nothing(req, format!("{name} is already running")));
            }
            (
                Change::Start,
                StepOp::Start,
                format!("as docker start ({})", c.image),
                format!("start {addr}"),
            )
        }
        Verb::Kill { signal: s } => {
            let s = signal(s)?;
            if !c.running {
                return Err(format!(
                    "{name} is not running: there is no process to signal"
                ));
            }
            (
                Change::Kill(s.clone()),
                StepOp::Kill,
                format!("as docker kill: {s} to its main process, no grace period"),
                format!("kill {addr} with {s}"),
            )
        }
        other => {
            return Err(format!(
                "{} is not a container verb; use stop, start or kill",
                other.name()
            ))
        }
    };
    let mut steps = vec![step(op, &name, detail)];
    let after = aftermath(&c, &change);
    if !after.is_empty() {
        steps.push(step(StepOp::Verify, &name, after));
    }
    let destructive = !matches!(change, Change::Start);
    Ok((
        Plan {
            request: req.clone(),
            kind: WorkloadKind::Container,
            summary,
            steps,
            destructive,
        },
        Work::Lifecycle {
            id: c.id.clone(),
            name,
            change,
            started_at: started_at(&c),
        },
    ))
}

fn nothing(req: &Request, why: String) -> (Plan, Work) {
    (
        Plan {
            request: req.clone(),
            kind: WorkloadKind::Container,
            summary: format!("{}: {why}", req.verb.name()),
            steps: vec![],
            destructive: false,
        },
        Work::Nothing(why),
    )
}

fn started_at(c: &Replica) -> Option<String> {
    c.inspect.state.as_ref().and_then(|s| s.started_at.clone())
}

/// The state as `docker ps` words it: `running`, `exited (137)`, `restarting`.
fn state_words(c: &Replica) -> String {
    let state = c.inspect.state.clone().unwrap_or_default();
    let status = state
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "unknown".into());
    match state.exit_code {
        Some(code) if status == "exited" => format!("exited ({code})"),
        _ => status,
    }
}

pub async fn run(
    docker: &Docker,
    progress: &Progress,
    id: &str,
    name: &str,
    change: Change,
    before: Option<String>,
) -> Result<Outcome, String> {
    let verb = match &change {
        Change::Stop => {
            progress.say(format!("stopping {name}")).await;
            stop(docker, id).await?;
            "stopped"
        }
        Change::Start => {
            progress.say(format!("starting {name}")).await;
            docker
                .start_container(id, None)
                .await
                .map_err(|e| format!("starting {name}: {e}"))?;
            "started"
        }
        Change::Kill(s) => {
            progress.say(format!("sending {s} to {name}")).await;
            let opts = KillContainerOptionsBuilder::default().signal(s).build();
            docker
                .kill_container(id, Some(opts))
                .await
                .map_err(|e| format!("killing {name}: {e}"))?;
            "signalled"
        }
    };
    let after = settle(docker, id, &change, before.as_deref()).await?;
    let words = state_words(&after);
    let ok = match &change {
        Change::Stop => !after.running,
        Change::Start => after.running,
        // Any signal that was delivered did what was asked; whether the
        // process went away is the state read back, said in the message.
        Change::Kill(_) => true,
    };
    Ok(Outcome {
        ok,
        message: format!("{name} {verb}; the engine now says {words}"),
        rolled_back: false,
    })
}

/// Reads the container until the change shows (a SIGKILLed process takes a
/// moment to be reaped; a started one may exit at once), for up to 10 s.
async fn settle(
    docker: &Docker,
    id: &str,
    change: &Change,
    before: Option<&str>,
) -> Result<Replica, String> {
    let mut last = super::engine::inspect(docker, id).await?;
    for _ in 0..50 {
        let done = match change {
            Change::Stop => !last.running,
            Change::Start => last.running,
            Change::Kill(s) if s == "SIGKILL" || s == "9" => {
                !last.running || started_at(&last).as_deref() != before
            }
            Change::Kill(_) => true,
        };
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        last = super::engine::inspect(docker, id).await?;
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_are_named_as_the_engine_takes_them() {
        assert_eq!(signal("KILL").unwrap(), "SIGKILL");
        assert_eq!(signal("sigterm").unwrap(), "SIGTERM");
        assert_eq!(signal("SIGHUP").unwrap(), "SIGHUP");
        assert_eq!(signal("9").unwrap(), "9");
        assert!(signal("0").unwrap_err().contains("out of range"));
        assert!(signal("SIGNOPE").unwrap_err().contains("not a signal"));
    }
}
