//! The Kubernetes orchestrator: `TARGET/NAMESPACE/NAME` is a Deployment,
//! StatefulSet or DaemonSet of a kubeconfig context, and each verb sends what
//! kubectl sends (`scale`, `rollout restart`, `rollout undo`, `set image`),
//! then waits as `kubectl rollout status` does; a deploy whose rollout fails
//! is undone. `--dry-run` asks the API server itself
//! (`dryRun=All`), so admission, validation and RBAC get their say.

mod autoscaler;
mod history;
mod pod;
mod revision;
mod rollout;
mod set_image;
mod workload;

use std::time::Duration;

use futures::future::BoxFuture;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use kube::{Api, Client};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::action::{Orchestrator, Outcome, Plan, PlanStep, Request, Revision, StepOp, Verb};
use crate::config::Config;
use crate::connect::kube::{client, targets, KubeTarget};
use crate::model::WorkloadAddr;
use rollout::Rollout;
use workload::{Change, Found, RESTARTED_AT};

pub struct KubeOrchestrator {
    target: String,
    client: Client,
    rollout_timeout: Duration,
}

impl KubeOrchestrator {
    /// The orchestrator for `target` when it is one of the config's
    /// Kubernetes targets (`[[kubernetes]]`, or the current context).
    pub async fn from_config(config: &Config, target: &str) -> Option<Result<Self, String>> {
        let found = targets(config).into_iter().find(|t| t.name == target)?;
        Some(Self::connect(&found).await)
    }

    pub async fn connect(target: &KubeTarget) -> Result<Self, String> {
        Ok(Self::with_client(&target.name, client(target).await?))
    }

    pub fn with_client(target: &str, client: Client) -> Self {
        KubeOrchestrator {
            target: target.to_string(),
            client,
            rollout_timeout: Duration::from_secs(300),
        }
    }

    /// How long `execute` waits for a rollout before calling it failed.
    pub fn set_rollout_timeout(&mut self, timeout: Duration) {
        self.rollout_timeout = timeout;
    }

    async fn find(&self, addr: &WorkloadAddr) -> Result<Found, String> {
        if addr.target != self.target {
            return Err(format!(
                "{addr} is not on Kubernetes target `{}`",
                self.target
            ));
        }
        workload::find(&self.client, &addr.group, &addr.name).await
    }

    /// The plan and the change it stands for, from a fresh reading.
    async fn plan_with_change(&self, req: &Request) -> Result<(Plan, Found, Change), String> {
        let addr = &req.workload;
        if req.verb.foreign_subject().is_some() {
            return Err(req.verb.not_for_workload(addr));
        }
        let found = self.find(addr).await?;
        let subject = format!("{} {}/{}", found.kind().label(), addr.group, addr.name);
        let step = |op, detail: String| PlanStep {
            op,
            subject: subject.clone(),
            detail,
        };
        let wait = step(
            StepOp::Verify,
            format!(
                "wait for the rollout as `kubectl rollout status` does (up to {})",
                crate::base::duration::format(self.rollout_timeout)
            ),
        );
        let (summary, steps, change, destructive) = match &req.verb {
            Verb::Scale { replicas } => {
                let Some(now) = found.replicas() else {
                    return Err(format!(
                        "{addr} is a DaemonSet, which runs one pod per eligible node; it cannot be scaled (restart works)"
                    ));
                };
                let want = i32::try_from(*replicas).map_err(|_| "too many replicas".to_string())?;
                let mut detail = format!("replicas {now} → {want}");
                // Credentials that may scale but not read autoscalers still
                // scale: the plan says what could not be checked.
                match autoscaler::managing(&self.client, &found).await {
                    Ok(Some(h)) => {
                        return Err(autoscaler::refusal(
                            &addr.to_string(),
                            &addr.group,
                            &h,
                            want,
                        ))
                    }
                    Ok(None) => {}
                    Err(why) => detail.push_str(&format!("; {why}")),
                }
                (
                    format!("scale {addr} {now} → {want}"),
                    vec![step(StepOp::Update, detail), wait],
                    Change::Scale(want),
                    want < now,
                )
            }
            Verb::Restart => {
                if found.paused() {
                    return Err(format!(
                        "deployment is paused; resume it first (kubectl rollout resume deployment/{}): a paused Deployment does not roll its pods",
                        addr.name
                    ));
                }
                let detail = format!(
                    "pod template annotation {RESTARTED_AT} = time of apply; every pod is replaced"
                );
                (
                    format!("restart {addr} (rolling, as kubectl rollout restart)"),
                    vec![step(StepOp::Restart, detail), wait],
                    Change::Restart,
                    true,
                )
            }
            Verb::Rollback { to } => {
                let to = revision::parse_to(to.as_deref())?;
                let (number, template, change) = history::undo(&self.client, &found, to).await?;
                match change {
                    Change::Skip(why) => (
                        format!("rollback {addr}: {why}"),
                        vec![],
                        Change::Skip(why),
                        false,
                    ),
                    change => {
                        let from = revision::images(&found.template());
                        let detail = format!(
                            "pod template → revision {number}: image {from} → {}",
                            revision::images(&template)
                        );
                        (
                            format!("rollback {addr} to revision {number}"),
                            vec![step(StepOp::Update, detail), wait],
                            change,
                            true,
                        )
                    }
                }
            }
            Verb::Deploy { image } => {
                if let Found::DaemonSet(_) = found {
                    return Err(format!(
                        "{addr} is a DaemonSet: opsdeck deploys Deployments and StatefulSets, which it can roll back when the new pods fail"
                    ));
                }
                if found.paused() {
                    return Err(format!(
                        "deployment is paused; resume it first (kubectl rollout resume deployment/{}): a paused Deployment does not roll its pods",
                        addr.name
                    ));
                }
                let set = set_image::read(&found.template(), image)?;
                if set.from == set.to {
                    let why = format!("container {} already runs {}", set.container, set.to);
                    (
                        format!("deploy {addr}: {why}"),
                        vec![],
                        Change::Skip(why),
                        false,
                    )
                } else {
                    let detail = format!(
                        "container {}: image {} → {} (as kubectl set image)",
                        set.container, set.from, set.to
                    );
                    let gated = step(
                        StepOp::Verify,
                        format!(
                            "wait for the rollout as `kubectl rollout status` does (up to {}); if it fails its progress deadline or the new pods are not ready by then, roll back to the revision before, as kubectl rollout undo",
                            crate::base::duration::format(self.rollout_timeout)
                        ),
                    );
                    (
                        format!("deploy {} to {addr}", set.to),
                        vec![step(StepOp::Update, detail), gated],
                        Change::Patch(kube::api::Patch::Strategic(set_image::patch(&set))),
                        true,
                    )
                }
            }
            Verb::Autoscale { min, max } => {
                let ns = &addr.group;
                let h = autoscaler::managing(&self.client, &found)
                    .await?
                    .ok_or_else(|| {
                        format!(
                            "no HorizontalPodAutoscaler manages {addr}: its replicas are set by scale"
                        )
                    })?;
                let (lo, hi) = autoscaler::bounds(&h, *min, *max)?;
                if (lo, hi) == (h.min, h.max) {
                    let why = format!(
                        "HorizontalPodAutoscaler {} already keeps {addr} at {lo}–{hi} replicas",
                        h.name
                    );
                    (why.clone(), vec![], Change::Skip(why), false)
                } else {
                    let subject = format!("HorizontalPodAutoscaler {ns}/{}", h.name);
                    let steps = vec![
                        PlanStep {
                            op: StepOp::Update,
                            subject: subject.clone(),
                            detail: format!(
                                "minReplicas {} → {lo}, maxReplicas {} → {hi} (as kubectl patch hpa); the autoscaler then sets the replicas of {} {ns}/{} within them",
                                h.min, h.max, found.kind().label(), addr.name
                            ),
                        },
                        PlanStep {
                            op: StepOp::Verify,
                            subject,
                            detail: "read the autoscaler back until it holds the new bounds".into(),
                        },
                    ];
                    (
                        format!("autoscale {addr} {}–{} → {lo}–{hi}", h.min, h.max),
                        steps,
                        Change::Bounds {
                            hpa: h.name,
                            min: lo,
                            max: hi,
                        },
                        // A lower ceiling or floor lets the autoscaler remove serving replicas.
                        hi < h.max || lo < h.min,
                    )
                }
            }
            other => {
                return Err(format!(
                    "{} is not a Kubernetes verb here; use scale, restart, rollback, deploy or autoscale",
                    other.name()
                ))
            }
        };
        let plan = Plan {
            request: req.clone(),
            kind: found.kind(),
            summary,
            steps,
            destructive,
        };
        Ok((plan, found, change))
    }

    /// A deploy whose rollout failed goes back to the revision before it,
    /// and says whether that one rolled out.
    async fn undo_deploy(
        &self,
        addr: &WorkloadAddr,
        did: String,
        how: String,
        progress: &mpsc::Sender<String>,
    ) -> Result<Outcome, String> {
        let _ = progress
            .send(format!("{how}: rolling back as kubectl rollout undo does"))
            .await;
        let found = self.find(addr).await?;
        let (number, _, change) = history::undo(&self.client, &found, None).await?;
        if let Change::Skip(why) = change {
            return Ok(Outcome {
                ok: false,
                message: format!("{did}; {how}; not rolled back: {why}"),
                rolled_back: false,
            });
        }
        workload::send(&self.client, &found, &change, false).await?;
        let back = match self.wait(&found, progress).await {
            Rollout::Done(line) => line,
            Rollout::Failed(why) | Rollout::Waiting(why) => {
                format!("the rollback has not finished either: {why}")
            }
        };
        Ok(Outcome {
            ok: false,
            message: format!("{did}; {how}; rolled back to revision {number}: {back}"),
            rolled_back: true,
        })
    }

    /// Patches an autoscaler's bounds and reads them back: the change has
    /// held only when a fresh read shows it.
    async fn set_bounds(
        &self,
        found: &Found,
        change: &Change,
        hpa: &str,
        want: (i32, i32),
    ) -> Result<Outcome, String> {
        workload::send(&self.client, found, change, false).await?;
        let did = format!("horizontalpodautoscaler.autoscaling/{hpa} patched");
        let now = autoscaler::managing(&self.client, found).await?;
        let (ok, how) = match now {
            Some(h) if (h.min, h.max) == want => {
                (true, format!("it keeps {}–{} replicas", h.min, h.max))
            }
            Some(h) => (
                false,
                format!(
                    "read back, it keeps {}–{} replicas, not {}–{}",
                    h.min, h.max, want.0, want.1
                ),
            ),
            None => (false, "read back, the autoscaler is gone".to_string()),
        };
        Ok(Outcome {
            ok,
            message: format!("{did}; {how}"),
            rolled_back: false,
        })
    }

    async fn wait(&self, found: &Found, progress: &mpsc::Sender<String>) -> Rollout {
        let ns = found.meta().namespace.clone().unwrap_or_default();
        let name = found.meta().name.clone().unwrap_or_default();
        let (c, t) = (self.client.clone(), self.rollout_timeout);
        match found {
            Found::Deployment(_) => {
                let api: Api<Deployment> = Api::namespaced(c, &ns);
                rollout::wait(api, &name, rollout::deployment, t, progress).await
            }
            Found::StatefulSet(_) => {
                let api: Api<StatefulSet> = Api::namespaced(c, &ns);
                rollout::wait(api, &name, rollout::stateful_set, t, progress).await
            }
            Found::DaemonSet(_) => {
                let api: Api<DaemonSet> = Api::namespaced(c, &ns);
                rollout::wait(api, &name, rollout::daemon_set, t, progress).await
            }
        }
    }
}

/// kubectl's word for what was done: `deployment.apps/web scaled`.
fn done_line(found: &Found, verb: &Verb) -> String {
    let word = match verb {
        Verb::Scale { .. } => "scaled",
        Verb::Restart => "restarted",
        Verb::Deploy { .. } => "image updated",
        _ => "rolled back",
    };
    let kind = found
        .resource()
        .trim_end_matches(".apps")
        .trim_end_matches('s');
    let name = found.meta().name.clone().unwrap_or_default();
    format!("{kind}.apps/{name} {word}")
}

/// What the server said it would make of the change, in one line.
fn verdict(found: &Found, change: &Change, returned: &Value) -> String {
    let prefix = "the API server accepted it (dryRun=All; nothing persisted)";
    if let Change::Bounds { hpa, .. } = change {
        return format!(
            "{prefix}: horizontalpodautoscaler.autoscaling {hpa} would keep {} replicas",
            autoscaler::bounds_of(returned)
        );
    }
    if let Change::Scale(_) = change {
        return format!(
            "{prefix}: {} {} would have spec.replicas {}",
            found.resource(),
            found.meta().name.clone().unwrap_or_default(),
            returned["spec"]["replicas"]
        );
    }
    let template = &returned["spec"]["template"];
    let images: Vec<&str> = template["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["image"].as_str())
        .collect();
    let mut line = format!("{prefix}: the pod template would run {}", images.join(", "));
    if let Some(at) = template["metadata"]["annotations"][RESTARTED_AT].as_str() {
        line.push_str(&format!(" with {RESTARTED_AT}={at}"));
    }
    line
}

impl Orchestrator for KubeOrchestrator {
    fn plan<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Plan, String>> {
        Box::pin(async move {
            if let Verb::DeletePod { .. } = request.verb {
                return Ok(pod::plan(&self.client, &self.target, request).await?.plan);
            }
            Ok(self.plan_with_change(request).await?.0)
        })
    }

    fn execute<'a>(
        &'a self,
        plan: &'a Plan,
        progress: mpsc::Sender<String>,
    ) -> BoxFuture<'a, Result<Outcome, String>> {
        Box::pin(async move {
            if let Verb::DeletePod { .. } = plan.request.verb {
                let now = pod::plan(&self.client, &self.target, &plan.request).await?;
                plan.still_holds(&now.plan)?;
                return pod::execute(&self.client, &now, self.rollout_timeout, &progress).await;
            }
            let (now, found, change) = self.plan_with_change(&plan.request).await?;
            plan.still_holds(&now)?;
            if let Change::Skip(why) = change {
                return Ok(Outcome {
                    ok: true,
                    message: why,
                    rolled_back: false,
                });
            }
            if let Change::Bounds { hpa, min, max } = &change {
                return self.set_bounds(&found, &change, hpa, (*min, *max)).await;
            }
            workload::send(&self.client, &found, &change, false).await?;
            let did = done_line(&found, &plan.request.verb);
            let _ = progress.send(did.clone()).await;
            let (ok, how) = match self.wait(&found, &progress).await {
                Rollout::Done(line) => (true, line),
                Rollout::Failed(why) | Rollout::Waiting(why) => (false, why),
            };
            if !ok && matches!(plan.request.verb, Verb::Deploy { .. }) {
                return self
                    .undo_deploy(&plan.request.workload, did, how, &progress)
                    .await;
            }
            Ok(Outcome {
                ok,
                message: format!("{did}; {how}"),
                rolled_back: false,
            })
        })
    }

    fn dry_run<'a>(&'a self, plan: &'a Plan) -> BoxFuture<'a, Result<Option<String>, String>> {
        Box::pin(async move {
            if let Verb::DeletePod { .. } = plan.request.verb {
                let now = pod::plan(&self.client, &self.target, &plan.request).await?;
                return pod::dry_run(&self.client, &now).await.map(Some);
            }
            let (_, found, change) = self.plan_with_change(&plan.request).await?;
            if let Change::Skip(why) = &change {
                return Ok(Some(format!("nothing to send: {why}")));
            }
            let returned = workload::send(&self.client, &found, &change, true).await?;
            Ok(Some(verdict(&found, &change, &returned)))
        })
    }

    fn history<'a>(
        &'a self,
        addr: &'a WorkloadAddr,
    ) -> BoxFuture<'a, Result<Vec<Revision>, String>> {
        Box::pin(async move {
            let found = self.find(addr).await?;
            let revs = history::revisions(&self.client, &found).await?;
            Ok(history::listed(addr, revs))
        })
    }
}
