//! A faithful in-memory Kubernetes API server for tests: discovery, core and apps resources,
//! list/watch with resourceVersions, the three patch types, `Status` errors, and controllers
//! (Deployment, ReplicaSet, StatefulSet, DaemonSet, a simulated kubelet) that behave like the
//! real ones. Serve it in-process (`router()` is a tower Service) or on a socket (`serve`).

mod api;
mod auth;
mod autoscaler;
mod defaults;
mod deployment;
mod exec;
mod hash;
mod kubelet;
mod observe;
mod openapi;
mod patch;
mod proxy;
mod query;
mod resources;
#[cfg(test)]
mod rollout_tests;
mod selector;
mod status;
mod store;
mod table;
mod watch;
mod workloads;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use serde_json::{json, Value};
use tokio::net::TcpListener;

pub use auth::{Rule, User};
pub use patch::strategic_merge;
pub use selector::Selector;

/// Timing knobs; the defaults suit tests (fast) and are still realistic in shape.
#[derive(Debug, Clone)]
pub struct Config {
    pub nodes: Vec<String>,
    /// How long a scheduled pod stays Pending before its containers run.
    pub pod_start_delay: Duration,
    /// How often a crash-looping container restarts.
    pub crash_interval: Duration,
    /// How often the controllers and the kubelet look at the world.
    pub tick: Duration,
    /// Watch events kept for resuming; older resourceVersions get 410 Expired.
    pub history: usize,
    /// How often a watch that asked for bookmarks gets one.
    pub bookmark_interval: Duration,
    /// Whether metrics.k8s.io is served, as when a metrics-server is installed.
    pub metrics: bool,
    /// Who may do what (bearer tokens and RBAC rules); empty leaves the server open to all.
    pub users: Vec<User>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            nodes: vec!["node-1".into(), "node-2".into()],
            pod_start_delay: Duration::from_millis(300),
            crash_interval: Duration::from_secs(2),
            tick: Duration::from_millis(100),
            history: 2000,
            bookmark_interval: Duration::from_secs(5),
            metrics: true,
            users: Vec::new(),
        }
    }
}

pub(crate) struct Inner {
    pub store: store::Store,
    kubelet: kubelet::Kubelet,
}

/// The cluster: shared state behind the HTTP API and the controllers' ticker.
#[derive(Clone)]
pub struct Cluster {
    inner: Arc<Mutex<Inner>>,
    pub(crate) config: Arc<Config>,
}

impl Cluster {
    /// A cluster with the `default` and `kube-system` namespaces and Ready nodes. Spawns the
    /// controllers' ticker, so call it inside a tokio runtime; it stops with the last handle.
    pub fn new(config: Config) -> Self {
        let mut store = store::Store::new(config.history);
        for ns in ["default", "kube-system", "kube-public"] {
            let _ = store.create(
                resources::get("", "namespaces"),
                "",
                json!({"metadata": {"name": ns}}),
                false,
            );
        }
        for node in &config.nodes {
            let _ = store.create(
                resources::get("", "nodes"),
                "",
                kubelet::node_object(node),
                false,
            );
        }
        let cluster = Self {
            inner: Arc::new(Mutex::new(Inner {
                store,
                kubelet: kubelet::Kubelet::default(),
            })),
            config: Arc::new(config),
        };
        let weak = Arc::downgrade(&cluster.inner);
        let (config, tick) = (cluster.config.clone(), cluster.config.tick);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(tick);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                let Some(inner) = weak.upgrade() else { break };
                let mut guard = inner.lock().unwrap_or_else(|e| e.into_inner());
                let Inner { store, kubelet } = &mut *guard;
                kubelet.tick(store, config.pod_start_delay, config.crash_interval);
                reconcile(store);
            }
        });
        cluster
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets the watch history, as etcd compaction does: watches resuming from an older
    /// resourceVersion then get 410 Expired and must relist.
    pub fn compact(&self) {
        self.lock().store.compact();
    }

    /// The current global resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.lock().store.resource_version()
    }

    /// An object by API path pieces, for tests that look behind the API.
    pub fn get(&self, group: &str, plural: &str, ns: &str, name: &str) -> Option<Value> {
        self.lock()
            .store
            .get(resources::get(group, plural), ns, name)
            .cloned()
    }

    /// The HTTP API as an axum Router (a tower Service usable in-process).
    pub fn router(&self) -> Router {
        api::router(self.clone())
    }
}

/// Runs every controller until nothing changes (bounded, so a bug cannot spin forever).
pub(crate) fn reconcile(store: &mut store::Store) {
    for _ in 0..16 {
        let before = store.resource_version();
        deployment::sync_all(store);
        workloads::sync_replicasets(store);
        workloads::sync_statefulsets(store);
        workloads::sync_daemonsets(store);
        autoscaler::sync_autoscalers(store);
        if store.resource_version() == before {
            break;
        }
    }
}

/// Serves the cluster over TLS (PEM certificate chain and private key), as real API servers
/// do: kubectl and client-go send bearer tokens only to an https server.
pub async fn serve_tls(
    listener: TcpListener,
    cluster: Cluster,
    cert_pem: &[u8],
    key_pem: &[u8],
) -> std::io::Result<()> {
    use tokio_rustls::rustls::{self, pki_types::pem::PemObject, pki_types::*};
    let invalid = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    let certs = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(&e))?;
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| invalid(&e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(&e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| invalid(&e))?;
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let router = cluster.router();
    loop {
        let (tcp, _) = listener.accept().await?;
        let (acceptor, router) = (acceptor.clone(), router.clone());
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(tcp).await else {
                return;
            };
            let service = hyper_util::service::TowerToHyperService::new(router);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                // pods/exec switches the connection to a WebSocket.
                .with_upgrades()
                .await;
        });
    }
}

/// Serves the cluster on a bound listener until the task is dropped.
pub async fn serve(listener: TcpListener, cluster: Cluster) -> std::io::Result<()> {
    axum::serve(listener, cluster.router()).await
}
