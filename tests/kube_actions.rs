//! opsdeck's Kubernetes actions on Deployments against the test API server,
//! through the one action path, checked with the real kubectl: scale,
//! restart, rollback (previous, --to, skipped, paused), server-side dry run,
//! read-only, ProgressDeadlineExceeded and history.

#[path = "support/kube_act.rs"]
mod kube_act;
#[path = "support/kube_cluster.rs"]
mod kube_cluster;

use std::time::Duration;

use kube_act::*;
use kube_cluster::{fast_config, TestCluster};
use opsdeck::action::{Orchestrator, PerformError, Performed, Verb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_patches_the_scale_subresource_and_waits_for_the_rollout() {
    let k = TestCluster::start(fast_config()).await;
    deploy(&k, "web", "demo:1", 2).await;
    let orch = orchestrator(&k).await;
    let audit = tempfile::tempdir().unwrap();

    let r = run(
        &orch,
        request("web", Verb::Scale { replicas: 5 }),
        false,
        false,
        audit.path(),
    )
    .await;
    let (plan, outcome) = done(&r);
    assert_eq!(plan.steps[0].detail, "replicas 2 → 5");
    assert!(outcome.ok, "{outcome:?}");
    assert!(
        outcome.message.contains("deployment.apps/web scaled"),
        "{}",
        outcome.message
    );
    assert!(
        outcome.message.contains("successfully rolled out"),
        "{}",
        outcome.message
    );
    let status = k
        .jsonpath(
            "deployment/web",
            "{.spec.replicas} {.status.availableReplicas}",
        )
        .await;
    assert_eq!(
        status, "5 5",
        "the rollout was complete when opsdeck said so"
    );

    let log = std::fs::read_to_string(audit.path().join("audit.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 2, "intent and outcome: {log}");
    assert!(
        log.contains("test/default/web") && log.contains("\"scale\""),
        "{log}"
    );

    // A workload that does not exist is a plan error naming what was looked for.
    let r = run(
        &orch,
        request("nope", Verb::Restart),
        false,
        false,
        audit.path(),
    )
    .await;
    match r.result {
        Err(PerformError::Plan(e)) => assert!(
            e.contains("no Deployment, StatefulSet or DaemonSet named `nope`"),
            "{e}"
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_annotates_the_template_and_every_pod_is_replaced() {
    let k = TestCluster::start(fast_config()).await;
    deploy(&k, "web", "demo:1", 2).await;
    let before = pods(&k).await;
    let orch = orchestrator(&k).await;
    let audit = tempfile::tempdir().unwrap();
    let r = run(
        &orch,
        request("web", Verb::Restart),
        false,
        false,
        audit.path(),
    )
    .await;
    let (_, outcome) = done(&r);
    assert!(outcome.ok, "{outcome:?}");
    let at = k
        .jsonpath(
            "deployment/web",
            r"{.spec.template.metadata.annotations.kubectl\.kubernetes\.io/restartedAt}",
        )
        .await;
    assert!(
        time::OffsetDateTime::parse(&at, &time::format_description::well_known::Rfc3339).is_ok(),
        "{at:?}"
    );
    let after = pods(&k).await;
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(
        after.iter().all(|p| !before.contains(p)),
        "every pod rolled: {before:?} → {after:?}"
    );
    assert!(
        r.progress
            .iter()
            .any(|l| l.starts_with("Waiting for deployment \"web\"")),
        "{:?}",
        r.progress
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_goes_to_the_previous_or_named_revision_and_history_matches_kubectl() {
    let k = TestCluster::start(fast_config()).await;
    deploy(&k, "web", "demo:1", 2).await;
    k.ok(&[
        "annotate",
        "deployment/web",
        "kubernetes.io/change-cause=first",
    ])
    .await;
    k.ok(&["set", "image", "deployment/web", "app=demo:2"])
        .await;
    k.ok(&[
        "annotate",
        "--overwrite",
        "deployment/web",
        "kubernetes.io/change-cause=upgrade to demo:2",
    ])
    .await;
    k.rolled_out("web").await;
    let orch = orchestrator(&k).await;
    let audit = tempfile::tempdir().unwrap();
    let image = || {
        k.jsonpath(
            "deployment/web",
            "{.spec.template.spec.containers[0].image}",
        )
    };

    let r = run(
        &orch,
        request("web", Verb::Rollback { to: None }),
        false,
        false,
        audit.path(),
    )
    .await;
    let (plan, outcome) = done(&r);
    assert_eq!(plan.summary, "rollback test/default/web to revision 1");
    assert!(
        plan.steps[0].detail.contains("demo:2 → demo:1"),
        "{:?}",
        plan.steps
    );
    assert!(
        outcome.ok && outcome.message.contains("rolled back"),
        "{outcome:?}"
    );
    assert_eq!(image().await, "demo:1");
    let cause = k
        .jsonpath(
            "deployment/web",
            r"{.metadata.annotations.kubernetes\.io/change-cause}",
        )
        .await;
    assert_eq!(
        cause, "first",
        "the revision's change-cause comes back, as kubectl does it"
    );

    let r = run(
        &orch,
        request(
            "web",
            Verb::Rollback {
                to: Some("2".into()),
            },
        ),
        false,
        false,
        audit.path(),
    )
    .await;
    let (_, outcome) = done(&r);
    assert!(outcome.ok, "{outcome:?}");
    assert_eq!(image().await, "demo:2");

    // Asking for the revision that runs now changes nothing.
    let generation = k.jsonpath("deployment/web", "{.metadata.generation}").await;
    let r = run(
        &orch,
        request(
            "web",
            Verb::Rollback {
                to: Some("4".into()),
            },
        ),
        false,
        false,
        audit.path(),
    )
    .await;
    let (plan, outcome) = done(&r);
    assert!(plan.steps.is_empty(), "{plan:?}");
    assert_eq!(
        outcome.message,
        "skipped rollback (current template already matches revision 4)"
    );
    assert_eq!(
        k.jsonpath("deployment/web", "{.metadata.generation}").await,
        generation
    );

    // opsdeck's history is kubectl's: the same revisions with the same change-causes.
    let kubectl: Vec<(u32, String)> = k
        .ok(&["rollout", "history", "deployment/web"])
        .await
        .lines()
        .skip_while(|l| !l.starts_with("REVISION"))
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (rev, cause) = l.split_once(char::is_whitespace).unwrap();
            (rev.parse().unwrap(), cause.trim().to_string())
        })
        .collect();
    let ours: Vec<(u32, String)> = orch
        .history(&"test/default/web".parse().unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let cause = r
                .change_cause
                .filter(|c| !c.is_empty())
                .unwrap_or("<none>".into());
            (r.revision, cause)
        })
        .collect();
    assert_eq!(ours, kubectl);
    assert_eq!(
        ours.iter().map(|r| r.0).collect::<Vec<_>>(),
        [3, 4],
        "revisions 1 and 2 came back as 3 and 4"
    );
    let images: Vec<String> = orch
        .history(&"test/default/web".parse().unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.image)
        .collect();
    assert_eq!(images, ["demo:1", "demo:2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_deployment_is_refused_and_nothing_changes() {
    let k = TestCluster::start(fast_config()).await;
    deploy(&k, "web", "demo:1", 1).await;
    k.ok(&["set", "image", "deployment/web", "app=demo:2"])
        .await;
    k.rolled_out("web").await;
    k.ok(&["rollout", "pause", "deployment/web"]).await;
    let orch = orchestrator(&k).await;
    let audit = tempfile::tempdir().unwrap();
    for verb in [Verb::Rollback { to: None }, Verb::Restart] {
        let r = run(&orch, request("web", verb), false, false, audit.path()).await;
        match r.result {
            Err(PerformError::Plan(e)) => {
                assert!(e.contains("deployment is paused; resume it first"), "{e}")
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        k.jsonpath(
            "deployment/web",
            "{.spec.template.spec.containers[0].image}"
        )
        .await,
        "demo:2"
    );
    assert!(
        !audit.path().join("audit.jsonl").exists(),
        "a refused plan is not audited as run"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_asks_the_server_and_read_only_refuses_and_neither_changes_anything() {
    let k = TestCluster::start(fast_config()).await;
    deploy(&k, "web", "demo:1", 2).await;
    k.ok(&["set", "image", "deployment/web", "app=demo:2"])
        .await;
    k.rolled_out("web").await;
    let orch = orchestrator(&k).await;
    let audit = tempfile::tempdir().unwrap();
    let state = || {
        k.jsonpath(
            "deployment/web",
            "{.metadata.generation} {.spec.replicas} {.spec.template.spec.containers[0].image}",
        )
    };
    let before = state().await;

    let r = run(
        &orch,
        request("web", Verb::Scale { replicas: 7 }),
        false,
        true,
        audit.path(),
    )
    .await;
    match &r.result {
        Ok(Performed::DryRun(_, Some(v))) => assert!(
            v.contains("dryRun=All") && v.ends_with("spec.replicas 7"),
            "{v}"
        ),
        other => panic!("{other:?}"),
    }
    let r = run(
        &orch,
        request("web", Verb::Rollback { to: None }),
        false,
        true,
        audit.path(),
    )
    .await;
    match &r.result {
        Ok(Performed::DryRun(p, Some(v))) => {
            assert_eq!(p.summary, "rollback test/default/web to revision 1");
            assert!(v.contains("the pod template would run demo:1"), "{v}");
        }
        other => panic!("{other:?}"),
    }
    let r = run(
        &orch,
        request("web", Verb::Restart),
        false,
        true,
        audit.path(),
    )
    .await;
    match &r.result {
        Ok(Performed::DryRun(_, Some(v))) => assert!(v.contains("restartedAt="), "{v}"),
        other => panic!("{other:?}"),
    }
    let r = run(
        &orch,
        request("web", Verb::Scale { replicas: 9 }),
        true,
        false,
        audit.path(),
    )
    .await;
    assert!(
        matches!(r.result, Err(PerformError::ReadOnly(_))),
        "{:?}",
        r.result
    );

    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        state().await,
        before,
        "dry runs and read-only change nothing"
    );
    assert_eq!(
        k.ok(&["get", "rs", "-l", "app=web", "-o", "name"])
            .await
            .lines()
            .count(),
        2
    );
    assert!(!audit.path().join("audit.jsonl").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollout_that_stalls_reports_progress_deadline_exceeded() {
    let k = TestCluster::start(fast_config()).await;
    // The simulated kubelet crash-loops `broken` images, so the rollout never completes.
    apply(
        &k,
        "stall.yaml",
        &deployment_yaml("stall", "broken:1", 1, "  progressDeadlineSeconds: 1\n"),
    )
    .await;
    let orch = orchestrator(&k).await;
    let audit = tempfile::tempdir().unwrap();
    let r = run(
        &orch,
        request("stall", Verb::Scale { replicas: 2 }),
        false,
        false,
        audit.path(),
    )
    .await;
    let (_, outcome) = done(&r);
    assert!(!outcome.ok, "{outcome:?}");
    assert!(
        outcome
            .message
            .contains("exceeded its progress deadline (ProgressDeadlineExceeded)"),
        "{}",
        outcome.message
    );
    let log = std::fs::read_to_string(audit.path().join("audit.jsonl")).unwrap();
    assert!(log.contains("ProgressDeadlineExceeded"), "{log}");
}
