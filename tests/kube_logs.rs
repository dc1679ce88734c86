//! Pod logs through opsdeck against the Kubernetes test API server on a socket:
//! history merged by time across pods, following new lines without repeats, the
//! previous instance after an OOMKilled restart, an unknown pod named, and
//! `opsdeck logs` on a `[[kubernetes]]` target.

#[path = "support/kube_cluster.rs"]
mod kube_cluster;

use std::process::Output;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube_cluster::{fast_config, TestCluster};
use opsdeck::connect::kube::{client, KubeTarget};
use opsdeck::model::LogLine;
use opsdeck::source::kube::logs;
use opsdeck::source::kube::logs::PodLog;
use opsdeck::source::logs::{LogRequest, LogStream};
use serde_json::json;

fn target(k: &TestCluster) -> KubeTarget {
    KubeTarget {
        name: "test".into(),
        context: None,
        kubeconfig: Some(k.kubeconfig.clone()),
        namespaces: Vec::new(),
    }
}

async fn web(k: &TestCluster, replicas: i32) -> kube::Client {
    let c = client(&target(k)).await.unwrap();
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "app", "image": "demo:1"}]}}}
    }))
    .unwrap();
    Api::<Deployment>::default_namespaced(c.clone())
        .create(&PostParams::default(), &d)
        .await
        .unwrap();
    c
}

/// Waits for `check` to hold for the pod, up to 10 s.
async fn pod_until(c: &kube::Client, name: &str, check: impl Fn(&serde_json::Value) -> bool) {
    let pods: Api<Pod> = Api::default_namespaced(c.clone());
    for _ in 0..100 {
        if let Some(p) = pods.get_opt(name).await.unwrap() {
            if check(&serde_json::to_value(&p).unwrap()) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("pod {name} never got there");
}

async fn running_pods(c: &kube::Client, n: usize) -> Vec<PodLog> {
    for _ in 0..100 {
        let pods = logs::pods_named(c, "default", "web").await.unwrap();
        let pod_api: Api<Pod> = Api::default_namespaced(c.clone());
        let mut running = 0;
        for p in &pods {
            let pod = pod_api.get(&p.pod).await.unwrap();
            if pod.status.and_then(|s| s.phase).as_deref() == Some("Running") {
                running += 1;
            }
        }
        if pods.len() == n && running == n {
            return pods;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("web never had {n} running pods");
}

async fn all_lines(mut s: LogStream) -> Vec<LogLine> {
    let mut out = Vec::new();
    while let Some(line) = s.next().await {
        out.push(line.unwrap());
    }
    out
}

fn texts(lines: &[LogLine]) -> Vec<&str> {
    lines.iter().map(|l| l.text.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn history_merges_pods_by_time_and_follow_brings_new_lines_once() {
    let k = TestCluster::start(fast_config()).await;
    let c = web(&k, 2).await;
    let pods = running_pods(&c, 2).await;
    // Let each pod serve a few requests, one a second.
    tokio::time::sleep(Duration::from_millis(2500)).await;

    let history = LogRequest::default();
    let (labels, s) = logs::stream(c.clone(), pods.clone(), history)
        .await
        .unwrap();
    assert_eq!(
        labels,
        pods.iter().map(|p| p.pod.clone()).collect::<Vec<_>>()
    );
    let lines = all_lines(s).await;
    for p in &pods {
        let own: Vec<&LogLine> = lines.iter().filter(|l| l.instance == p.pod).collect();
        assert_eq!(
            own[0].text,
            "app starting image demo:1 (instance 0)",
            "{:?}",
            texts(&lines)
        );
        assert_eq!(own[1].text, "app listening on :8080");
        assert!(
            own.iter().any(|l| l.text == "app served request 2"),
            "{:?}",
            texts(&lines)
        );
    }
    assert!(
        lines.windows(2).all(|w| w[0].at_nanos <= w[1].at_nanos),
        "merged by time"
    );
    // The kubelet's stamps, parsed: a request line is a whole second after its pod's start.
    let first = lines
        .iter()
        .find(|l| l.text == "app served request 1")
        .unwrap();
    let start = lines
        .iter()
        .find(|l| l.instance == first.instance && l.text.contains("starting"))
        .unwrap();
    assert_eq!(first.at_nanos - start.at_nanos, 1_000_000_000);

    let tail = LogRequest {
        tail: Some(1),
        follow: true,
        previous: false,
    };
    let (_, mut s) = logs::stream(c.clone(), pods[..1].to_vec(), tail)
        .await
        .unwrap();
    let last = s.next().await.unwrap().unwrap();
    let n: u64 = last.text.rsplit(' ').next().unwrap().parse().unwrap();
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let line = tokio::time::timeout(Duration::from_secs(5), s.next())
            .await
            .expect("a followed line within 5 s")
            .unwrap()
            .unwrap();
        seen.push(line.text);
    }
    assert_eq!(
        seen,
        [
            format!("app served request {}", n + 1),
            format!("app served request {}", n + 2)
        ],
        "after {}",
        last.text
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn previous_shows_the_oomkilled_instance_after_a_restart_and_unknown_pods_are_named() {
    let k = TestCluster::start(fast_config()).await;
    let c = client(&target(&k)).await.unwrap();
    let pods: Api<Pod> = Api::default_namespaced(c.clone());
    let pod: Pod = serde_json::from_value(json!({
        "metadata": {"name": "worker"},
        "spec": {"containers": [{"name": "app", "image": "demo:oom"}]}
    }))
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    pod_until(&c, "worker", |p| {
        p["status"]["containerStatuses"][0]["lastState"]["terminated"]["reason"] == "OOMKilled"
    })
    .await;
    let worker = vec![PodLog::parse("default/worker").unwrap()];
    let read = |previous: bool| {
        let req = LogRequest {
            previous,
            ..LogRequest::default()
        };
        let (c, worker) = (c.clone(), worker.clone());
        async move { all_lines(logs::stream(c, worker, req).await.unwrap().1).await }
    };
    // Waiting in CrashLoopBackOff, the current log is the instance that crashed.
    let crashed = read(false).await;
    assert_eq!(
        crashed.last().unwrap().text,
        "fatal error: runtime: out of memory"
    );

    // A fixed image restarts the container in place; the OOMKilled run is now the previous one.
    let fix = json!({"spec": {"containers": [{"name": "app", "image": "demo:1"}]}});
    pods.patch("worker", &PatchParams::default(), &Patch::Strategic(&fix))
        .await
        .unwrap();
    pod_until(&c, "worker", |p| {
        p["status"]["containerStatuses"][0]["state"]["running"].is_object()
            && p["status"]["containerStatuses"][0]["image"] == "demo:1"
    })
    .await;
    let current = read(false).await;
    let previous = read(true).await;
    assert!(
        current[0]
            .text
            .starts_with("app starting image demo:1 (instance "),
        "{:?}",
        texts(&current)
    );
    assert!(!texts(&current).contains(&"fatal error: runtime: out of memory"));
    assert_eq!(
        previous.last().unwrap().text,
        "fatal error: runtime: out of memory",
        "{:?}",
        texts(&previous)
    );
    // Pod status times have whole seconds: the crash and the restart may share one.
    assert!(previous[0].at_nanos <= current[0].at_nanos);

    // A pod that never restarted has no previous instance: said in its place.
    let c2 = web(&k, 1).await;
    let fresh = running_pods(&c2, 1).await;
    let req = LogRequest {
        previous: true,
        ..LogRequest::default()
    };
    let (_, s) = logs::stream(c.clone(), fresh.clone(), req).await.unwrap();
    let note = all_lines(s).await;
    assert_eq!(note.len(), 1);
    assert!(
        note[0]
            .text
            .contains("previous terminated container \"app\""),
        "{:?}",
        note[0]
    );

    let nope = PodLog::parse("default/nope").unwrap();
    let e = logs::stream(c.clone(), vec![nope], LogRequest::default())
        .await
        .err()
        .unwrap();
    assert_eq!(e, "no pod nope in namespace default");
    let e = logs::pods_named(&c, "default", "nope").await.unwrap_err();
    assert_eq!(
        e,
        "no pod, Deployment, StatefulSet or DaemonSet named nope in namespace default"
    );
}

fn opsdeck(config: &std::path::Path, args: &[&str]) -> Output {
    let data = tempfile::tempdir().unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(args)
        .env("OPSDECK_CONFIG", config)
        .env("OPSDECK_DATA_DIR", data.path())
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn opsdeck_logs_reads_a_workloads_pods_and_a_pods_previous_instance() {
    let k = TestCluster::start(fast_config()).await;
    let c = web(&k, 2).await;
    let pods = running_pods(&c, 2).await;
    let config = k.path("opsdeck.toml");
    std::fs::write(
        &config,
        format!(
            "[[kubernetes]]\nname = \"test\"\nkubeconfig = \"{}\"\n",
            k.kubeconfig.display()
        ),
    )
    .unwrap();

    let out = tokio::task::spawn_blocking({
        let config = config.clone();
        move || opsdeck(&config, &["logs", "test/default/web", "--tail", "2", "-t"])
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), 4, "{stdout}");
    for p in &pods {
        assert!(stdout.contains(&format!("Z {} | app ", p.pod)), "{stdout}");
    }

    let one = &pods[0].pod;
    let out = tokio::task::spawn_blocking({
        let (config, addr) = (config.clone(), format!("test/default/{one}"));
        move || opsdeck(&config, &["logs", &addr, "--previous"])
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("previous terminated container \"app\""),
        "{stdout}{stderr}"
    );

    let out = tokio::task::spawn_blocking(move || opsdeck(&config, &["logs", "test/default/nope"]))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: no pod, Deployment, StatefulSet or DaemonSet named nope in namespace default"
    );
}
