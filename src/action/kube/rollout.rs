//! Waiting for a rollout as `kubectl rollout status` does: the same
//! conditions and the same wording per kind, read from a watch on the one
//! object, bounded by a timeout.

use futures::StreamExt;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use kube::runtime::{watcher, WatchStreamExt};
use kube::Api;
use std::fmt::Debug;
use std::time::Duration;
use tokio::sync::mpsc;

/// Where a rollout stands, in kubectl's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rollout {
    Waiting(String),
    Done(String),
    Failed(String),
}

fn name_of(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or_default()
}

pub fn deployment(d: &Deployment) -> Rollout {
    let name = name_of(&d.metadata);
    let status = d.status.clone().unwrap_or_default();
    let generation = d.metadata.generation.unwrap_or(0);
    if generation > status.observed_generation.unwrap_or(0) {
        return Rollout::Waiting("Waiting for deployment spec update to be observed...".into());
    }
    let timed_out = status.conditions.iter().flatten().any(|c| {
        c.type_.as_deref() == Some("Progressing")
            && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
    });
    if timed_out {
        return Rollout::Failed(format!(
            "deployment \"{name}\" exceeded its progress deadline (ProgressDeadlineExceeded)"
        ));
    }
    let updated = status.updated_replicas.unwrap_or(0);
    let replicas = status.replicas.unwrap_or(0);
    let available = status.available_replicas.unwrap_or(0);
    let want = d.spec.replicas;
    if let Some(want) = want.filter(|w| updated < *w) {
        return Rollout::Waiting(format!(
            "Waiting for deployment \"{name}\" rollout to finish: {updated} out of {want} new replicas have been updated..."
        ));
    }
    if replicas > updated {
        return Rollout::Waiting(format!(
            "Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...",
            replicas - updated
        ));
    }
    if available < updated {
        return Rollout::Waiting(format!(
            "Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available..."
        ));
    }
    Rollout::Done(format!("deployment \"{name}\" successfully rolled out"))
}

pub fn stateful_set(s: &StatefulSet) -> Rollout {
    let spec = &s.spec;
    let strategy = spec.update_strategy.as_ref().and_then(|u| u.type_.clone());
    if strategy.as_deref().is_some_and(|t| t != "RollingUpdate") {
        return Rollout::Done(
            "rollout status is only available for RollingUpdate strategy type; not waited for"
                .into(),
        );
    }
    let status = s.status.clone().unwrap_or_default();
    let observed = status.observed_generation.unwrap_or(0);
    if observed == 0 || s.metadata.generation.unwrap_or(0) > observed {
        return Rollout::Waiting("Waiting for statefulset spec update to be observed...".into());
    }
    let ready = status.ready_replicas.unwrap_or(0);
    if let Some(want) = spec.replicas.filter(|w| ready < *w) {
        return Rollout::Waiting(format!("Waiting for {} pods to be ready...", want - ready));
    }
    let update = status.update_revision.clone().unwrap_or_default();
    let updated = status.updated_replicas.unwrap_or(0);
    if status.current_revision.as_deref().unwrap_or_default() != update {
        return Rollout::Waiting(format!(
            "waiting for statefulset rolling update to complete {updated} pods at revision {update}..."
        ));
    }
    Rollout::Done(format!(
        "statefulset rolling update complete {} pods at revision {update}...",
        status.current_replicas.unwrap_or(0)
    ))
}

pub fn daemon_set(d: &DaemonSet) -> Rollout {
    let name = name_of(&d.metadata);
    let status = d.status.clone().unwrap_or_default();
    if d.metadata.generation.unwrap_or(0) > status.observed_generation.unwrap_or(0) {
        return Rollout::Waiting("Waiting for daemon set spec update to be observed...".into());
    }
    let desired = status.desired_number_scheduled;
    let updated = status.updated_number_scheduled.unwrap_or(0);
    if updated < desired {
        return Rollout::Waiting(format!(
            "Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated..."
        ));
    }
    let available = status.number_available.unwrap_or(0);
    if available < desired {
        return Rollout::Waiting(format!(
            "Waiting for daemon set \"{name}\" rollout to finish: {available} of {desired} updated pods are available..."
        ));
    }
    Rollout::Done(format!("daemon set \"{name}\" successfully rolled out"))
}

/// Watches object `name` until `view` says done or failed, sending each new
/// waiting line on `progress`. `Failed` too when `timeout` passes first.
pub async fn wait<K>(
    api: Api<K>,
    name: &str,
    view: fn(&K) -> Rollout,
    timeout: Duration,
    progress: &mpsc::Sender<String>,
) -> Rollout
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + Debug + Send + Sync + 'static,
{
    let config = watcher::Config::default().fields(&format!("metadata.name={name}"));
    let mut events = watcher(api, config).default_backoff().boxed();
    let mut last = String::new();
    let mut last_error = None;
    let watching = async {
        while let Some(event) = events.next().await {
            let obj = match event {
                Ok(watcher::Event::Apply(o)) | Ok(watcher::Event::InitApply(o)) => o,
                Ok(watcher::Event::Delete(_)) => {
                    return Rollout::Failed(format!("{name} was deleted during the rollout"))
                }
                Ok(_) => continue,
                Err(e) => {
                    last_error = Some(e.to_string());
                    continue;
                }
            };
            match view(&obj) {
                Rollout::Waiting(line) => {
                    if line != last {
                        let _ = progress.send(line.clone()).await;
                        last = line;
                    }
                }
                end => return end,
            }
        }
        Rollout::Failed("the watch ended before the rollout did".into())
    };
    match tokio::time::timeout(timeout, watching).await {
        Ok(end) => end,
        Err(_) => {
            let mut why = format!(
                "rollout did not finish within {}",
                crate::base::duration::format(timeout)
            );
            if !last.is_empty() {
                why.push_str(&format!("; last: {last}"));
            }
            if let Some(e) = last_error {
                why.push_str(&format!("; watch error: {e}"));
            }
            Rollout::Failed(why)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deploy(status: serde_json::Value) -> Deployment {
        serde_json::from_value(json!({
            "metadata": {"name": "web", "generation": 3},
            "spec": {"replicas": 3, "selector": {}, "template": {}},
            "status": status,
        }))
        .unwrap()
    }

    #[test]
    fn a_deployment_is_done_only_when_every_replica_is_new_and_available() {
        let unobserved = deploy(json!({"observedGeneration": 2}));
        assert_eq!(
            deployment(&unobserved),
            Rollout::Waiting("Waiting for deployment spec update to be observed...".into())
        );
        let half = deploy(
            json!({"observedGeneration": 3, "replicas": 4, "updatedReplicas": 1, "availableReplicas": 3}),
        );
        assert!(
            matches!(deployment(&half), Rollout::Waiting(l) if l.contains("1 out of 3 new replicas"))
        );
        let old = deploy(
            json!({"observedGeneration": 3, "replicas": 4, "updatedReplicas": 3, "availableReplicas": 3}),
        );
        assert!(
            matches!(deployment(&old), Rollout::Waiting(l) if l.contains("1 old replicas are pending"))
        );
        let unavailable = deploy(
            json!({"observedGeneration": 3, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 2}),
        );
        assert!(
            matches!(deployment(&unavailable), Rollout::Waiting(l) if l.contains("2 of 3 updated"))
        );
        let done = deploy(
            json!({"observedGeneration": 3, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 3}),
        );
        assert_eq!(
            deployment(&done),
            Rollout::Done("deployment \"web\" successfully rolled out".into())
        );
    }

    #[test]
    fn a_progress_deadline_ends_the_wait_as_a_failure() {
        let stuck = deploy(
            json!({"observedGeneration": 3, "replicas": 4, "updatedReplicas": 1,
            "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}),
        );
        assert!(
            matches!(deployment(&stuck), Rollout::Failed(l) if l.contains("ProgressDeadlineExceeded"))
        );
    }

    #[test]
    fn a_statefulset_waits_for_its_update_revision() {
        let sts: StatefulSet = serde_json::from_value(json!({
            "metadata": {"name": "db", "generation": 2},
            "spec": {"replicas": 2, "selector": {}, "serviceName": "db", "template": {}},
            "status": {"observedGeneration": 2, "replicas": 2, "readyReplicas": 2, "updatedReplicas": 1,
                       "currentReplicas": 1, "currentRevision": "db-a", "updateRevision": "db-b"},
        }))
        .unwrap();
        assert!(
            matches!(stateful_set(&sts), Rollout::Waiting(l) if l.contains("1 pods at revision db-b"))
        );
    }
}
