//! The Swarm verbs against a real swarm, driving the real binary: a private
//! dockerd (its own network namespace, so the shared engine never becomes a
//! swarm manager) is made one, runs a replicated service of the FROM-scratch
//! demo image, and `opsdeck scale`, `restart`, `deploy` and `rollback` change
//! it as `docker service` would, each with intent and outcome in the audit log;
//! a deploy waits for the swarm's verdict, and a failed one is rolled back.

#[path = "support/images.rs"]
mod images;
#[path = "support/run_bin.rs"]
mod run_bin;

#[path = "support/private_engine.rs"]
mod private_engine;

#[path = "support/actions.rs"]
mod actions;

use actions::{opsdeck, text, Tags};
use images::*;
use private_engine::PrivateEngine;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

/// Hang guard for anything the swarm has to do (start tasks, roll an update).
const WITHIN: Duration = Duration::from_secs(90);
const TICK: Duration = Duration::from_millis(500);

/// The private engine as the Docker target `priv`, with a data dir of its own.
struct Swarm {
    engine: PrivateEngine,
    _dir: tempfile::TempDir,
    config: PathBuf,
    data: PathBuf,
}

impl Swarm {
    fn start(images: &[&str]) -> Self {
        let engine = PrivateEngine::start();
        for image in images {
            engine.load_image(image);
        }
        // The private engine has its own network namespace: loopback is all there is.
        engine.cli(&[
            "swarm",
            "init",
            "--advertise-addr",
            "127.0.0.1",
            "--listen-addr",
            "127.0.0.1:2377",
        ]);
        let dir = tempfile::Builder::new()
            .prefix("opsdeck-test-swarm-")
            .tempdir()
            .unwrap();
        let config = dir.path().join("opsdeck.toml");
        std::fs::write(
            &config,
            format!(
                "[[docker]]\nname = \"priv\"\nhost = \"{}\"\n",
                engine.host()
            ),
        )
        .unwrap();
        let data = dir.path().join("data");
        Swarm {
            engine,
            _dir: dir,
            config,
            data,
        }
    }

    /// A replicated service of `image`; `stack` labels it (and its tasks'
    /// containers) as `docker stack deploy` does.
    fn create_service(&self, name: &str, stack: Option<&str>, image: &str) {
        let mut args = vec![
            "service".to_owned(),
            "create".into(),
            "--detach".into(),
            "--replicas".into(),
            "1".into(),
            "--name".into(),
            name.into(),
            // Nothing can be pulled: the tag is used as given.
            "--no-resolve-image".into(),
        ];
        if let Some(stack) = stack {
            let label = format!("com.docker.stack.namespace={stack}");
            args.extend(["--label".into(), label.clone()]);
            args.extend(["--container-label".into(), label]);
        }
        args.push(image.into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.engine.cli(&args);
    }

    fn opsdeck(&self, args: &[&str]) -> Output {
        opsdeck(&self.config, &self.data, args)
    }

    fn inspect(&self, service: &str, format: &str) -> String {
        self.engine
            .cli(&["service", "inspect", "--format", format, service])
    }

    fn replicas(&self, service: &str) -> String {
        self.inspect(service, "{{.Spec.Mode.Replicated.Replicas}}")
    }

    fn version(&self, service: &str) -> String {
        self.inspect(service, "{{.Version.Index}}")
    }

    fn image(&self, service: &str) -> String {
        self.inspect(service, "{{.Spec.TaskTemplate.ContainerSpec.Image}}")
    }

    /// The tasks the manager wants running: (task id, image, running now).
    fn tasks(&self, service: &str) -> Vec<Task> {
        self.engine
            .cli(&[
                "service",
                "ps",
                "--no-trunc",
                "--filter",
                "desired-state=running",
                "--format",
                "{{.ID}}|{{.Image}}|{{.CurrentState}}",
                service,
            ])
            .lines()
            .filter_map(|l| {
                let mut f = l.split('|');
                Some(Task {
                    id: f.next()?.to_owned(),
                    image: f.next()?.to_owned(),
                    running: f.next()?.starts_with("Running"),
                })
            })
            .collect()
    }

    /// Waits until exactly `n` tasks run, all on `image`, and no other is wanted.
    fn wait_running(&self, service: &str, n: usize, image: &str, what: &str) -> Vec<Task> {
        self.wait(what, || {
            let tasks = self.tasks(service);
            let settled = tasks.len() == n && tasks.iter().all(|t| t.running && t.image == image);
            settled.then_some(tasks.clone()).ok_or(tasks)
        })
    }

    /// Polls `probe` until it is `Ok`; after `WITHIN` fails with its last answer.
    fn wait<T, E: std::fmt::Debug>(
        &self,
        what: &str,
        mut probe: impl FnMut() -> Result<T, E>,
    ) -> T {
        let deadline = Instant::now() + WITHIN;
        loop {
            match probe() {
                Ok(v) => return v,
                Err(last) if Instant::now() > deadline => panic!(
                    "{what}: not within {WITHIN:?}; last seen {last:?}\nservices:\n{}",
                    self.engine.cli(&["service", "ls"])
                ),
                Err(_) => std::thread::sleep(TICK),
            }
        }
    }

    fn audit(&self) -> Vec<serde_json::Value> {
        read_audit(&self.data)
    }
}

#[derive(Debug, Clone)]
struct Task {
    id: String,
    image: String,
    running: bool,
}

fn read_audit(data: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(data.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("audit line {l:?}: {e}")))
        .collect()
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", text(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// v1 and v2 of the demo service under this test's own tags.
fn demo_images() -> (Tags, String, String) {
    let bin = opsdeck_binary();
    let repo = unique_name("swarm");
    let v1 = build_demo_image(&bin, &format!("{repo}:v1"), "1.0.0", &[]);
    let v2 = build_demo_image(&bin, &format!("{repo}:v2"), "2.0.0", &[]);
    (Tags(vec![v1.clone(), v2.clone()]), v1, v2)
}

#[test]
fn scale_restart_deploy_and_rollback_a_swarm_service() {
    let (_tags, v1, v2) = demo_images();
    let broken = build_demo_image(
        &opsdeck_binary(),
        &v2.replace(":v2", ":v2-broken"),
        "2.0.0",
        &[("DEMO_FAULT_UNHEALTHY", "1")],
    );
    let _broken_tag = Tags(vec![broken.clone()]);
    let swarm = Swarm::start(&[&v1, &v2, &broken]);
    let stack = unique_name("swarm");
    let service = format!("{stack}_api");
    swarm.create_service(&service, Some(&stack), &v1);
    swarm.wait_running(&service, 1, &v1, "the service's first task");
    // As `docker stack deploy` names it: stack, then the service within it.
    let w = format!("priv/{stack}/api");

    let before = swarm.version(&service);
    let dry = ok(&swarm.opsdeck(&["scale", &w, "2", "--dry-run"]));
    assert!(dry.contains("replicas 1 → 2"), "{dry}");
    assert_eq!(
        swarm.version(&service),
        before,
        "a dry run updated the service"
    );
    assert_eq!(swarm.replicas(&service), "1");
    assert!(swarm.audit().is_empty(), "a dry run was audited as run");

    ok(&swarm.opsdeck(&["scale", &w, "2", "--yes"]));
    assert_eq!(swarm.replicas(&service), "2");
    let scaled = swarm.wait_running(&service, 2, &v1, "2 tasks after scale");

    let force = |s: &Swarm| s.inspect(&service, "{{.Spec.TaskTemplate.ForceUpdate}}");
    let force_before: u64 = force(&swarm).parse().unwrap();
    ok(&swarm.opsdeck(&["restart", &w, "--yes"]));
    assert_eq!(force(&swarm), (force_before + 1).to_string());
    swarm.wait("every task replaced by restart", || {
        let tasks = swarm.tasks(&service);
        let fresh = tasks.len() == 2
            && tasks
                .iter()
                .all(|t| t.running && t.image == v1 && scaled.iter().all(|s| s.id != t.id));
        fresh.then_some(()).ok_or(tasks)
    });

    // The swarm's verdict on the rollout is awaited, not just the request.
    let deployed = ok(&swarm.opsdeck(&["deploy", &w, &v2, "--yes"]));
    assert!(deployed.contains("rolled out"), "{deployed}");
    assert_eq!(swarm.image(&service), v2);
    swarm.wait_running(&service, 2, &v2, "2 tasks on v2 after deploy");

    // A swarm keeps one previous spec; a revision number means nothing to it.
    let to = swarm.opsdeck(&["rollback", &w, "--to", "1", "--yes"]);
    assert_eq!(to.status.code(), Some(2), "{}", text(&to));
    assert!(text(&to).contains("drop --to"), "{}", text(&to));
    assert_eq!(swarm.image(&service), v2);

    ok(&swarm.opsdeck(&["rollback", &w, "--yes"]));
    swarm.wait("the spec back on v1", || {
        let image = swarm.image(&service);
        (image == v1).then_some(()).ok_or(image)
    });
    swarm.wait_running(&service, 2, &v1, "2 tasks on v1 after rollback");

    let audit = swarm.audit();
    for verb in ["scale", "restart", "deploy", "rollback"] {
        for phase in ["intent", "outcome"] {
            let found = audit.iter().filter(|r| {
                r["verb"] == verb && r["phase"] == phase && r["workload"] == w.as_str()
            });
            assert_eq!(found.count(), 1, "{verb} {phase} in {audit:#?}");
        }
        let outcome = audit
            .iter()
            .find(|r| r["verb"] == verb && r["phase"] == "outcome")
            .unwrap();
        assert_eq!(outcome["ok"], true, "{outcome:#}");
    }

    // A release whose health check fails: the swarm rolls it back by itself.
    let failed = swarm.opsdeck(&["deploy", &w, &broken, "--yes"]);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed));
    assert_eq!(swarm.image(&service), v1);
    swarm.wait_running(&service, 2, &v1, "2 tasks on v1 after the failed deploy");
    let last = swarm.audit().pop().unwrap();
    assert_eq!(last["verb"], "deploy");
    assert_eq!(last["ok"], false, "{last:#}");
    assert_eq!(last["rolled_back"], true, "{last:#}");
}

/// A service outside any stack is listed as `priv/_/NAME`; that address acts on it.
#[test]
fn a_service_outside_a_stack_scales_by_its_listed_address() {
    let (_tags, v1, _) = demo_images();
    let swarm = Swarm::start(&[&v1]);
    let service = unique_name("swarm");
    swarm.create_service(&service, None, &v1);
    swarm.wait_running(&service, 1, &v1, "the service's first task");
    let w = format!("priv/_/{service}");

    ok(&swarm.opsdeck(&["scale", &w, "2", "--yes"]));
    assert_eq!(swarm.replicas(&service), "2");
    swarm.wait_running(&service, 2, &v1, "2 tasks after scale");
}
