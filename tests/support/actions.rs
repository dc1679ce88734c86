//! Compose projects, image tags and the real binary for the workload-verb
//! tests; every resource is removed by a Drop guard, also on failure.
#![allow(dead_code)]

use crate::images::*;
use std::path::PathBuf;
use std::process::{Command, Output};

/// A value that must never reach the audit log.
pub const SECRET: &str = "opsdeck-test-secret-5f1c9a";

/// Image tags made for one test, untagged when it ends.
pub struct Tags(pub Vec<String>);

impl Drop for Tags {
    fn drop(&mut self) {
        // Identical builds share one image id across tags, and another test's
        // container may be running it: --force removes just this tag then.
        for t in &self.0 {
            let _ = docker_output(&["image", "rm", "--force", t]);
        }
    }
}

/// A docker-compose project in a temp dir, taken down (with every container
/// carrying its label, opsdeck's clones included) when dropped.
pub struct Project {
    pub name: String,
    pub file: PathBuf,
    _dir: tempfile::TempDir,
    pub data: PathBuf,
    pub config: PathBuf,
}

impl Project {
    pub fn up(prefix: &str, image: &str, replicas: u32) -> Self {
        Self::up_publishing(prefix, image, replicas, &format!("127.0.0.1::{DEMO_PORT}"))
    }

    /// One replica whose demo port is published on a fixed host port, which
    /// opsdeck's rolling replace keeps: a health URL that outlives a rollback.
    pub fn up_on_port(prefix: &str, image: &str, host_port: u16) -> Self {
        Self::up_publishing(
            prefix,
            image,
            1,
            &format!("127.0.0.1:{host_port}:{DEMO_PORT}"),
        )
    }

    fn up_publishing(prefix: &str, image: &str, replicas: u32, port: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("opsdeck-test-actions-")
            .tempdir()
            .unwrap();
        let name = unique_name(&format!("actions-{prefix}"));
        let file = dir.path().join("docker-compose.yml");
        std::fs::write(
            &file,
            format!(
                "version: \"2.4\"\nservices:\n  api:\n    image: {image}\n    environment:\n      \
                 SECRET_TOKEN: \"{SECRET}\"\n    ports:\n      - \"{port}\"\n    \
                 labels:\n      {TEST_LABEL}: \"1\"\n"
            ),
        )
        .unwrap();
        let config = dir.path().join("opsdeck.toml");
        std::fs::write(&config, "[[docker]]\nname = \"local\"\n").unwrap();
        let data = dir.path().join("data");
        let project = Project {
            name,
            file,
            _dir: dir,
            data,
            config,
        };
        let scale = format!("api={replicas}");
        project.compose(&["up", "-d", "--scale", &scale]);
        project
    }

    pub fn compose(&self, args: &[&str]) -> String {
        let out = Command::new("docker-compose")
            .arg("-p")
            .arg(&self.name)
            .arg("-f")
            .arg(&self.file)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("docker-compose is required for this test: {e}"));
        assert!(
            out.status.success(),
            "docker-compose {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Container ids as `docker-compose ps -q` counts them.
    pub fn ids(&self) -> Vec<String> {
        self.compose(&["ps", "-q"])
            .lines()
            .map(str::to_owned)
            .filter(|l| !l.is_empty())
            .collect()
    }

    pub fn workload(&self) -> String {
        format!("local/{}/api", self.name)
    }

    /// The real binary with this project's config and data dir; stdin is not a terminal.
    pub fn opsdeck(&self, args: &[&str]) -> Output {
        opsdeck(&self.config, &self.data, args)
    }

    pub fn image_ids(&self) -> Vec<String> {
        self.ids()
            .iter()
            .map(|id| docker(&["inspect", "--format", "{{.Image}}", id]))
            .collect()
    }

    pub fn audit_text(&self) -> String {
        std::fs::read_to_string(self.data.join("audit.jsonl")).unwrap_or_default()
    }

    pub fn audit(&self) -> Vec<serde_json::Value> {
        self.audit_text()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("audit line {l:?}: {e}")))
            .collect()
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = Command::new("docker-compose")
            .arg("-p")
            .arg(&self.name)
            .arg("-f")
            .arg(&self.file)
            .args(["down", "--volumes", "--remove-orphans", "--timeout", "2"])
            .output();
        let label = format!("label=com.docker.compose.project={}", self.name);
        let left = docker_output(&["ps", "-aq", "--filter", &label]);
        for id in String::from_utf8_lossy(&left.stdout).lines() {
            let _ = docker_output(&["rm", "-f", id]);
        }
    }
}

#[allow(unused_imports)]
pub use crate::run_bin::{opsdeck, text};

pub fn image_id(tag: &str) -> String {
    docker(&["image", "inspect", "--format", "{{.Id}}", tag])
}

/// v1, a good v2 and a broken v2 under this test's own tags.
pub fn images(prefix: &str) -> (Tags, String, String, String) {
    let bin = opsdeck_binary();
    let repo = unique_name(&format!("actions-{prefix}"));
    let v1 = build_demo_image(&bin, &format!("{repo}:v1"), "1.0.0", &[]);
    let v2 = build_demo_image(&bin, &format!("{repo}:v2"), "2.0.0", &[]);
    let broken = build_demo_image(
        &bin,
        &format!("{repo}:v2-broken"),
        "2.0.0",
        &[("DEMO_FAULT_UNHEALTHY", "1")],
    );
    (
        Tags(vec![v1.clone(), v2.clone(), broken.clone()]),
        v1,
        v2,
        broken,
    )
}

/// a good release from a broken one.
pub fn unchecked_images(prefix: &str) -> (Tags, String, String, String) {
    let bin = opsdeck_binary();
    let repo = unique_name(&format!("actions-{prefix}"));
    let build = |tag: &str, version: &str, env: &[(&str, &str)]| {
        let mut spec = ImageSpec::demo(&bin, &format!("{repo}:{tag}"), version);
        spec.healthcheck_args = None;
        build_image(&env.iter().fold(spec, |s, (k, v)| s.with_env(k, v)))
    };
    let v1 = build("v1", "1.0.0", &[]);
    let v2 = build("v2", "2.0.0", &[]);
    let broken = build("v2-broken", "2.0.0", &[("DEMO_FAULT_UNHEALTHY", "1")]);
    (
        Tags(vec![v1.clone(), v2.clone(), broken.clone()]),
        v1,
        v2,
        broken,
    )
}

/// Takes the playground down when the test ends, however it ends.
pub struct Playground {
    pub project: String,
    pub config: PathBuf,
    pub data: PathBuf,
}

impl Drop for Playground {
    fn drop(&mut self) {
        let _ = opsdeck(
            &self.config,
            &self.data,
            &["demo", "down", "--project", &self.project],
        );
        let label = format!("label=com.docker.compose.project={}", self.project);
        let left = docker_output(&["ps", "-aq", "--filter", &label]);
        for id in String::from_utf8_lossy(&left.stdout).lines() {
            let _ = docker_output(&["rm", "-f", id]);
        }
        let _ = docker_output(&["network", "rm", &format!("{}_default", self.project)]);
    }
}
