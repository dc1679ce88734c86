//! opsdeck's Kubernetes actions beyond Deployments' verbs: StatefulSets and
//! DaemonSets, RBAC refusals, and the CLI twins with a `[[kubernetes]]`
//! config, against the test API server.

#[path = "support/kube_act.rs"]
mod kube_act;
#[path = "support/kube_cluster.rs"]
mod kube_cluster;
#[path = "support/run_bin.rs"]
mod run_bin;

use kube_act::*;
use kube_cluster::{fast_config, TestCluster};
use kube_test_server::{Rule, User};
use opsdeck::action::kube::KubeOrchestrator;
use opsdeck::action::{Orchestrator, PerformError, Verb};
use opsdeck::connect::kube::KubeTarget;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_twins_act_on_a_configured_kubernetes_target() {
    let k = TestCluster::start(fast_config()).await;
    deploy(&k, "web", "demo:1", 1).await;
    let dir = tempfile::tempdir().unwrap();
    let config = k.write_opsdeck_config(dir.path());
    let data = dir.path().join("data");
    let opsdeck = |args: &'static [&'static str]| {
        let (config, data) = (config.clone(), data.clone());
        tokio::task::spawn_blocking(move || run_bin::opsdeck(&config, &data, args))
    };

    let out = opsdeck(&["scale", "test/default/web", "3", "--dry-run"])
        .await
        .unwrap();
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("replicas 1 → 3") && text.contains("server: the API server accepted it"),
        "{text}"
    );
    assert_eq!(k.jsonpath("deployment/web", "{.spec.replicas}").await, "1");

    let out = opsdeck(&["--read-only", "scale", "test/default/web", "3", "--yes"])
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", run_bin::text(&out));

    let out = opsdeck(&["scale", "test/default/web", "3", "--yes"])
        .await
        .unwrap();
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("done: deployment.apps/web scaled"), "{text}");
    assert_eq!(
        k.jsonpath(
            "deployment/web",
            "{.spec.replicas} {.status.availableReplicas}"
        )
        .await,
        "3 3"
    );
    let log = std::fs::read_to_string(data.join("audit.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(log.contains("scale test/default/web 1 → 3"), "{log}");

    k.ok(&["set", "image", "deployment/web", "app=demo:2"])
        .await;
    k.rolled_out("web").await;
    let out = opsdeck(&["history", "test/default/web"]).await.unwrap();
    let text = run_bin::text(&out);
    assert!(
        text.contains("REVISION") && text.contains("demo:2") && text.contains("<none>"),
        "{text}"
    );
    let out = opsdeck(&["rollback", "test/default/web", "--to", "1", "--yes"])
        .await
        .unwrap();
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        k.jsonpath(
            "deployment/web",
            "{.spec.template.spec.containers[0].image}"
        )
        .await,
        "demo:1"
    );
}

fn revisions_of(history: &str) -> Vec<u32> {
    history
        .lines()
        .skip_while(|l| !l.starts_with("REVISION"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statefulsets_scale_and_roll_back_by_controller_revision_and_daemonsets_only_restart() {
    let k = TestCluster::start(fast_config()).await;
    apply(&k, "workloads.yaml", kube_cluster::STATEFUL_AND_DAEMON).await;
    k.ok(&["rollout", "status", "statefulset/db", "--timeout=60s"])
        .await;
    k.ok(&["rollout", "status", "daemonset/agent", "--timeout=60s"])
        .await;
    let orch = orchestrator(&k).await;
    let audit = tempfile::tempdir().unwrap();
    let db_images = || {
        k.ok(&[
            "get",
            "pods",
            "-l",
            "app=db",
            "-o",
            "jsonpath={.items[*].spec.containers[0].image}",
        ])
    };

    let r = run(
        &orch,
        request("db", Verb::Scale { replicas: 3 }),
        false,
        false,
        audit.path(),
    )
    .await;
    let (plan, outcome) = done(&r);
    assert_eq!(plan.steps[0].subject, "statefulset default/db");
    assert!(
        outcome.ok && outcome.message.contains("statefulset.apps/db scaled"),
        "{outcome:?}"
    );
    assert_eq!(db_images().await, "db:1 db:1 db:1");

    k.ok(&["set", "image", "statefulset/db", "db=db:2"]).await;
    k.ok(&["rollout", "status", "statefulset/db", "--timeout=60s"])
        .await;
    let r = run(
        &orch,
        request("db", Verb::Rollback { to: None }),
        false,
        false,
        audit.path(),
    )
    .await;
    let (plan, outcome) = done(&r);
    assert_eq!(plan.summary, "rollback test/default/db to revision 1");
    assert!(outcome.ok, "{outcome:?}\n{:?}", r.progress);
    assert_eq!(
        db_images().await,
        "db:1 db:1 db:1",
        "the rollout was complete when opsdeck said so"
    );
    let ours: Vec<u32> = orch
        .history(&"test/default/db".parse().unwrap())
        .await
        .unwrap()
        .iter()
        .map(|r| r.revision)
        .collect();
    let kubectl = revisions_of(&k.ok(&["rollout", "history", "statefulset/db"]).await);
    assert_eq!(ours, kubectl);

    for (verb, why) in [
        (Verb::Scale { replicas: 3 }, "it cannot be scaled"),
        (Verb::Rollback { to: None }, "a DaemonSet can be restarted"),
    ] {
        let r = run(&orch, request("agent", verb), false, false, audit.path()).await;
        match r.result {
            Err(PerformError::Plan(e)) => assert!(e.contains(why), "{e}"),
            other => panic!("{other:?}"),
        }
    }
    let agents = || k.ok(&["get", "pods", "-l", "app=agent", "-o", "name"]);
    let before = agents().await;
    let r = run(
        &orch,
        request("agent", Verb::Restart),
        false,
        false,
        audit.path(),
    )
    .await;
    let (_, outcome) = done(&r);
    assert!(
        outcome.ok
            && outcome
                .message
                .contains("daemon set \"agent\" successfully rolled out"),
        "{outcome:?}"
    );
    let after = agents().await;
    assert_eq!(after.lines().count(), 2);
    assert!(
        after.lines().all(|p| !before.contains(p)),
        "{before} → {after}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_rbac_refusal_names_the_verb_and_resource_and_never_the_token() {
    const TOKEN: &str = "opsdeck-kact-viewer-token-7d1e";
    const ADMIN: &str = "opsdeck-kact-admin-token-51c0";
    // What the built-in `view` ClusterRole grants: reading, no writes, no subresources.
    let mut k = TestCluster::start_tls(kube_test_server::Config {
        users: vec![
            User::new("admin", ADMIN).allow(Rule::new(&["*"], &["*"], &["*"])),
            User::new("viewer", TOKEN).allow(Rule::new(
                &["get", "list", "watch"],
                &["", "apps"],
                &["pods", "deployments", "replicasets", "events"],
            )),
        ],
        ..fast_config()
    })
    .await;
    // Setting up is the admin's job; opsdeck then acts as the viewer.
    k.kubeconfig = k.kubeconfig_for("admin-kubeconfig", Some(ADMIN));
    deploy(&k, "web", "demo:1", 1).await;
    let viewer = KubeTarget {
        name: "test".into(),
        context: None,
        kubeconfig: Some(k.kubeconfig_for("viewer-kubeconfig", Some(TOKEN))),
        namespaces: Vec::new(),
    };
    let orch = KubeOrchestrator::connect(&viewer).await.unwrap();
    let audit = tempfile::tempdir().unwrap();
    let forbidden = "403 Forbidden: not allowed to patch deployments/scale default/web: \
        deployments.apps \"web\" is forbidden: User \"viewer\" cannot patch resource \"deployments/scale\" \
        in API group \"apps\" in the namespace \"default\"";

    // The dry run already hears the refusal: RBAC is checked before dryRun=All.
    let r = run(
        &orch,
        request("web", Verb::Scale { replicas: 2 }),
        false,
        true,
        audit.path(),
    )
    .await;
    match &r.result {
        Err(e @ PerformError::DryRunRefused(..)) => {
            let text = e.to_string();
            assert!(text.contains(forbidden) && !text.contains(TOKEN), "{text}");
        }
        other => panic!("{other:?}"),
    }
    let r = run(
        &orch,
        request("web", Verb::Scale { replicas: 2 }),
        false,
        false,
        audit.path(),
    )
    .await;
    match &r.result {
        Err(PerformError::Execute(e)) => assert_eq!(e, forbidden),
        other => panic!("{other:?}"),
    }
    let log = std::fs::read_to_string(audit.path().join("audit.jsonl")).unwrap();
    assert!(
        log.contains("cannot patch resource") && !log.contains(TOKEN),
        "{log}"
    );
    assert_eq!(k.jsonpath("deployment/web", "{.spec.replicas}").await, "1");
}
