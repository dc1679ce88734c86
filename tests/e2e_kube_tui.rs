//! The incident loop on Kubernetes in the console (the real binary in tmux,
//! the default keys): a rollout made with `kubectl set image` to an image
//! that crash-loops, PodCrashLooping firing in the alerts view, `Enter` on
//! it, the failed-deploy runbook naming kubectl's rollout, the undo
//! confirmed with `y`, verified, and the report written; kubectl agrees.

#[path = "support/kube_act.rs"]
mod kube_act;
#[path = "support/kube_cluster.rs"]
mod kube_cluster;
#[path = "support/tmux.rs"]
#[allow(dead_code)]
mod tmux;

use kube_act::*;
use kube_cluster::{fast_config, TestCluster};
use std::time::Duration;
use tmux::Tmux;

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enter_on_a_crash_looping_pod_rolls_back_what_kubectl_rolled_out() {
    let k = TestCluster::start(fast_config()).await;
    deploy(&k, "web", "demo:1", 2).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("opsdeck.toml");
    std::fs::write(
        &config,
        format!(
            "[[kubernetes]]\nname = \"test\"\ncontext = \"test\"\nkubeconfig = \"{}\"\n\n\
             [[alert]]\nname = \"PodCrashLooping\"\nfor = \"1s\"\n",
            k.kubeconfig.display()
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let t = Tmux::start(
        "kube-incident",
        160,
        48,
        env!("CARGO_BIN_EXE_opsdeck"),
        &[("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)],
    );
    t.wait_for("the console", WAIT, |s| s.contains("opsdeck"));
    k.ok(&["set", "image", "deployment/web", "app=demo:2-broken"])
        .await;
    k.ok(&[
        "annotate",
        "deployment/web",
        "kubernetes.io/change-cause=release 2 by the pipeline",
    ])
    .await;

    // The tmux helpers block: keep them off the test server's threads.
    let screen = tokio::task::spawn_blocking(move || {
        t.keys(&["5"]);
        let screen = t.wait_for("PodCrashLooping to fire", WAIT, |s| {
            alert_rows(s)
                .iter()
                .any(|l| l.contains("PodCrashLooping") && l.contains("firing"))
        });
        let at = alert_rows(&screen)
            .iter()
            .position(|l| l.contains("PodCrashLooping") && l.contains("firing"))
            .unwrap();
        for _ in 0..at {
            t.keys(&["j"]);
        }
        t.keys(&["Enter"]);
        let plan = t.wait_for("the rollback to be proposed", WAIT, |s| {
            s.contains("Apply: roll back") && s.contains("y apply")
        });
        assert!(plan.contains("test/default/web"), "{plan}");
        assert!(
            t.history().contains("replacing revision 1: demo:1"),
            "kubectl's rollout, the right way round:\n{}",
            t.history()
        );
        t.keys(&["y"]);
        t.wait_for("the freeze note", WAIT, |s| {
            s.contains("Freeze deploys") && s.contains("y or Enter continues")
        });
        t.keys(&["y"]);
        let done = t.wait_for("the run's outcome", WAIT, |s| s.contains("outcome:"));
        t.keys(&["w"]);
        t.wait_for("the report", WAIT, |s| s.contains("report written to"));
        t.keys(&["q"]);
        done
    })
    .await
    .unwrap();
    assert!(screen.contains("outcome: completed"), "{screen}");
    let report = std::fs::read_dir(data.join("runs"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .expect("the report next to the run's timeline");
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(md.contains("PodCrashLooping"), "{md}");
    assert!(md.contains("release 2 by the pipeline"), "{md}");
    k.rolled_out("web").await;
    assert_eq!(
        k.jsonpath(
            "deployment/web",
            "{.spec.template.spec.containers[0].image}"
        )
        .await,
        "demo:1"
    );
}

/// The alert rows of the alerts view, in screen order.
fn alert_rows(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .filter(|l| {
            [
                " firing ",
                " pending ",
                " resolved ",
                " no-data ",
                " error ",
            ]
            .iter()
            .any(|s| l.contains(s))
        })
        .collect()
}
