//! `opsdeck deploy` on Kubernetes Deployments, against the test API server
//! and checked with the real kubectl: the image set as `kubectl set image`
//! sets it, a server-side dry run that changes nothing, and a broken image
//! whose rollout misses its progress deadline rolled back by itself, as
//! `kubectl rollout history` shows; every step in the audit log.

#[path = "support/kube_act.rs"]
mod kube_act;
#[path = "support/kube_cluster.rs"]
mod kube_cluster;
#[path = "support/run_bin.rs"]
mod run_bin;

use kube_act::*;
use kube_cluster::{fast_config, TestCluster};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_sets_the_image_and_a_broken_one_rolls_back_by_itself() {
    let k = TestCluster::start(fast_config()).await;
    apply(
        &k,
        "web.yaml",
        &deployment_yaml("web", "demo:1", 2, "  progressDeadlineSeconds: 2\n"),
    )
    .await;
    k.rolled_out("web").await;
    let dir = tempfile::tempdir().unwrap();
    let config = k.write_opsdeck_config(dir.path());
    let data = dir.path().join("data");
    let opsdeck = |args: &'static [&'static str]| {
        let (config, data) = (config.clone(), data.clone());
        tokio::task::spawn_blocking(move || run_bin::opsdeck(&config, &data, args))
    };
    let image = || async {
        k.jsonpath(
            "deployment/web",
            "{.spec.template.spec.containers[0].image}",
        )
        .await
    };

    let out = opsdeck(&["deploy", "test/default/web", "demo:2", "--dry-run"])
        .await
        .unwrap();
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("container app: image demo:1 → demo:2"),
        "{text}"
    );
    assert!(
        text.contains("the API server accepted it (dryRun=All; nothing persisted): the pod template would run demo:2"),
        "{text}"
    );
    assert_eq!(image().await, "demo:1", "a dry run changed something");

    let out = opsdeck(&[
        "deploy",
        "test/default/web",
        "demo:2",
        "--container",
        "app",
        "--yes",
    ])
    .await
    .unwrap();
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("deployment.apps/web image updated")
            && text.contains("successfully rolled out"),
        "{text}"
    );
    assert_eq!(
        k.jsonpath(
            "deployment/web",
            "{.spec.template.spec.containers[0].image} {.status.updatedReplicas} {.status.availableReplicas}"
        )
        .await,
        "demo:2 2 2",
        "rolled out when opsdeck said so"
    );

    let out = opsdeck(&["deploy", "test/default/web", "demo:3-broken", "--yes"])
        .await
        .unwrap();
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("ProgressDeadlineExceeded") && text.contains("rolled back to revision 2"),
        "{text}"
    );
    k.rolled_out("web").await;
    assert_eq!(image().await, "demo:2");
    let history = k.ok(&["rollout", "history", "deployment/web"]).await;
    let revisions: Vec<&str> = history
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(revisions.len(), 3, "{history}");
    assert!(
        revisions[1].starts_with('3') && revisions[1].contains("opsdeck deploy app=demo:3-broken"),
        "{history}"
    );
    assert!(
        revisions[2].starts_with('4') && revisions[2].contains("opsdeck deploy app=demo:2"),
        "revision 2 came back as 4, as kubectl rollout undo makes it: {history}"
    );

    let log = std::fs::read_to_string(data.join("audit.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(last["verb"], "deploy", "{log}");
    assert_eq!(
        (last["ok"].as_bool(), last["rolled_back"].as_bool()),
        (Some(false), Some(true)),
        "{log}"
    );

    let out = opsdeck(&[
        "deploy",
        "test/default/web",
        "demo:4",
        "--container",
        "web",
        "--yes",
    ])
    .await
    .unwrap();
    let text = run_bin::text(&out);
    assert_ne!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("no container `web` in the pod template (containers: app)"),
        "{text}"
    );

    // A DaemonSet is not deployed to: opsdeck could not roll it back.
    apply(&k, "sd.yaml", kube_cluster::STATEFUL_AND_DAEMON).await;
    let out = opsdeck(&["deploy", "test/default/agent", "agent:2", "--yes"])
        .await
        .unwrap();
    let text = run_bin::text(&out);
    assert_ne!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("is a DaemonSet"), "{text}");
}
