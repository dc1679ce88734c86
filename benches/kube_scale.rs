//! A Kubernetes cluster of 10,000 pods in 200 Deployments, as opsdeck sees it:
//! time to the first complete view, render time of the workloads and pods
//! views, one steady-state poll, and this process's memory.
//!
//! The test API server runs in its own process (the release example), so the
//! memory figures are opsdeck's alone:
//! `cargo build --release --example kube-test-server && cargo bench --bench kube_scale`
//! (KBENCH_DEPLOYMENTS, KBENCH_REPLICAS, KBENCH_RUNS, KBENCH_STEADY_SECS change the defaults.)

#[path = "support/proc_stats.rs"]
mod proc_stats;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams, PostParams};
use opsdeck::config::theme::Theme;
use opsdeck::connect::kube::{client, KubeTarget};
use opsdeck::console::Model;
use opsdeck::model::{Inventory, TargetKind};
use opsdeck::source::kube::convert;
use opsdeck::source::kube::convert::{Metrics, Objects, Owners};
use opsdeck::source::kube::pod_record::PodRecord;
use opsdeck::source::kube::KubeSource;
use opsdeck::source::{Source, Update};
use opsdeck::ui::render::draw;
use opsdeck::ui::state::{UiState, View};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::json;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TARGET: &str = "bench";
const NAMESPACES: usize = 10;
/// The console's default refresh, which the steady polling follows.
const REFRESH: Duration = Duration::from_secs(2);

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The test API server in its own process; killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start() -> Self {
        let bin = std::env::var_os("KUBE_TEST_SERVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("target/release/examples/kube-test-server")
            });
        assert!(
            bin.is_file(),
            "{} is missing: build it first with `cargo build --release --example kube-test-server`",
            bin.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let addr = format!("127.0.0.1:{port}");
        let mut child = Command::new(&bin)
            .args(["--listen", &addr])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(&addr).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the test API server exited: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "the test API server never listened on {addr}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Server { child, addr }
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn deployment(name: &str, replicas: usize) -> Deployment {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name, "tier": "backend"}},
                              "spec": {"containers": [{"name": "app", "image": format!("shop/{name}:1.4.2"),
                                "ports": [{"containerPort": 8080}],
                                "resources": {"requests": {"cpu": "100m", "memory": "64Mi"},
                                              "limits": {"cpu": "500m", "memory": "128Mi"}}}]}}}
    }))
    .expect("a valid Deployment")
}

/// Creates the namespaces and Deployments through the API and waits until
/// every replica is ready; returns how long the test server took.
async fn seed(kube: &kube::Client, deployments: usize, replicas: usize) -> Duration {
    let t0 = Instant::now();
    let nss: Api<Namespace> = Api::all(kube.clone());
    for n in 0..NAMESPACES {
        let ns = serde_json::from_value(json!({"metadata": {"name": format!("team-{n:02}")}}))
            .expect("a valid Namespace");
        nss.create(&PostParams::default(), &ns)
            .await
            .expect("create a namespace");
    }
    futures::stream::iter(0..deployments)
        .map(|i| {
            let api: Api<Deployment> =
                Api::namespaced(kube.clone(), &format!("team-{:02}", i % NAMESPACES));
            async move {
                api.create(
                    &PostParams::default(),
                    &deployment(&format!("svc-{i:03}"), replicas),
                )
                .await
                .expect("create a Deployment");
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<()>>()
        .await;
    eprintln!(
        "created {deployments} Deployments in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    let all: Api<Deployment> = Api::all(kube.clone());
    let want = deployments * replicas;
    let mut last_report = Instant::now();
    loop {
        let list = all
            .list(&ListParams::default())
            .await
            .expect("list Deployments");
        let ready: usize = list
            .items
            .iter()
            .map(|d| {
                d.status
                    .as_ref()
                    .and_then(|s| s.ready_replicas)
                    .unwrap_or(0) as usize
            })
            .sum();
        if ready == want && list.items.len() == deployments {
            return t0.elapsed();
        }
        if last_report.elapsed() > Duration::from_secs(15) {
            eprintln!(
                "  {:>4.0} s: {ready} of {want} pods ready",
                t0.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(1800),
            "the cluster never settled"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn new_model() -> Model {
    let mut model = Model::new(REFRESH, false);
    model.add_target(TARGET, TargetKind::Kubernetes);
    model
}

/// Applies a poll's updates to the model; returns the inventory's (workloads, pods).
fn apply(model: &mut Model, updates: Vec<Update>) -> Option<(usize, usize)> {
    let mut counts = None;
    for u in updates {
        if let Update::Inventory { inventory, .. } = &u {
            counts = Some((inventory.workloads.len(), inventory.instances.len()));
        }
        model.apply_update(u);
    }
    counts
}

/// From a fresh source to a model holding every workload and pod.
async fn first_complete_view(
    target: &KubeTarget,
    want: (usize, usize),
) -> (Duration, KubeSource, Model) {
    let t0 = Instant::now();
    let mut source = KubeSource::new(target.clone());
    let mut model = new_model();
    loop {
        match source.poll().await {
            Ok(updates) => {
                if apply(&mut model, updates) == Some(want) {
                    return (t0.elapsed(), source, model);
                }
            }
            Err(e) => eprintln!(
                "  poll failed after {:.1} s: {e}",
                t0.elapsed().as_secs_f64()
            ),
        }
        assert!(
            t0.elapsed() < Duration::from_secs(300),
            "no complete view in 300 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

struct Mem {
    rss: u64,
    peak: u64,
}

fn mem() -> Mem {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    Mem {
        rss: field("VmRSS:"),
        peak: field("VmHWM:"),
    }
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Median and max of some durations.
fn median_max(mut d: Vec<Duration>) -> (Duration, Duration) {
    d.sort();
    (d[d.len() / 2], d[d.len() - 1])
}

fn screen_text(buf: &Buffer) -> String {
    buf.content().iter().map(|c| c.symbol()).collect()
}

/// Draws `view` `frames` times; returns mean and p99 per frame.
fn render(model: &Model, view: View, (w, h): (u16, u16), frames: usize) -> (Duration, Duration) {
    let mut ui = UiState::new(Theme::default());
    ui.view = view;
    ui.screen_width = w;
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    draw(area, &mut buf, model, &ui);
    // Timing an empty table would say nothing: the first workload must be on screen.
    let text = screen_text(&buf);
    assert!(
        text.contains("svc-000"),
        "{view:?} {w}x{h} shows no workload:\n{text}"
    );
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames {
        let t = Instant::now();
        buf.reset();
        draw(area, &mut buf, black_box(model), &ui);
        times.push(t.elapsed());
    }
    let mean = times.iter().sum::<Duration>() / frames as u32;
    times.sort();
    (mean, times[(frames * 99).div_ceil(100) - 1])
}

/// The conversion alone, on objects listed once: what every poll does besides
/// reading the stores and asking metrics.k8s.io.
async fn conversion(kube: &kube::Client, repeat: usize) -> (Duration, Duration) {
    let objects = Objects {
        deployments: list_all::<Deployment>(kube).await,
        replicasets: list_all(kube).await,
        pods: list_all::<PodRecord>(kube).await,
        nodes: list_all(kube).await,
        ..Objects::default()
    };
    let metrics = Metrics::default();
    let times = (0..repeat)
        .map(|_| {
            let t = Instant::now();
            let owners = Owners::new(TARGET, &objects.replicasets, &objects.pods);
            let inv: Inventory = convert::inventory(TARGET, &objects, &metrics, &owners);
            black_box(inv);
            t.elapsed()
        })
        .collect();
    median_max(times)
}

async fn list_all<K>(kube: &kube::Client) -> Vec<Arc<K>>
where
    K: kube::Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    Api::<K>::all(kube.clone())
        .list(&ListParams::default())
        .await
        .expect("list")
        .items
        .into_iter()
        .map(Arc::new)
        .collect()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let deployments = env_or("KBENCH_DEPLOYMENTS", 200);
    let replicas = env_or("KBENCH_REPLICAS", 50);
    let runs = env_or("KBENCH_RUNS", 5).max(1);
    let steady_secs = env_or("KBENCH_STEADY_SECS", 30) as u64;
    let want = (deployments, deployments * replicas);

    let server = Server::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: bench\n  cluster:\n    server: http://{}\n\
             contexts:\n- name: bench\n  context:\n    cluster: bench\n    namespace: default\n\
             current-context: bench\nusers: []\n",
            server.addr
        ),
    )
    .expect("write kubeconfig");
    let target = KubeTarget {
        name: TARGET.into(),
        context: None,
        kubeconfig: Some(kubeconfig),
        namespaces: Vec::new(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let _guard = rt.enter();

    let kube = rt.block_on(client(&target)).expect("kube client");
    let seeded = rt.block_on(seed(&kube, deployments, replicas));
    println!(
        "cluster: {deployments} Deployments x {replicas} replicas = {} pods, all ready {:.1} s after the first create (test server RSS {:.1} MB)",
        want.1,
        seeded.as_secs_f64(),
        mb(proc_stats::rss_bytes(&server.pid()))
    );
    let before = mem();
    println!(
        "bench process before the first poll: RSS {:.1} MB",
        mb(before.rss)
    );

    // One console's life: the first complete view, then polling at the default refresh.
    let (first, mut source, mut model) = rt.block_on(first_complete_view(&target, want));
    let after_first = mem();
    let mut polls = Vec::new();
    let mut applies = Vec::new();
    rt.block_on(async {
        let end = Instant::now() + Duration::from_secs(steady_secs);
        while Instant::now() < end {
            tokio::time::sleep(REFRESH).await;
            let t = Instant::now();
            let updates = source.poll().await.expect("steady poll");
            polls.push(t.elapsed());
            let t = Instant::now();
            let counts = apply(&mut model, updates);
            applies.push(t.elapsed());
            assert_eq!(counts, Some(want), "the steady inventory lost objects");
        }
    });
    let after_steady = mem();
    println!(
        "memory: RSS {:.1} MB (peak {:.1} MB) after the first complete view; {:.1} MB (peak {:.1} MB) after {steady_secs} s of polling every {} s",
        mb(after_first.rss),
        mb(after_first.peak),
        mb(after_steady.rss),
        mb(after_steady.peak),
        REFRESH.as_secs()
    );
    let (poll_med, poll_max) = median_max(polls.clone());
    let (apply_med, apply_max) = median_max(applies);
    println!(
        "steady poll ({} polls): median {:.1} ms, max {:.1} ms; Model::apply median {:.2} ms, max {:.2} ms",
        polls.len(),
        ms(poll_med),
        ms(poll_max),
        ms(apply_med),
        ms(apply_max)
    );
    let (conv_med, conv_max) = rt.block_on(conversion(&kube, 20));
    println!(
        "conversion alone (Owners::new + convert::inventory, 20 times): median {:.1} ms, max {:.1} ms",
        ms(conv_med),
        ms(conv_max)
    );

    let mut firsts = vec![first];
    drop(source);
    for _ in 1..runs {
        let (t, source, fresh) = rt.block_on(first_complete_view(&target, want));
        firsts.push(t);
        drop(source);
        drop(fresh);
    }
    let all: Vec<String> = firsts
        .iter()
        .map(|d| format!("{:.2}", d.as_secs_f64()))
        .collect();
    let (med, max) = median_max(firsts);
    println!(
        "time to the first complete view ({runs} fresh sources): median {:.2} s, max {:.2} s ({} s)",
        med.as_secs_f64(),
        max.as_secs_f64(),
        all.join(", ")
    );

    let frames = 300;
    for view in [View::Workloads, View::Containers] {
        for size in [(160, 48), (80, 24)] {
            let (mean, p99) = render(&model, view, size, frames);
            println!(
                "draw {view:?} {}x{} ({frames} frames): mean {:.3} ms, p99 {:.3} ms",
                size.0,
                size.1,
                ms(mean),
                ms(p99)
            );
        }
    }
    drop(server);
}
