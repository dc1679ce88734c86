#![allow(dead_code)]
//! The Kubernetes test API server on a free loopback port, with a kubeconfig for it and a
//! runner for the real kubectl installed on the machine.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use kube_test_server::{Cluster, Config};

#[path = "test_ca.rs"]
mod test_ca;

pub struct TestCluster {
    pub cluster: Cluster,
    pub addr: SocketAddr,
    pub kubeconfig: PathBuf,
    /// The certificate authority of a TLS cluster (PEM), None when it serves plain http.
    pub ca: Option<String>,
    _dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

pub struct Kubectl {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Test timing: quick pod starts and crash loops so rollouts finish in seconds.
pub fn fast_config() -> Config {
    Config {
        pod_start_delay: Duration::from_millis(150),
        crash_interval: Duration::from_millis(400),
        bookmark_interval: Duration::from_millis(500),
        ..Config::default()
    }
}

/// The real kubectl; its absence fails the test with what to install.
pub fn kubectl_path() -> PathBuf {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("kubectl"))
        .find(|p| p.is_file());
    found.unwrap_or_else(|| {
        panic!("kubectl is not installed: the Kubernetes tests drive the real kubectl (v1.32 or newer) against the test API server; install it from the Kubernetes or Google Cloud apt repository (package `kubectl`; Debian's own `kubernetes-client` is v1.20, too old) and rerun")
    })
}

impl TestCluster {
    pub async fn start(config: Config) -> Self {
        let cluster = Cluster::new(config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let serving = cluster.clone();
        let server = tokio::spawn(async move {
            kube_test_server::serve(listener, serving)
                .await
                .expect("serve the test API server");
        });
        let dir = tempfile::tempdir().expect("temp dir");
        let kubeconfig = dir.path().join("kubeconfig");
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: http://{addr}\n\
             contexts:\n- name: test\n  context:\n    cluster: test\n    namespace: default\n\
             current-context: test\nusers: []\n"
        );
        std::fs::write(&kubeconfig, text).expect("write kubeconfig");
        Self {
            cluster,
            addr,
            kubeconfig,
            ca: None,
            _dir: dir,
            server,
        }
    }

    /// The cluster over TLS, needed for bearer tokens (kubectl sends none to an http server);
    /// its certificate comes from a throwaway CA made with the openssl on the machine.
    pub async fn start_tls(config: Config) -> Self {
        let cluster = Cluster::new(config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let dir = tempfile::tempdir().expect("temp dir");
        let (ca, cert, key) = certificates(dir.path());
        let serving = cluster.clone();
        let server = tokio::spawn(async move {
            kube_test_server::serve_tls(listener, serving, cert.as_bytes(), key.as_bytes())
                .await
                .expect("serve the test API server over TLS");
        });
        let mut k = Self {
            cluster,
            addr,
            kubeconfig: dir.path().join("kubeconfig"),
            ca: Some(ca),
            _dir: dir,
            server,
        };
        k.kubeconfig = k.kubeconfig_for("kubeconfig", None);
        k
    }

    /// A kubeconfig for this cluster whose user holds `token` (none: anonymous).
    pub fn kubeconfig_for(&self, file: &str, token: Option<&str>) -> PathBuf {
        let path = self.path(file);
        let cluster = match &self.ca {
            Some(ca) => format!(
                "server: https://{}\n    certificate-authority-data: {}",
                self.addr,
                base64(ca.as_bytes())
            ),
            None => format!("server: http://{}", self.addr),
        };
        let (user, users) = match token {
            Some(t) => (
                "\n    user: u",
                format!("users:\n- name: u\n  user:\n    token: {t}\n"),
            ),
            None => ("", "users: []\n".to_string()),
        };
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    {cluster}\n\
             contexts:\n- name: test\n  context:\n    cluster: test\n    namespace: default{user}\n\
             current-context: test\n{users}"
        );
        std::fs::write(&path, text).expect("write kubeconfig");
        path
    }

    /// Writes `DIR/opsdeck.toml` naming this cluster as the `[[kubernetes]]`
    /// target `test`, as a user's config would; returns its path.
    pub fn write_opsdeck_config(&self, dir: &std::path::Path) -> PathBuf {
        let config = dir.join("opsdeck.toml");
        std::fs::write(
            &config,
            format!(
                "[[kubernetes]]\nname = \"test\"\ncontext = \"test\"\nkubeconfig = \"{}\"\n",
                self.kubeconfig.display()
            ),
        )
        .unwrap();
        config
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self._dir.path().join(name)
    }

    /// Runs kubectl against this cluster with its own cache dir, so runs never share state.
    pub async fn kubectl(&self, args: &[&str]) -> Kubectl {
        let out = tokio::time::timeout(
            Duration::from_secs(90),
            tokio::process::Command::new(kubectl_path())
                .args(args)
                .env("KUBECONFIG", &self.kubeconfig)
                .env("KUBECACHEDIR", self._dir.path().join("cache"))
                .env("HOME", self._dir.path())
                .kill_on_drop(true)
                .output(),
        )
        .await
        .unwrap_or_else(|_| panic!("kubectl {args:?} did not finish in 90s"))
        .expect("run kubectl");
        Kubectl {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `kubectl get WHAT -o jsonpath=PATH`.
    pub async fn jsonpath(&self, what: &str, path: &str) -> String {
        self.ok(&["get", what, "-o", &format!("jsonpath={path}")])
            .await
    }

    /// Waits as `kubectl rollout status deployment/NAME` does; it must succeed.
    pub async fn rolled_out(&self, name: &str) {
        let what = format!("deployment/{name}");
        let out = self
            .ok(&["rollout", "status", &what, "--timeout=60s"])
            .await;
        assert!(out.contains("successfully rolled out"), "{out}");
    }

    /// kubectl that must succeed; returns its standard output.
    pub async fn ok(&self, args: &[&str]) -> String {
        let out = self.kubectl(args).await;
        assert!(
            out.ok,
            "kubectl {} failed:\nstdout: {}\nstderr: {}",
            args.join(" "),
            out.stdout,
            out.stderr
        );
        out.stdout
    }
}

/// (CA certificate, server certificate for 127.0.0.1, server key), all PEM.
fn certificates(dir: &std::path::Path) -> (String, String, String) {
    let issued = test_ca::issue(dir, 2);
    let read = |f: &std::path::Path| std::fs::read_to_string(f).unwrap();
    (read(&issued.ca), read(&issued.cert), read(&issued.key))
}

fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A StatefulSet `db` (2 replicas) and a DaemonSet `agent`, for `kubectl apply`.
pub const STATEFUL_AND_DAEMON: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: 'db:1'}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: 'agent:1'}]
";
