//! Alertmanager silences through the one action path: a silence is created
//! (`AM/silence/new`, `Verb::Silence`) or expired (`AM/silence/ID`,
//! `Verb::Expire`). The plan names exactly which alerts it mutes or unmutes
//! now; execution checks that Alertmanager reports the silence active, or
//! expired, before it counts as done.

use super::{Orchestrator, Outcome, Plan, PlanStep, Request, Revision, StepOp, Verb};
use crate::alertmanager::matcher::{all_match, check_set, list};
use crate::alertmanager::{AmAlert, Client, NewSilence};
use crate::model::{WorkloadAddr, WorkloadKind};
use futures::future::BoxFuture;
use std::time::Duration;
use tokio::sync::mpsc;

/// The address group of silences: `AM/silence/ID`.
pub const SILENCE_GROUP: &str = "silence";
/// The name a silence not yet created goes by: `AM/silence/new`.
pub const NEW_SILENCE: &str = "new";
/// How long execution waits for Alertmanager to report the change.
const VERIFY_FOR: Duration = Duration::from_secs(10);

pub struct AlertmanagerOrchestrator {
    name: String,
    client: Client,
    /// `createdBy` of the silences it creates: the person at the console.
    created_by: String,
}

/// `AM/silence/new`, where a silence on `am` is created.
pub fn new_silence(am: &str) -> WorkloadAddr {
    WorkloadAddr::new(am, SILENCE_GROUP, NEW_SILENCE)
}

/// `AM/silence/ID`, an existing silence.
pub fn silence_addr(am: &str, id: &str) -> WorkloadAddr {
    WorkloadAddr::new(am, SILENCE_GROUP, id)
}

impl AlertmanagerOrchestrator {
    pub fn new(name: &str, client: Client, created_by: &str) -> Self {
        AlertmanagerOrchestrator {
            name: name.to_string(),
            client,
            created_by: created_by.to_string(),
        }
    }

    /// The `[[alertmanager]]` of that name, if the config has one.
    pub fn from_config(config: &crate::config::Config, name: &str) -> Option<Result<Self, String>> {
        let am = config
            .alertmanager
            .iter()
            .find(|a| a.name.get_ref() == name)?;
        let made = crate::connect::http::Http::new(crate::connect::http::API_TIMEOUT, &am.auth)
            .map(|http| {
                AlertmanagerOrchestrator::new(
                    name,
                    Client::new(http, am.url.get_ref()),
                    &super::audit::whoami(),
                )
            });
        Some(made)
    }

    async fn plan_silence(
        &self,
        request: &Request,
        matchers: &[crate::alertmanager::Matcher],
        duration: Duration,
        comment: &str,
    ) -> Result<Plan, String> {
        if request.workload.name != NEW_SILENCE {
            return Err(format!(
                "a new silence is addressed {}, not {}",
                new_silence(&self.name),
                request.workload
            ));
        }
        check_set(matchers)?;
        if duration < Duration::from_secs(60) {
            return Err(format!(
                "a silence of {} ends before it helps: give at least 1m",
                crate::base::duration::format(duration)
            ));
        }
        if comment.trim().is_empty() {
            return Err("a silence needs a comment saying why (Alertmanager requires one)".into());
        }
        let alerts = self.client.alerts().await?;
        let muted: Vec<&AmAlert> = alerts
            .iter()
            .filter(|a| all_match(matchers, &a.labels))
            .collect();
        let until =
            crate::base::time::rfc3339(crate::base::time::unix_now() + duration.as_secs() as i64);
        let mut steps = vec![PlanStep {
            op: StepOp::Create,
            subject: request.workload.to_string(),
            detail: format!(
                "{} for {} (until about {until}) by {}: {}",
                list(matchers),
                crate::base::duration::format(duration),
                self.created_by,
                comment.trim()
            ),
        }];
        steps.extend(muted.iter().map(|a| PlanStep {
            op: StepOp::Mute,
            subject: alert_name(a),
            detail: alert_detail(a),
        }));
        Ok(Plan {
            summary: format!(
                "silence {} on {} for {} (mutes {} now)",
                list(matchers),
                self.name,
                crate::base::duration::format(duration),
                count(muted.len())
            ),
            request: request.clone(),
            kind: WorkloadKind::Silence,
            steps,
            destructive: false,
        })
    }

    async fn plan_expire(&self, request: &Request) -> Result<Plan, String> {
        let id = &request.workload.name;
        if id == NEW_SILENCE {
            return Err(format!(
                "name the silence to expire: {}",
                silence_addr(&self.name, "ID")
            ));
        }
        let silence = self.client.silence(id).await?;
        if silence.status.state == "expired" {
            return Err(format!("silence {id} on {} has already expired", self.name));
        }
        let alerts = self.client.alerts().await?;
        let unmuted: Vec<&AmAlert> = alerts
            .iter()
            .filter(|a| a.status.silenced_by.iter().any(|s| s == id))
            .collect();
        let mut steps = vec![PlanStep {
            op: StepOp::Expire,
            subject: request.workload.to_string(),
            detail: format!(
                "{} ({}, by {}: {}; ends {})",
                list(&silence.matchers),
                silence.status.state,
                silence.created_by,
                silence.comment,
                silence.ends_at
            ),
        }];
        steps.extend(unmuted.iter().map(|a| PlanStep {
            op: StepOp::Unmute,
            subject: alert_name(a),
            detail: if a.status.silenced_by.len() > 1 {
                "stays muted by another silence".to_string()
            } else {
                alert_detail(a)
            },
        }));
        Ok(Plan {
            summary: format!(
                "expire silence {id} on {} (unmutes {} now)",
                self.name,
                count(unmuted.len())
            ),
            request: request.clone(),
            kind: WorkloadKind::Silence,
            steps,
            destructive: false,
        })
    }

    /// Waits until Alertmanager reports silence `id` in `want`.
    async fn verify(&self, id: &str, want: &str) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + VERIFY_FOR;
        loop {
            let state = self.client.silence(id).await?.status.state;
            if state == want {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(format!(
                    "Alertmanager reports silence {id} {state}, not {want}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

fn count(n: usize) -> String {
    match n {
        0 => "no alert".into(),
        1 => "1 alert".into(),
        n => format!("{n} alerts"),
    }
}

fn alert_name(a: &AmAlert) -> String {
    a.labels.get("alertname").cloned().unwrap_or_default()
}

/// The alert's other labels and whether it pages now.
fn alert_detail(a: &AmAlert) -> String {
    let labels: Vec<String> = a
        .labels
        .iter()
        .filter(|(k, _)| k.as_str() != "alertname")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let state = match a.status.state.as_str() {
        "suppressed" if !a.status.silenced_by.is_empty() => "already silenced",
        "suppressed" => "inhibited",
        "active" => "firing",
        other => other,
    };
    format!("{} [{state}]", labels.join(" "))
}

impl Orchestrator for AlertmanagerOrchestrator {
    fn plan<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Plan, String>> {
        Box::pin(async move {
            let addr = &request.workload;
            if addr.target != self.name || addr.group != SILENCE_GROUP {
                return Err(format!(
                    "`{addr}` is not a silence of {}: expected {} or {}",
                    self.name,
                    silence_addr(&self.name, "ID"),
                    new_silence(&self.name)
                ));
            }
            match &request.verb {
                Verb::Silence {
                    matchers,
                    duration,
                    comment,
                } => {
                    self.plan_silence(request, matchers, *duration, comment)
                        .await
                }
                Verb::Expire => self.plan_expire(request).await,
                other => Err(format!(
                    "{} does not apply to a silence: create one or expire it",
                    other.name()
                )),
            }
        })
    }

    fn execute<'a>(
        &'a self,
        plan: &'a Plan,
        progress: mpsc::Sender<String>,
    ) -> BoxFuture<'a, Result<Outcome, String>> {
        Box::pin(async move {
            match &plan.request.verb {
                Verb::Silence {
                    matchers,
                    duration,
                    comment,
                } => {
                    let now = crate::base::time::unix_now();
                    let ends = crate::base::time::rfc3339(now + duration.as_secs() as i64);
                    let id = self
                        .client
                        .create(&NewSilence {
                            matchers: matchers.clone(),
                            starts_at: crate::base::time::rfc3339(now),
                            ends_at: ends.clone(),
                            created_by: self.created_by.clone(),
                            comment: comment.trim().to_string(),
                        })
                        .await?;
                    let _ = progress
                        .send(format!("created silence {id} on {}", self.name))
                        .await;
                    self.verify(&id, "active").await?;
                    Ok(Outcome {
                        ok: true,
                        message: format!("silence {id} on {} is active until {ends}", self.name),
                        rolled_back: false,
                    })
                }
                Verb::Expire => {
                    let id = &plan.request.workload.name;
                    self.client.expire(id).await?;
                    let _ = progress
                        .send(format!("asked {} to expire silence {id}", self.name))
                        .await;
                    self.verify(id, "expired").await?;
                    Ok(Outcome {
                        ok: true,
                        message: format!("silence {id} on {} has expired", self.name),
                        rolled_back: false,
                    })
                }
                other => Err(format!("{} does not apply to a silence", other.name())),
            }
        })
    }

    fn history<'a>(
        &'a self,
        _workload: &'a WorkloadAddr,
    ) -> BoxFuture<'a, Result<Vec<Revision>, String>> {
        // A silence has no image revisions; its history is the audit log.
        Box::pin(async { Ok(Vec::new()) })
    }
}
