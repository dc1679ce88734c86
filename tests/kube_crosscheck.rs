//! kubectl and opsdeck on one cluster (the test API server): what the real
//! kubectl changes shows in opsdeck's console and in `opsdeck workloads`, and
//! what opsdeck changes (scale, rollback) shows in kubectl.

#[path = "support/kube_act.rs"]
mod kube_act;
#[path = "support/kube_cluster.rs"]
mod kube_cluster;
#[path = "support/run_bin.rs"]
mod run_bin;
#[path = "support/screen.rs"]
mod screen;

use kube_act::{deploy, target};
use kube_cluster::{fast_config, TestCluster};
use opsdeck::console::Model;
use opsdeck::model::TargetKind;
use opsdeck::source::kube::KubeSource;
use opsdeck::source::{Source, Update};
use opsdeck::ui::state::View;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The console's workloads view once the source's inventory satisfies `done`.
async fn console_until(source: &mut KubeSource, what: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut model = Model::new(Duration::from_secs(2), false);
        model.add_target("test", TargetKind::Kubernetes);
        for u in source.poll().await.expect("poll") {
            if let Update::Inventory { at, .. } = &u {
                model.now = *at;
            }
            model.apply_update(u);
        }
        let screen = screen::text(&screen::frame(
            &model,
            &screen::in_view(View::Workloads),
            160,
            30,
        ));
        if done(&screen) {
            return screen;
        }
        assert!(Instant::now() < deadline, "{what} never showed:\n{screen}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn config(dir: &Path, kubeconfig: &Path) -> PathBuf {
    let config = dir.join("opsdeck.toml");
    std::fs::write(
        &config,
        format!(
            "[[kubernetes]]\nname = \"test\"\nkubeconfig = \"{}\"\n",
            kubeconfig.display()
        ),
    )
    .unwrap();
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_and_opsdeck_see_each_others_changes() {
    let k = TestCluster::start(fast_config()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &k.kubeconfig);
    let data = dir.path().join("data");
    let opsdeck = |args: Vec<&'static str>| {
        let (config, data) = (config.clone(), data.clone());
        tokio::task::spawn_blocking(move || run_bin::opsdeck(&config, &data, &args))
    };

    // kubectl → opsdeck: apply, scale, set image; the console and the CLI show it.
    deploy(&k, "web", "demo:1", 2).await;
    k.ok(&["scale", "deployment/web", "--replicas=3"]).await;
    k.ok(&["set", "image", "deployment/web", "app=demo:2"])
        .await;
    k.rolled_out("web").await;
    let mut source = KubeSource::new(target(&k));
    let screen = console_until(&mut source, "kubectl's scale and new image", |s| {
        s.lines()
            .any(|l| l.contains("test/default/web") && l.contains("3/3") && l.contains("demo:2"))
    })
    .await;
    let row = screen
        .lines()
        .find(|l| l.contains("test/default/web"))
        .unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert!(cells.contains(&"2"), "revision 2 after set image: {row}");
    let out = opsdeck(vec!["workloads", "--json"]).await.unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", run_bin::text(&out)));
    let web = json["workloads"]
        .as_array()
        .and_then(|all| all.iter().find(|w| w["addr"] == "test/default/web"))
        .unwrap_or_else(|| panic!("web in {json:#}"));
    assert_eq!(web["desired"], 3, "{web:#}");
    assert_eq!(web["images"][0], "demo:2", "{web:#}");
    assert_eq!(web["rollout"]["revision"], "2", "{web:#}");

    // opsdeck → kubectl: scale, then roll back; kubectl reads what opsdeck did.
    let out = opsdeck(vec!["scale", "test/default/web", "1", "--yes"])
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", run_bin::text(&out));
    assert_eq!(k.jsonpath("deployment/web", "{.spec.replicas}").await, "1");
    assert_eq!(
        k.jsonpath("deployment/web", "{.status.readyReplicas}")
            .await,
        "1"
    );
    let out = opsdeck(vec!["rollback", "test/default/web", "--yes"])
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", run_bin::text(&out));
    assert_eq!(
        k.jsonpath(
            "deployment/web",
            "{.spec.template.spec.containers[0].image}"
        )
        .await,
        "demo:1"
    );
    let history = k.ok(&["rollout", "history", "deployment/web"]).await;
    let revisions: Vec<&str> = history
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    assert_eq!(
        revisions,
        ["2", "3"],
        "rollback reuses revision 1's ReplicaSet as 3:\n{history}"
    );
    // And the console follows opsdeck's own change through its watch.
    console_until(&mut source, "opsdeck's rollback", |s| {
        s.lines()
            .any(|l| l.contains("test/default/web") && l.contains("1/1") && l.contains("demo:1"))
    })
    .await;
}
