//! Containers of the demo images: started with a published loopback
//! port, inspected through the docker CLI, removed when dropped.

use std::io;
use std::time::{Duration, Instant};

use opsdeck::demo::client;
use opsdeck::demo::client::HttpResponse;

use super::{docker, docker_output, poll, unique_name, DEMO_PORT, TEST_LABEL};

/// Per-request limit for the blocking HTTP helpers.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(5);

/// A running container, force-removed (with its volumes) on drop.
#[derive(Debug)]
pub struct DemoContainer {
    pub name: String,
    /// `http://127.0.0.1:PORT` of the published demo port, if published.
    pub base_url: Option<String>,
}

impl DemoContainer {
    /// Runs `image` detached with the demo port published on a free
    /// loopback port and `env` added.
    pub fn start(image: &str, prefix: &str, env: &[(&str, &str)]) -> Self {
        let env_args: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut args = vec!["--publish".to_owned(), format!("127.0.0.1::{DEMO_PORT}")];
        for e in env_args {
            args.push("--env".to_owned());
            args.push(e);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut container = Self::start_with(image, prefix, &args, &[]);
        container.base_url = Some(format!("http://{}", container.published(DEMO_PORT)));
        container
    }

    /// Runs `image` detached with extra `docker run` options and command
    /// arguments (appended to the image's ENTRYPOINT).
    pub fn start_with(image: &str, prefix: &str, run_options: &[&str], command: &[&str]) -> Self {
        let name = unique_name(prefix);
        let label = format!("{TEST_LABEL}=1");
        let mut args = vec!["run", "--detach", "--name", &name, "--label", &label];
        args.extend_from_slice(run_options);
        args.push(image);
        args.extend_from_slice(command);
        // Constructed before running, so a failed `docker run` that still
        // created the container is removed too.
        let container = Self {
            name: name.clone(),
            base_url: None,
        };
        docker(&args);
        container
    }

    /// The demo held to a twentieth of a core, its port published on
    /// loopback, answering every request 100 ms late: at a few users it
    /// idles, at hundreds it sits at its CPU limit (a capacity run's
    /// known bottleneck).
    pub fn start_cpu_bound(image: &str, prefix: &str) -> Self {
        let publish = format!("127.0.0.1::{DEMO_PORT}");
        let mut demo = Self::start_with(
            image,
            prefix,
            &["--cpus", "0.05", "--publish", &publish],
            &[],
        );
        demo.base_url = Some(format!("http://{}", demo.published(DEMO_PORT)));
        wait_for_status(&demo.url("/health"), 200, Duration::from_secs(30));
        let fault = http(
            &demo.url("/fault"),
            Some(r#"{"slow_ms": 100, "slow_jitter": 0}"#),
        )
        .expect("POST /fault");
        assert_eq!(fault.status, 200, "{}", fault.body);
        demo
    }

    /// `http://127.0.0.1:PORT{path}` on the published demo port.
    pub fn url(&self, path: &str) -> String {
        let base = self
            .base_url
            .as_ref()
            .expect("container started without a published port");
        format!("{base}{path}")
    }

    /// The host address a container port is published on.
    pub fn published(&self, container_port: u16) -> String {
        let out = docker(&["port", &self.name, &format!("{container_port}/tcp")]);
        out.lines()
            .find(|l| l.starts_with("127.0.0.1:"))
            .unwrap_or_else(|| {
                panic!(
                    "{} has no loopback port for {container_port}: {out}",
                    self.name
                )
            })
            .to_owned()
    }

    /// `docker inspect --format FORMAT`.
    pub fn inspect(&self, format: &str) -> String {
        docker(&["inspect", "--format", format, &self.name])
    }

    /// `starting`, `healthy`, `unhealthy`, or empty without a HEALTHCHECK.
    pub fn health(&self) -> String {
        self.inspect("{{if .State.Health}}{{.State.Health.Status}}{{end}}")
    }

    /// Waits until the health status is `want`; panics with the health log
    /// and the container's output otherwise.
    pub fn wait_for_health(&self, want: &str, timeout: Duration) {
        if poll(timeout, || (self.health() == want).then_some(())).is_none() {
            panic!(
                "{} did not turn {want} within {timeout:?}: health {}\nlogs:\n{}",
                self.name,
                self.inspect("{{json .State.Health}}"),
                self.logs()
            );
        }
    }

    /// Waits for the container to exit and returns its exit code.
    pub fn wait_for_exit(&self, timeout: Duration) -> i64 {
        let exited = poll(timeout, || {
            (self.inspect("{{.State.Status}}") == "exited").then_some(())
        });
        if exited.is_none() {
            panic!(
                "{} still running after {timeout:?}\n{}",
                self.name,
                self.logs()
            );
        }
        self.exit_code()
    }

    pub fn exit_code(&self) -> i64 {
        let code = self.inspect("{{.State.ExitCode}}");
        code.parse()
            .unwrap_or_else(|_| panic!("exit code {code:?}"))
    }

    /// `docker stop` with a grace period; returns how long it took.
    pub fn stop(&self, grace: Duration) -> Duration {
        let started = Instant::now();
        docker(&["stop", "--time", &grace.as_secs().to_string(), &self.name]);
        started.elapsed()
    }

    /// stdout and stderr of the container so far.
    pub fn logs(&self) -> String {
        let out = docker_output(&["logs", &self.name]);
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }
}

impl Drop for DemoContainer {
    fn drop(&mut self) {
        // Best effort: panicking in drop would hide the test's own failure.
        let _ = docker_output(&["rm", "--force", "--volumes", &self.name]);
    }
}

/// A blocking request for synchronous tests (must not be called from
/// inside a tokio runtime). `body` makes it a JSON POST.
pub fn http(url: &str, body: Option<&str>) -> io::Result<HttpResponse> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        match body {
            Some(json) => client::post_json(url, json, HTTP_TIMEOUT).await,
            None => client::get(url, HTTP_TIMEOUT).await,
        }
    })
}

/// Waits until `url` answers `want`; panics with the last outcome.
pub fn wait_for_status(url: &str, want: u16, timeout: Duration) -> HttpResponse {
    let mut last = String::new();
    let found = poll(timeout, || match http(url, None) {
        Ok(r) if r.status == want => Some(r),
        Ok(r) => {
            last = format!("{} {}", r.status, r.body.trim());
            None
        }
        Err(e) => {
            last = e.to_string();
            None
        }
    });
    found.unwrap_or_else(|| panic!("{url} did not answer {want} within {timeout:?}; last: {last}"))
}
