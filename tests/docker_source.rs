//! The Docker source against real engines: the shared one for inventory,
//! stats, events and logs (with containers and Compose projects of its own),
//! and a private one it may kill and restart.

#[path = "support/images.rs"]
mod images;
#[path = "support/private_engine.rs"]
mod private_engine;

use images::*;
use opsdeck::connect::docker::{connect, Endpoint};
use opsdeck::model::{EngineEvent, Health, Inventory, WorkloadKind};
use opsdeck::source::docker::logs;
use opsdeck::source::docker::logs::LogSource;
use opsdeck::source::docker::DockerSource;
use opsdeck::source::logs::LogRequest;
use opsdeck::source::{supervise, Source, Update};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Hang guard for anything the engine has to do (start, turn healthy, crash).
const WITHIN: Duration = Duration::from_secs(90);
const TICK: Duration = Duration::from_millis(500);

fn binary() -> PathBuf {
    opsdeck_binary()
}

/// A Compose project started with the docker-compose CLI, taken down on drop.
struct ComposeProject {
    name: String,
    file: PathBuf,
    _dir: tempfile::TempDir,
}

impl ComposeProject {
    fn up(yaml: &str, scale: &[(&str, u32)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("compose.yml");
        std::fs::write(&file, yaml).unwrap();
        let project = ComposeProject {
            name: unique_name("source"),
            file,
            _dir: dir,
        };
        let mut args = vec!["up".to_string(), "-d".to_string()];
        for (service, n) in scale {
            args.push("--scale".into());
            args.push(format!("{service}={n}"));
        }
        project.compose(&args);
        project
    }

    fn compose(&self, args: &[String]) {
        let out = Command::new("docker-compose")
            .args(["-p", &self.name, "-f"])
            .arg(&self.file)
            .args(args)
            .output()
            .expect("docker-compose is required for this test");
        assert!(
            out.status.success(),
            "docker-compose {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for ComposeProject {
    fn drop(&mut self) {
        let _ = Command::new("docker-compose")
            .args(["-p", &self.name, "-f"])
            .arg(&self.file)
            .args(["down", "--volumes", "--timeout", "1"])
            .output();
    }
}

/// Polls the source until `check` accepts its inventory (and the events seen
/// so far); panics with the last inventory after the hang guard.
async fn poll_until<T>(
    source: &mut DockerSource,
    events: &mut Vec<EngineEvent>,
    what: &str,
    mut check: impl FnMut(&Inventory, &[EngineEvent]) -> Option<T>,
) -> T {
    let deadline = Instant::now() + WITHIN;
    let mut last = Inventory::default();
    loop {
        let updates = source.poll().await.expect("the local engine answers");
        for u in updates {
            match u {
                Update::Inventory { inventory, .. } => last = *inventory,
                Update::Events { events: e, .. } => events.extend(e),
                // Scrapes of labelled containers (tests/docker_discovery.rs).
                Update::Discovered { .. } | Update::Series { .. } | Update::Health { .. } => {}
                other => panic!("unexpected update {other:?}"),
            }
        }
        if let Some(found) = check(&last, events) {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "{what} not seen within {WITHIN:?}\nlast inventory: {last:#?}\nevents: {events:#?}"
        );
        tokio::time::sleep(TICK).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compose_services_and_plain_containers_become_workloads() {
    let image = build_demo_v1(&binary());
    let yaml = format!(
        "version: \"3.7\"\nservices:\n  api:\n    image: {image}\n    ports: [\"127.0.0.1::8080\"]\n    labels: {{ {TEST_LABEL}: \"1\" }}\n"
    );
    let project = ComposeProject::up(&yaml, &[("api", 2)]);
    let plain = DemoContainer::start(&image, "source", &[]);
    let mut source = DockerSource::new("local", Endpoint::from_env());
    let mut events = Vec::new();
    let api_addr = format!("local/{}/api", project.name);
    let plain_addr = format!("local/_/{}", plain.name);
    let (api, instances) = poll_until(
        &mut source,
        &mut events,
        "2 healthy api replicas",
        |inv, _| {
            let api = inv
                .workloads
                .iter()
                .find(|w| w.addr.to_string() == api_addr)?;
            (api.ready == 2).then(|| (api.clone(), inv.instances.clone()))
        },
    )
    .await;
    assert_eq!(api.kind, WorkloadKind::ComposeService);
    assert_eq!((api.running, api.desired), (2, None));
    assert_eq!(api.images, vec![image.clone()]);
    let replicas: Vec<_> = instances
        .iter()
        .filter(|i| i.workload.to_string() == api_addr)
        .collect();
    assert_eq!(replicas.len(), 2);
    for r in &replicas {
        assert!(r.name.starts_with(&project.name), "{r:?}");
        assert!(r.image_id.starts_with("sha256:"), "{r:?}");
        assert_eq!(r.ports.len(), 1, "{r:?}");
        assert!(
            r.ports[0].starts_with("127.0.0.1:") && r.ports[0].ends_with("->8080/tcp"),
            "{r:?}"
        );
        assert!(r.started_at.is_some() && r.created_at > 0, "{r:?}");
    }
    let plain_w = poll_until(&mut source, &mut events, "the plain container", |inv, _| {
        inv.workloads
            .iter()
            .find(|w| w.addr.to_string() == plain_addr && w.ready == 1)
            .cloned()
    })
    .await;
    assert_eq!(plain_w.kind, WorkloadKind::Container);
    let published = plain.published(DEMO_PORT);
    let inv = poll_until(&mut source, &mut events, "inventory", |inv, _| {
        Some(inv.clone())
    })
    .await;
    let plain_i = inv.instances.iter().find(|i| i.name == plain.name).unwrap();
    assert_eq!(plain_i.ports, vec![format!("{published}->8080/tcp")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burning_container_shows_far_more_cpu_than_an_idle_one() {
    let image = build_demo_v1(&binary());
    let burning = DemoContainer::start(&image, "source", &[("DEMO_BURN_CPU", "1")]);
    let idle = DemoContainer::start_with(&image, "source", &["--memory", "256m"], &[]);
    let mut source = DockerSource::new("local", Endpoint::from_env());
    let mut events = Vec::new();
    let (hot, cold) = poll_until(&mut source, &mut events, "CPU of both", |inv, _| {
        let usage = |name: &str| {
            inv.instances
                .iter()
                .find(|i| i.name == name)
                .and_then(|i| i.usage)
        };
        let (hot, cold) = (usage(&burning.name)?, usage(&idle.name)?);
        // One busy thread is most of a core; an idle server next to nothing.
        (hot.cpu_percent > 30.0 && cold.cpu_percent < hot.cpu_percent / 3.0).then_some((hot, cold))
    })
    .await;
    assert!(hot.mem_bytes > 0 && cold.mem_bytes > 0, "{hot:?} {cold:?}");
    // No limit reads 0 (not the host's memory, which the engine reports then).
    assert_eq!(hot.mem_limit_bytes, 0, "{hot:?}");
    assert_eq!(cold.mem_limit_bytes, 256 << 20, "{cold:?}");
    // The workload sums its one instance.
    let w = poll_until(&mut source, &mut events, "workload CPU", |inv, _| {
        inv.workloads
            .iter()
            .find(|w| w.addr.name == burning.name)
            .filter(|w| w.usage.cpu_percent > 30.0)
            .cloned()
    })
    .await;
    assert_eq!(w.kind, WorkloadKind::Container);

    // Restarted: learnt from its events, and its stats flow again from a new stream.
    let before = poll_until(&mut source, &mut events, "idle start time", |inv, _| {
        inv.instances
            .iter()
            .find(|i| i.name == idle.name)
            .and_then(|i| i.started_at)
    })
    .await;
    docker(&["restart", "--time", "1", &idle.name]);
    poll_until(
        &mut source,
        &mut events,
        "stats after the restart",
        |inv, _| {
            let i = inv.instances.iter().find(|i| i.name == idle.name)?;
            let restarted = i.started_at? > before || i.restart_count > 0;
            (restarted && i.is_running() && i.usage.is_some_and(|u| u.mem_bytes > 0)).then_some(())
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_and_die_arrive_as_events_with_the_exit_code() {
    let image = build_demo_v1(&binary());
    let mut source = DockerSource::new("local", Endpoint::from_env());
    let mut events = Vec::new();
    // Connected (and subscribed) before the container exists.
    source.poll().await.expect("the local engine answers");
    let crash = DemoContainer::start(&image, "source", &[("DEMO_FAULT_CRASH_AFTER", "2")]);
    let name = crash.name.clone();
    let inv = poll_until(&mut source, &mut events, "start and die", |inv, ev| {
        let mine: Vec<_> = ev.iter().filter(|e| e.instance == name).collect();
        let started = mine.iter().any(|e| e.action == "start");
        let died = mine.iter().any(|e| e.action == "die" && e.detail == "1");
        (started && died).then(|| inv.clone())
    })
    .await;
    let die = events
        .iter()
        .find(|e| e.instance == name && e.action == "die")
        .unwrap();
    assert_eq!(
        die.workload.as_ref().unwrap().to_string(),
        format!("local/_/{name}")
    );
    assert!(die.at_nanos > 1_700_000_000_000_000_000, "{die:?}");
    // The die event made the source inspect it again: exited, code 1.
    let i = inv.instances.iter().find(|i| i.name == name).unwrap();
    assert_eq!(
        (i.state.as_str(), i.exit_code),
        ("exited", Some(1)),
        "{i:?}"
    );
    assert_eq!(i.usage, None);
    // Removed: the destroy event takes it out of the inventory.
    drop(crash);
    poll_until(&mut source, &mut events, "the container gone", |inv, _| {
        (!inv.instances.iter().any(|i| i.name == name)).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_logs_continues_the_history_without_repeating_it() {
    let image = build_demo_v1(&binary());
    let crash = DemoContainer::start(&image, "source", &[("DEMO_FAULT_CRASH_AFTER", "4")]);
    let docker = connect(&Endpoint::from_env()).await.unwrap();
    // Wait for the first line, so it is history when the stream starts.
    poll(WITHIN, || crash.logs().contains("listening").then_some(()))
        .unwrap_or_else(|| panic!("no start line: {}", crash.logs()));
    let mut stream = logs::stream(
        docker,
        vec![LogSource {
            id: crash.inspect("{{.Id}}"),
            name: crash.name.clone(),
        }],
        LogRequest {
            tail: Some(10),
            follow: true,
            previous: false,
        },
    );
    let mut lines = Vec::new();
    // Following ends when the container exits.
    while let Some(l) = tokio::time::timeout(WITHIN, stream.next())
        .await
        .expect("the container exits and the stream ends")
    {
        lines.push(l.expect("a log line"));
    }
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts.iter().filter(|t| t.contains("listening")).count(),
        1,
        "{texts:#?}"
    );
    assert!(
        texts.last().unwrap().contains("crash fault fired"),
        "{texts:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_of_a_container_come_with_times_and_stderr_marked() {
    let image = build_demo_v1(&binary());
    let crash = DemoContainer::start(&image, "source", &[("DEMO_FAULT_CRASH_AFTER", "1")]);
    crash.wait_for_exit(WITHIN);
    let docker = connect(&Endpoint::from_env()).await.unwrap();
    let id = crash.inspect("{{.Id}}");
    let mut stream = logs::stream(
        docker,
        vec![LogSource {
            id,
            name: crash.name.clone(),
        }],
        LogRequest {
            tail: None,
            follow: false,
            previous: false,
        },
    );
    let mut lines = Vec::new();
    while let Some(l) = tokio::time::timeout(WITHIN, stream.next())
        .await
        .expect("logs end")
    {
        lines.push(l.expect("a log line"));
    }
    let fired = lines
        .iter()
        .find(|l| l.text.contains("crash fault fired"))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(fired.stderr);
    assert!(fired.at_nanos > 1_700_000_000_000_000_000);
    assert!(lines.windows(2).all(|w| w[0].at_nanos <= w[1].at_nanos));
}

async fn next_health(rx: &mut mpsc::Receiver<Update>, what: &str) -> Health {
    let deadline = tokio::time::Instant::now() + WITHIN;
    loop {
        let u = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no health change ({what}) within {WITHIN:?}"))
            .expect("the supervisor runs");
        if let Update::Health { health, .. } = u {
            return health;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_restart_degrades_the_target_then_it_recovers() {
    let mut engine = tokio::task::block_in_place(private_engine::PrivateEngine::start);
    let endpoint = Endpoint {
        host: engine.host(),
        tls: None,
        ssh_config: None,
    };
    let (tx, mut rx) = mpsc::channel(256);
    let supervisor = tokio::spawn(supervise(
        DockerSource::new("private", endpoint),
        Duration::from_millis(300),
        Duration::from_secs(5),
        tx,
    ));
    assert_eq!(
        next_health(&mut rx, "first contact").await,
        Health::Ok,
        "{}",
        engine.log()
    );

    tokio::task::block_in_place(|| engine.kill());
    match next_health(&mut rx, "engine killed").await {
        Health::Degraded { reason, .. } => assert!(!reason.is_empty()),
        other => panic!("expected degraded, got {other:?}"),
    }

    tokio::task::block_in_place(|| engine.start_again());
    ok_again(&mut rx, "engine back").await;

    // Hung rather than gone: the poll times out, and the source starts over after.
    engine.freeze();
    match next_health(&mut rx, "engine frozen").await {
        Health::Degraded { reason, .. } => assert!(reason.contains("no answer"), "{reason}"),
        other => panic!("expected degraded, got {other:?}"),
    }
    engine.thaw();
    ok_again(&mut rx, "engine thawed").await;
    supervisor.abort();
}

/// Retries while an engine is down may report new reasons; then it is Ok.
async fn ok_again(rx: &mut mpsc::Receiver<Update>, what: &str) {
    loop {
        match next_health(rx, what).await {
            Health::Ok => return,
            Health::Degraded { .. } => continue,
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swarm_manager_reports_services_with_their_desired_replicas() {
    let image = build_demo_v1(&binary());
    let engine = tokio::task::block_in_place(private_engine::PrivateEngine::start);
    let stack = unique_name("source");
    let service = format!("{stack}_api");
    tokio::task::block_in_place(|| {
        engine.load_image(&image);
        // The private engine has its own network namespace: loopback is all there is.
        engine.cli(&[
            "swarm",
            "init",
            "--advertise-addr",
            "127.0.0.1",
            "--listen-addr",
            "127.0.0.1:2377",
        ]);
        // Labelled as `docker stack deploy` labels a stack's service and containers.
        let label = format!("com.docker.stack.namespace={stack}");
        engine.cli(&[
            "service",
            "create",
            "--detach",
            "--replicas",
            "2",
            "--name",
            &service,
            "--label",
            &label,
            "--container-label",
            &label,
            "--no-resolve-image",
            &image,
        ]);
    });
    let mut source = DockerSource::new(
        "private",
        Endpoint {
            host: engine.host(),
            tls: None,
            ssh_config: None,
        },
    );
    let mut events = Vec::new();
    let addr = format!("private/{stack}/{service}");
    let w = poll_until(
        &mut source,
        &mut events,
        "2 of 2 swarm replicas ready",
        |inv, _| {
            inv.workloads
                .iter()
                .find(|w| w.addr.to_string() == addr && w.ready == 2)
                .cloned()
        },
    )
    .await;
    assert_eq!(w.kind, WorkloadKind::SwarmService);
    assert_eq!(w.desired, Some(2));
    // Each replica once: its container here, not again as a task.
    assert_eq!(w.running, 2, "{w:?}");
    // Scaled down by the manager: the desired count follows, the tasks go.
    tokio::task::block_in_place(|| {
        engine.cli(&["service", "scale", "--detach", &format!("{service}=1")])
    });
    poll_until(&mut source, &mut events, "1 of 1", |inv, _| {
        inv.workloads
            .iter()
            .find(|w| w.addr.to_string() == addr && w.desired == Some(1) && w.running == 1)
            .cloned()
    })
    .await;
}

/// The real binary with an empty config: the local engine is the target `local`.
fn opsdeck_cli(args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    Command::new(binary())
        .args(args)
        .env("OPSDECK_CONFIG", &config)
        .env("OPSDECK_DATA_DIR", dir.path())
        .output()
        .expect("the opsdeck binary runs")
}

#[test]
fn workloads_and_logs_commands_read_the_local_engine() {
    let image = build_demo_v1(&binary());
    let c = DemoContainer::start(&image, "source", &[]);
    c.wait_for_health("healthy", WITHIN);

    let out = opsdeck_cli(&["workloads", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let local = &v["targets"][0];
    assert_eq!(
        (local["name"].as_str(), local["kind"].as_str()),
        (Some("local"), Some("docker"))
    );
    let addr = format!("local/_/{}", c.name);
    let w = v["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["addr"] == addr.as_str())
        .unwrap_or_else(|| panic!("{addr} in {v:#}"));
    assert_eq!(w["kind"], "container");
    assert_eq!(
        (w["running"].as_u64(), w["ready"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(w["images"][0], image.as_str());
    assert!(w["usage"]["mem_bytes"].as_u64().unwrap() > 0, "{w:#}");
    assert!(w["usage"]["cpu_percent"].as_f64().is_some());

    let out = opsdeck_cli(&["logs", &format!("local/{}", c.name), "--tail", "5"]);
    assert!(out.status.success(), "{out:?}");
    // The demo service writes to stderr, and so does `opsdeck logs` with it.
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("listening on"),
        "{out:?}"
    );

    let out = opsdeck_cli(&["logs", "local/opsdeck-test-source-nothing-here"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing named"),
        "{out:?}"
    );
}
