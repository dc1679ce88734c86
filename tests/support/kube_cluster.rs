#![allow(dead_code)]
//! The Kubernetes test API server on a free loopback port, with a kubeconfig for it and a
//! runner for the real kubectl installed on the machine.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use kube_test_server::{Cluster, Config};

pub struct TestCluster {
    pub cluster: Cluster,
    pub addr: SocketAddr,
    pub kubeconfig: PathBuf,
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
            _dir: dir,
            server,
        }
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

impl Drop for TestCluster {
    fn drop(&mut self) {
        self.server.abort();
    }
}
