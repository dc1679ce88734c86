//! The test API server in-process through kube's own client: lists, watches (with label
//! selectors), and the watcher's recovery from 410 Expired by relisting.

use std::time::Duration;

use futures::AsyncBufReadExt;
use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{
    Api, ListParams, LogParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::runtime::watcher::{self, Event};
use kube_test_server::{Cluster, Config};
use serde_json::json;

fn deployment(name: &str, image: &str) -> Deployment {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "app", "image": image}]}}}
    }))
    .unwrap()
}

fn client(cluster: &Cluster) -> kube::Client {
    kube::Client::new(cluster.router(), "default")
}

fn fast() -> Config {
    Config {
        pod_start_delay: Duration::from_millis(50),
        ..Config::default()
    }
}

#[tokio::test]
async fn lists_pages_and_reads_typed_objects_in_process() {
    let cluster = Cluster::new(fast());
    let client = client(&cluster);
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    for name in ["a", "b", "c"] {
        deployments
            .create(&PostParams::default(), &deployment(name, "demo:1"))
            .await
            .unwrap();
    }
    let page = deployments
        .list(&ListParams::default().limit(2))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    let token = page.metadata.continue_.clone().expect("a continue token");
    let rest = deployments
        .list(&ListParams::default().limit(2).continue_token(&token))
        .await
        .unwrap();
    assert_eq!(
        rest.items
            .iter()
            .map(|d| d.metadata.name.clone().unwrap())
            .collect::<Vec<_>>(),
        vec!["c"]
    );
    let only_b = deployments
        .list(&ListParams::default().labels("app in (b)"))
        .await
        .unwrap();
    assert_eq!(only_b.items.len(), 1);

    // The controllers run in-process too: pods appear, become ready, status counts follow.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let a = deployments.get("a").await.unwrap();
    let status = a.status.unwrap();
    assert_eq!(
        (status.ready_replicas, status.available_replicas),
        (Some(2), Some(2))
    );
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let a_pods = pods
        .list(&ListParams::default().labels("app=a"))
        .await
        .unwrap();
    assert_eq!(a_pods.items.len(), 2);
    assert!(a_pods
        .items
        .iter()
        .all(|p| p.spec.as_ref().unwrap().node_name.is_some()));
    let nodes: Api<Node> = Api::all(client.clone());
    assert_eq!(
        nodes
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        2
    );

    // Scale through the subresource, and a dry run that changes nothing.
    let pp = PatchParams::default();
    deployments
        .patch_scale("a", &pp, &Patch::Merge(json!({"spec": {"replicas": 3}})))
        .await
        .unwrap();
    let dry = PatchParams {
        dry_run: true,
        ..PatchParams::default()
    };
    deployments
        .patch_scale("a", &dry, &Patch::Merge(json!({"spec": {"replicas": 9}})))
        .await
        .unwrap();
    assert_eq!(
        deployments
            .get_scale("a")
            .await
            .unwrap()
            .spec
            .unwrap()
            .replicas,
        Some(3)
    );

    // Errors are Status objects kube understands.
    let missing = deployments.get("nope").await.unwrap_err();
    match missing {
        kube::Error::Api(status) => {
            assert_eq!((status.code, status.reason.as_str()), (404, "NotFound"))
        }
        other => panic!("expected a NotFound Status, got {other:?}"),
    }
    let conflict = deployments
        .create(&PostParams::default(), &deployment("a", "demo:1"))
        .await
        .unwrap_err();
    assert!(
        matches!(conflict, kube::Error::Api(ref s) if s.code == 409 && s.reason == "AlreadyExists"),
        "{conflict:?}"
    );

    // An expired continue token is 410 Gone, as after etcd compaction.
    cluster.compact();
    let expired = deployments
        .list(&ListParams::default().limit(2).continue_token(&token))
        .await
        .unwrap_err();
    assert!(
        matches!(expired, kube::Error::Api(ref s) if s.code == 410),
        "{expired:?}"
    );
}

type Events = futures::stream::BoxStream<'static, watcher::Result<Event<Deployment>>>;

async fn next(events: &mut Events) -> watcher::Result<Event<Deployment>> {
    tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("a watcher event in 10s")
        .expect("stream open")
}

/// Waits for the watcher to report `name` as applied (created or changed).
async fn applied(events: &mut Events, name: &str) {
    for _ in 0..100 {
        if let Event::Apply(d) = next(events).await.unwrap() {
            if d.metadata.name.as_deref() == Some(name) {
                return;
            }
        }
    }
    panic!("{name} never arrived as Apply");
}

#[tokio::test]
async fn watcher_follows_changes_and_relists_after_410() {
    let cluster = Cluster::new(fast());
    let client = client(&cluster);
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    deployments
        .create(&PostParams::default(), &deployment("first", "demo:1"))
        .await
        .unwrap();

    let config = watcher::Config::default().labels("app in (first,second,third)");
    let mut events = watcher::watcher(deployments.clone(), config).boxed();
    // The initial list: Init, one InitApply, InitDone.
    assert!(matches!(next(&mut events).await.unwrap(), Event::Init));
    assert!(
        matches!(next(&mut events).await.unwrap(), Event::InitApply(d) if d.metadata.name.as_deref() == Some("first"))
    );
    assert!(matches!(next(&mut events).await.unwrap(), Event::InitDone));

    deployments
        .create(&PostParams::default(), &deployment("second", "demo:1"))
        .await
        .unwrap();
    applied(&mut events, "second").await;

    // Compaction ends the watch with 410; the watcher reports it, relists and carries on.
    cluster.compact();
    let mut saw_expired = false;
    loop {
        match next(&mut events).await {
            Err(watcher::Error::WatchError(status)) if status.code == 410 => saw_expired = true,
            Ok(Event::Init) => break,
            Ok(_) => {}
            Err(other) => panic!("unexpected watcher error {other:?}"),
        }
    }
    assert!(saw_expired, "the watcher saw 410 Expired before relisting");
    let mut relisted = Vec::new();
    loop {
        match next(&mut events).await.unwrap() {
            Event::InitApply(d) => relisted.push(d.metadata.name.unwrap()),
            Event::InitDone => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    relisted.sort();
    assert_eq!(relisted, vec!["first", "second"]);
    deployments
        .create(&PostParams::default(), &deployment("third", "demo:1"))
        .await
        .unwrap();
    applied(&mut events, "third").await;
}

#[tokio::test]
async fn watches_resume_send_bookmarks_and_expire_stale_versions() {
    let config = Config {
        bookmark_interval: Duration::from_millis(200),
        ..fast()
    };
    let cluster = Cluster::new(config);
    let deployments: Api<Deployment> = Api::default_namespaced(client(&cluster));
    let created = deployments
        .create(&PostParams::default(), &deployment("web", "demo:1"))
        .await
        .unwrap();
    let created_rv = created.metadata.resource_version.unwrap();

    // Resuming from the creation's resourceVersion replays what followed: the controller's
    // status updates, then the changes made by the three patch types.
    let mut stream = deployments
        .watch(
            &WatchParams::default().fields("metadata.name=web"),
            &created_rv,
        )
        .await
        .unwrap()
        .boxed();
    let pp = PatchParams::default();
    let json_patch: json_patch::Patch =
        serde_json::from_value(json!([{"op": "replace", "path": "/spec/replicas", "value": 3}]))
            .unwrap();
    deployments
        .patch("web", &pp, &Patch::<()>::Json(json_patch))
        .await
        .unwrap();
    let env = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "env": [{"name": "MODE", "value": "x"}]}]}}}});
    let patched = deployments
        .patch("web", &pp, &Patch::Strategic(env))
        .await
        .unwrap();
    let container = &patched.spec.template.spec.as_ref().unwrap().containers[0];
    assert_eq!(
        container.image.as_deref(),
        Some("demo:1"),
        "strategic merge keeps the container's other fields"
    );
    assert_eq!(container.env.as_ref().unwrap()[0].name, "MODE");
    deployments
        .patch(
            "web",
            &pp,
            &Patch::Merge(json!({"metadata": {"labels": {"tier": "front"}}})),
        )
        .await
        .unwrap();
    let (mut saw_replicas, mut saw_label, mut saw_bookmark) = (false, false, false);
    while !(saw_replicas && saw_label && saw_bookmark) {
        let event = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("watch event")
            .expect("open")
            .unwrap();
        match event {
            WatchEvent::Modified(d) => {
                saw_replicas |= d.spec.replicas == Some(3);
                saw_label |= d
                    .metadata
                    .labels
                    .unwrap_or_default()
                    .get("tier")
                    .is_some_and(|t| t == "front");
            }
            WatchEvent::Bookmark(_) => saw_bookmark = true,
            other => panic!("unexpected {other:?}"),
        }
    }

    // A resourceVersion older than the history gets one ERROR event: 410 Expired.
    cluster.compact();
    let mut stale = deployments
        .watch(&WatchParams::default(), &created_rv)
        .await
        .unwrap()
        .boxed();
    match tokio::time::timeout(Duration::from_secs(5), stale.next())
        .await
        .expect("an event")
        .expect("open")
        .unwrap()
    {
        WatchEvent::Error(status) => {
            assert_eq!((status.code, status.reason.as_str()), (410, "Expired"))
        }
        other => panic!("expected 410 Expired, got {other:?}"),
    }
}

#[tokio::test]
async fn pod_logs_follow_and_refuse_a_missing_previous_instance() {
    let cluster = Cluster::new(fast());
    let client = client(&cluster);
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    deployments
        .create(&PostParams::default(), &deployment("logs", "demo:1"))
        .await
        .unwrap();
    let pods: Api<Pod> = Api::default_namespaced(client);
    let mut running = None;
    for _ in 0..50 {
        let list = pods
            .list(&ListParams::default().labels("app=logs"))
            .await
            .unwrap();
        running = list
            .items
            .into_iter()
            .find(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"));
        if running.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let name = running.expect("a running pod").metadata.name.unwrap();

    let previous = pods
        .logs(
            &name,
            &LogParams {
                previous: true,
                ..LogParams::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(previous, kube::Error::Api(ref s) if s.code == 400 && s.message.contains("previous terminated container")),
        "{previous:?}"
    );

    let follow = LogParams {
        follow: true,
        ..LogParams::default()
    };
    let mut lines = pods.log_stream(&name, &follow).await.unwrap().lines();
    let first = lines.next().await.unwrap().unwrap();
    assert!(first.contains("app starting image demo:1"), "{first}");
    let streamed = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(line) = lines.next().await {
            if line.unwrap().contains("app served request") {
                return true;
            }
        }
        false
    });
    assert!(
        streamed.await.expect("a followed line within 5s"),
        "follow streams new lines"
    );
}
