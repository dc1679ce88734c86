//! Changes a runbook can make. `ActionSpec` is what the file says (strings
//! that may hold templates); `Action` is what the runner executes, with
//! numbers parsed, once the templates are resolved as the step starts.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Scale,
    Restart,
    Rollback,
    Deploy,
    /// New bounds for the HorizontalPodAutoscaler of a Kubernetes workload.
    Autoscale,
    DbCancel,
    DbTerminate,
    /// A short load run to see that a fix holds under more traffic.
    Load,
    Shell,
    /// Raise a `[[redis]]` target's maxmemory (within its max_maxmemory).
    Maxmemory,
    /// A `pg_dump` of a `[[postgres]]` target before a risky change (`db dump`).
    Backup,
    /// The restore drill of a `[[backup]]` (`backup verify`).
    VerifyBackup,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ActionSpec {
    Scale {
        workload: String,
        replicas: String,
    },
    Restart {
        workload: String,
    },
    Rollback {
        workload: String,
        to: Option<String>,
    },
    Deploy {
        workload: String,
        image: String,
    },
    Autoscale {
        workload: String,
        min: Option<String>,
        max: Option<String>,
    },
    DbCancel {
        target: String,
        pid: String,
    },
    DbTerminate {
        target: String,
        pid: String,
    },
    Shell {
        command: String,
        undo: Option<String>,
    },
    Load {
        url: String,
        rate: String,
        duration: String,
        connections: Option<String>,
    },
    Maxmemory {
        target: String,
        size: String,
    },
    Backup {
        target: String,
    },
    VerifyBackup {
        backup: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Scale {
        workload: String,
        replicas: u32,
    },
    Restart {
        workload: String,
    },
    Rollback {
        workload: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
    },
    Deploy {
        workload: String,
        image: String,
    },
    Autoscale {
        workload: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<u32>,
    },
    /// One backend or several (a pid template may give `4242,4243`).
    DbCancel {
        target: String,
        #[serde(alias = "pid", deserialize_with = "one_or_many")]
        pids: Vec<i64>,
    },
    DbTerminate {
        target: String,
        #[serde(alias = "pid", deserialize_with = "one_or_many")]
        pids: Vec<i64>,
    },
    Shell {
        command: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        undo: Option<String>,
    },
    /// `rate` requests a second for `duration_secs`, open model.
    Load {
        url: String,
        rate: f64,
        duration_secs: u64,
        connections: u32,
    },
    /// A Redis target's new maxmemory, in bytes.
    Maxmemory {
        target: String,
        bytes: u64,
    },
    /// A dump of a `[[postgres]]` target into its backup directory.
    Backup {
        target: String,
    },
    /// The newest dump of a `[[backup]]` restored into a scratch database and checked.
    VerifyBackup {
        backup: String,
    },
}

/// What the executor saw before changing anything, reported with the plan,
/// so that an inverse can be proposed if the run later rolls back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prior {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
}

impl ActionSpec {
    pub fn kind(&self) -> ActionKind {
        match self {
            ActionSpec::Scale { .. } => ActionKind::Scale,
            ActionSpec::Restart { .. } => ActionKind::Restart,
            ActionSpec::Rollback { .. } => ActionKind::Rollback,
            ActionSpec::Deploy { .. } => ActionKind::Deploy,
            ActionSpec::Autoscale { .. } => ActionKind::Autoscale,
            ActionSpec::DbCancel { .. } => ActionKind::DbCancel,
            ActionSpec::DbTerminate { .. } => ActionKind::DbTerminate,
            ActionSpec::Shell { .. } => ActionKind::Shell,
            ActionSpec::Load { .. } => ActionKind::Load,
            ActionSpec::Maxmemory { .. } => ActionKind::Maxmemory,
            ActionSpec::Backup { .. } => ActionKind::Backup,
            ActionSpec::VerifyBackup { .. } => ActionKind::VerifyBackup,
        }
    }

    /// Every templated string with the name of its field.
    pub fn strings(&self) -> Vec<(&'static str, &str)> {
        let mut v: Vec<(&'static str, &str)> = Vec::new();
        match self {
            ActionSpec::Scale { workload, replicas } => {
                v.extend([("workload", workload.as_str()), ("replicas", replicas)])
            }
            ActionSpec::Restart { workload } => v.push(("workload", workload)),
            ActionSpec::Rollback { workload, to } => {
                v.push(("workload", workload));
                v.extend(to.as_deref().map(|t| ("to", t)));
            }
            ActionSpec::Deploy { workload, image } => {
                v.extend([("workload", workload.as_str()), ("image", image)])
            }
            ActionSpec::Autoscale { workload, min, max } => {
                v.push(("workload", workload));
                v.extend(min.as_deref().map(|m| ("min", m)));
                v.extend(max.as_deref().map(|m| ("max", m)));
            }
            ActionSpec::DbCancel { target, pid } | ActionSpec::DbTerminate { target, pid } => {
                v.extend([("target", target.as_str()), ("pid", pid)])
            }
            ActionSpec::Shell { command, undo } => {
                v.push(("command", command));
                v.extend(undo.as_deref().map(|u| ("undo", u)));
            }
            ActionSpec::Backup { target } => v.push(("target", target)),
            ActionSpec::VerifyBackup { backup } => v.push(("backup", backup)),
            ActionSpec::Load {
                url,
                rate,
                duration,
                connections,
            } => {
                v.extend([
                    ("url", url.as_str()),
                    ("rate", rate),
                    ("duration", duration),
                ]);
                v.extend(connections.as_deref().map(|c| ("connections", c)));
            }
            ActionSpec::Maxmemory { target, size } => {
                v.extend([("target", target.as_str()), ("size", size)])
            }
        }
        v
    }

    /// Renders the templates and parses the numbers.
    pub fn resolve(
        &self,
        render: &mut dyn FnMut(&str) -> Result<String, String>,
    ) -> Result<Action, String> {
        let mut opt = |s: &Option<String>| -> Result<Option<String>, String> {
            s.as_deref()
                .map(&mut *render)
                .transpose()
                .map(|o| o.filter(|v| !v.trim().is_empty()))
        };
        Ok(match self {
            ActionSpec::Scale { workload, replicas } => Action::Scale {
                workload: nonempty("workload", render(workload)?)?,
                replicas: number("replicas", &render(replicas)?)?,
            },
            ActionSpec::Restart { workload } => Action::Restart {
                workload: nonempty("workload", render(workload)?)?,
            },
            ActionSpec::Rollback { workload, to } => {
                let to = opt(to)?;
                Action::Rollback {
                    workload: nonempty("workload", render(workload)?)?,
                    to,
                }
            }
            ActionSpec::Deploy { workload, image } => Action::Deploy {
                workload: nonempty("workload", render(workload)?)?,
                image: nonempty("image", render(image)?)?,
            },
            ActionSpec::Autoscale { workload, min, max } => {
                let min = opt(min)?.map(|m| number("min", &m)).transpose()?;
                let max = opt(max)?.map(|m| number("max", &m)).transpose()?;
                if min.is_none() && max.is_none() {
                    return Err("an autoscale action needs `min`, `max` or both".into());
                }
                Action::Autoscale {
                    workload: nonempty("workload", render(workload)?)?,
                    min,
                    max,
                }
            }
            ActionSpec::DbCancel { target, pid } => Action::DbCancel {
                target: nonempty("target", render(target)?)?,
                pids: numbers("pid", &render(pid)?)?,
            },
            ActionSpec::DbTerminate { target, pid } => Action::DbTerminate {
                target: nonempty("target", render(target)?)?,
                pids: numbers("pid", &render(pid)?)?,
            },
            ActionSpec::Backup { target } => Action::Backup {
                target: nonempty("target", render(target)?)?,
            },
            ActionSpec::VerifyBackup { backup } => Action::VerifyBackup {
                backup: nonempty("backup", render(backup)?)?,
            },
            ActionSpec::Shell { command, undo } => {
                let undo = opt(undo)?;
                Action::Shell {
                    command: nonempty("command", render(command)?)?,
                    undo,
                }
            }
            ActionSpec::Load {
                url,
                rate,
                duration,
                connections,
            } => {
                let connections = match opt(connections)? {
                    Some(c) => number("connections", &c)?,
                    None => DEFAULT_LOAD_CONNECTIONS,
                };
                let rate_text = render(rate)?;
                let rate: f64 = rate_text
                    .trim()
                    .parse()
                    .ok()
                    .filter(|r: &f64| r.is_finite() && *r > 0.0)
                    .ok_or_else(|| {
                        format!("`rate` must be requests a second above 0, got `{rate_text}`")
                    })?;
                let duration_text = render(duration)?;
                let duration_secs = humantime::parse_duration(duration_text.trim())
                    .map_err(|e| format!("`duration` `{duration_text}`: {e}"))?
                    .as_secs()
                    .max(1);
                Action::Load {
                    url: nonempty("url", render(url)?)?,
                    rate,
                    duration_secs,
                    connections,
                }
            }
            ActionSpec::Maxmemory { target, size } => Action::Maxmemory {
                target: nonempty("target", render(target)?)?,
                bytes: crate::base::units::parse_bytes(&nonempty("size", render(size)?)?)
                    .map_err(|e| format!("`size` {e}"))?,
            },
        })
    }
}

/// Connections a runbook's load run opens when the step names none.
pub const DEFAULT_LOAD_CONNECTIONS: u32 = 10;

fn nonempty(field: &str, value: String) -> Result<String, String> {
    if value.trim().is_empty() {
        Err(format!("`{field}` resolved to an empty string"))
    } else {
        Ok(value.trim().to_string())
    }
}

fn number<T: std::str::FromStr>(field: &str, value: &str) -> Result<T, String> {
    let v = value.trim();
    // Templates doing arithmetic on floats render "3.0"; accept whole numbers.
    let v = v.strip_suffix(".0").unwrap_or(v);
    v.parse()
        .map_err(|_| format!("`{field}` must be a whole number, got `{value}`"))
}

/// `4242` or `4242, 4243`: the backends an SQL check found, as a list.
fn numbers(field: &str, value: &str) -> Result<Vec<i64>, String> {
    let parts: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Err(format!("`{field}` resolved to an empty string"));
    }
    parts.into_iter().map(|p| number(field, p)).collect()
}

/// Timelines written before several PIDs were allowed hold one number.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(i64),
        Many(Vec<i64>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(p) => vec![p],
        OneOrMany::Many(v) => v,
    })
}

fn pid_list(pids: &[i64]) -> String {
    pids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Scale { .. } => ActionKind::Scale,
            Action::Restart { .. } => ActionKind::Restart,
            Action::Rollback { .. } => ActionKind::Rollback,
            Action::Deploy { .. } => ActionKind::Deploy,
            Action::Autoscale { .. } => ActionKind::Autoscale,
            Action::DbCancel { .. } => ActionKind::DbCancel,
            Action::DbTerminate { .. } => ActionKind::DbTerminate,
            Action::Shell { .. } => ActionKind::Shell,
            Action::Load { .. } => ActionKind::Load,
            Action::Maxmemory { .. } => ActionKind::Maxmemory,
            Action::Backup { .. } => ActionKind::Backup,
            Action::VerifyBackup { .. } => ActionKind::VerifyBackup,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Action::Scale { workload, replicas } => format!("scale {workload} to {replicas}"),
            Action::Restart { workload } => format!("restart {workload}"),
            Action::Rollback { workload, to: None } => format!("roll back {workload}"),
            Action::Rollback {
                workload,
                to: Some(r),
            } => format!("roll back {workload} to {r}"),
            Action::Deploy { workload, image } => format!("deploy {image} to {workload}"),
            Action::Autoscale { workload, min, max } => {
                let mut text = format!("set the autoscaler of {workload} to");
                if let Some(n) = min {
                    text.push_str(&format!(" min {n}"));
                }
                if let Some(n) = max {
                    text.push_str(&format!(" max {n}"));
                }
                text
            }
            Action::DbCancel { target, pids } => {
                format!("cancel query of pid {} on {target}", pid_list(pids))
            }
            Action::DbTerminate { target, pids } => {
                format!("terminate pid {} on {target}", pid_list(pids))
            }
            Action::Shell { command, .. } => format!("run `{command}`"),
            Action::Backup { target } => format!("dump the database of {target}"),
            Action::VerifyBackup { backup } => {
                format!("restore drill of backup {backup} (a scratch database, dropped after)")
            }
            Action::Load {
                url,
                rate,
                duration_secs,
                ..
            } => format!("load {url} at {rate}/s for {duration_secs}s"),
            Action::Maxmemory { target, bytes } => format!(
                "raise maxmemory of {target} to {}",
                crate::base::units::bytes(*bytes as f64)
            ),
        }
    }

    /// The change that undoes this one, given what was there before; `None`
    /// when nothing can be put back (a restart, a killed query) or the prior
    /// state is unknown.
    pub fn inverse(&self, prior: &Prior) -> Option<Action> {
        match self {
            Action::Scale { workload, .. } => prior.replicas.map(|replicas| Action::Scale {
                workload: workload.clone(),
                replicas,
            }),
            Action::Deploy { workload, .. } => Some(Action::Rollback {
                workload: workload.clone(),
                to: prior.revision.clone(),
            }),
            Action::Rollback { workload, .. } => prior.image.clone().map(|image| Action::Deploy {
                workload: workload.clone(),
                image,
            }),
            Action::Shell { undo, .. } => undo.clone().map(|command| Action::Shell {
                command,
                undo: None,
            }),
            // The bounds before are not in Prior: undo by hand (`opsdeck autoscale`).
            Action::Restart { .. }
            | Action::Autoscale { .. }
            | Action::DbCancel { .. }
            | Action::DbTerminate { .. }
            | Action::Load { .. }
            // Lowering it again would evict at once: by hand, if at all.
            | Action::Maxmemory { .. }
            | Action::Backup { .. }
            // The scratch database is dropped by the drill itself.
            | Action::VerifyBackup { .. } => None,
        }
    }
}

#[cfg(test)]
#[path = "action_tests.rs"]
mod tests;
