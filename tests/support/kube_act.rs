//! Helpers for the Kubernetes action tests: workloads applied with the real
//! kubectl, opsdeck's orchestrator on the test cluster, and one request run
//! through the action path with an audit log of its own.
#![allow(dead_code)]

use std::time::Duration;

use crate::kube_cluster::TestCluster;
use opsdeck::action::audit::AuditLog;
use opsdeck::action::kube::KubeOrchestrator;
use opsdeck::action::perform::confirmed;
use opsdeck::action::{perform, PerformError, PerformOptions, Performed, Request, Verb};
use opsdeck::connect::kube::KubeTarget;

pub fn deployment_yaml(name: &str, image: &str, replicas: u32, extra_spec: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels: {{app: {name}}}\n\
         spec:\n  replicas: {replicas}\n{extra_spec}  selector:\n    matchLabels: {{app: {name}}}\n\
         \x20 template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n\
         \x20     - name: app\n        image: {image}\n"
    )
}

pub async fn apply(k: &TestCluster, file: &str, yaml: &str) {
    let path = k.path(file);
    std::fs::write(&path, yaml).unwrap();
    k.ok(&["apply", "-f", path.to_str().unwrap()]).await;
}

/// A Deployment applied by kubectl and rolled out.
pub async fn deploy(k: &TestCluster, name: &str, image: &str, replicas: u32) {
    apply(
        k,
        &format!("{name}.yaml"),
        &deployment_yaml(name, image, replicas, ""),
    )
    .await;
    k.rolled_out(name).await;
}

pub fn target(k: &TestCluster) -> KubeTarget {
    KubeTarget {
        name: "test".into(),
        context: Some("test".into()),
        kubeconfig: Some(k.kubeconfig.clone()),
        namespaces: Vec::new(),
    }
}

pub async fn orchestrator(k: &TestCluster) -> KubeOrchestrator {
    let mut orch = KubeOrchestrator::connect(&target(k)).await.unwrap();
    orch.set_rollout_timeout(Duration::from_secs(60));
    orch
}

pub fn request(name: &str, verb: Verb) -> Request {
    Request {
        workload: format!("test/default/{name}").parse().unwrap(),
        verb,
    }
}

pub struct Run {
    pub result: Result<Performed, PerformError>,
    pub progress: Vec<String>,
}

/// Runs one request through `perform` with an audit log of its own.
pub async fn run(
    orch: &KubeOrchestrator,
    req: Request,
    read_only: bool,
    dry_run: bool,
    audit: &std::path::Path,
) -> Run {
    let opts = PerformOptions {
        read_only,
        dry_run,
        audit: AuditLog::new(audit.join("audit.jsonl")),
        actor: opsdeck::action::Actor::named("tester@box"),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let collect = tokio::spawn(async move {
        let mut progress = Vec::new();
        while let Some(e) = rx.recv().await {
            if let opsdeck::action::ActionEvent::Progress(line) = e {
                progress.push(line);
            }
        }
        progress
    });
    let result = perform(orch, &req, &opts, confirmed(), &tx).await;
    drop(tx);
    let progress = collect.await.unwrap();
    Run { result, progress }
}

pub fn done(run: &Run) -> (opsdeck::action::Plan, opsdeck::action::Outcome) {
    match &run.result {
        Ok(Performed::Done(p, o)) => (p.clone(), o.clone()),
        other => panic!(
            "expected a finished action, got {other:?}\nprogress: {:?}",
            run.progress
        ),
    }
}

pub async fn pods(k: &TestCluster) -> Vec<String> {
    let mut names: Vec<String> = k
        .ok(&["get", "pods", "-l", "app=web", "-o", "name"])
        .await
        .lines()
        .map(str::to_string)
        .collect();
    names.sort();
    names
}
