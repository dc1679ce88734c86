//! A Kubernetes target as a `Source`. The first poll connects and starts one
//! watch per resource; every poll after reads the watches' stores (no listing),
//! asks metrics.k8s.io for usage, and reports the inventory and the events
//! that are new since the last poll.
//!
//! The watches reconnect by themselves, so a failed poll keeps them: the
//! target shows degraded (with the refused verb and resource for a 401/403)
//! until pods and workloads can be read again.

use super::convert::{self, Metrics, Objects, Owners, UsageList};
use super::event_feed::EventFeed;
use super::pod_record::PodRecord;
use super::pod_scrapes;
use super::watches::{namespaced, Failures, Watched};
use crate::base::time::unix_now;
use crate::connect::kube::{client, explain, proxy_client, KubeTarget};
use crate::model::EngineEvent;
use crate::source::discovered::{Endpoint, Scrapes, Wanted};
use crate::source::{Source, Update};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{Namespace, Node};
use kube::api::{Api, ListParams};
use kube::Client;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How long the first poll waits for the first complete lists.
const FIRST_LIST: Duration = Duration::from_secs(20);
/// How often to ask again whether metrics.k8s.io is served, once it was not.
const METRICS_RECHECK: Duration = Duration::from_secs(60);
/// Events reported from a fresh connection: the most recent ones.
const FIRST_EVENTS: usize = 200;

pub struct KubeSource {
    target: KubeTarget,
    session: Option<Session>,
    /// How often pods annotated for scraping are scraped.
    scrape_every: Duration,
}

impl KubeSource {
    pub fn new(target: KubeTarget) -> Self {
        KubeSource {
            target,
            session: None,
            scrape_every: Duration::from_secs(2),
        }
    }

    pub fn scraping_every(mut self, every: Duration) -> Self {
        self.scrape_every = every;
        self
    }
}

/// Resources without which the target has nothing to show.
const ESSENTIAL: [&str; 2] = ["pods", "deployments"];

struct Session {
    client: Client,
    failures: Failures,
    deployments: Watched<Deployment>,
    statefulsets: Watched<StatefulSet>,
    daemonsets: Watched<DaemonSet>,
    replicasets: Watched<ReplicaSet>,
    pods: Watched<PodRecord>,
    events: EventFeed,
    nodes: Watched<Node>,
    autoscalers: Watched<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler>,
    namespaces: Option<Watched<Namespace>>,
    first_poll: bool,
    /// When metrics.k8s.io was last found missing, and why.
    metrics_missing: Option<(Instant, String)>,
    /// Pods annotated for scraping, each read by its own task through the pod proxy.
    scrapes: Scrapes<Vec<Update>>,
    proxy_client: Client,
    scraped_tx: mpsc::Sender<Vec<Update>>,
    scraped_rx: mpsc::Receiver<Vec<Update>>,
    scrape_every: Duration,
}

impl Session {
    async fn open(target: &KubeTarget, scrape_every: Duration) -> Result<Self, String> {
        let client = client(target).await?;
        let proxy_client = proxy_client(target).await?;
        let (scraped_tx, scraped_rx) = mpsc::channel(256);
        let failures = Failures::default();
        let ns = &target.namespaces;
        let f = &failures;
        Ok(Session {
            deployments: Watched::start(namespaced(&client, ns), "deployments", f),
            statefulsets: Watched::start(namespaced(&client, ns), "statefulsets", f),
            daemonsets: Watched::start(namespaced(&client, ns), "daemonsets", f),
            replicasets: Watched::start(namespaced(&client, ns), "replicasets", f),
            pods: Watched::start(namespaced(&client, ns), "pods", f),
            events: EventFeed::start(namespaced(&client, ns), f),
            nodes: Watched::start(vec![Api::all(client.clone())], "nodes", f),
            autoscalers: Watched::start(namespaced(&client, ns), "horizontalpodautoscalers", f),
            // A target limited to some namespaces may not be allowed to list them all.
            namespaces: ns
                .is_empty()
                .then(|| Watched::start(vec![Api::all(client.clone())], "namespaces", f)),
            client,
            failures,
            first_poll: true,
            metrics_missing: None,
            scrapes: Scrapes::new(|updates| updates),
            proxy_client,
            scraped_tx,
            scraped_rx,
            scrape_every,
        })
    }

    /// Waits for the first lists, giving up early on a resource that fails.
    async fn first_lists(&self) -> Result<(), String> {
        let deadline = Instant::now() + FIRST_LIST;
        loop {
            if let Some(reason) = ESSENTIAL.iter().find_map(|r| self.failures.of(r)) {
                return Err(reason);
            }
            let step = Duration::from_millis(50);
            let ready = self.pods.ready_within(step).await
                && self.deployments.ready_within(step).await
                && self.replicasets.ready_within(step).await;
            if ready {
                // The rest join as they come; a denied one is a note, not a wait.
                for _ in 0..20 {
                    let others = self.statefulsets.ready_within(step).await
                        && self.daemonsets.ready_within(step).await
                        && self.events.ready_within(step).await;
                    if others || !self.failures.all().is_empty() {
                        break;
                    }
                }
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(
                    "the first lists of pods and deployments did not complete in 20 s".into(),
                );
            }
        }
    }

    async fn poll(&mut self, target: &str) -> Result<Vec<Update>, String> {
        if self.first_poll {
            self.first_lists().await?;
        }
        if let Some(reason) = ESSENTIAL.iter().find_map(|r| self.failures.of(r)) {
            return Err(reason);
        }
        let objects = Objects {
            deployments: self.deployments.state(),
            statefulsets: self.statefulsets.state(),
            daemonsets: self.daemonsets.state(),
            replicasets: self.replicasets.state(),
            pods: self.pods.state(),
            nodes: self.nodes.state(),
        };
        let owners = Owners::new(target, &objects.replicasets, &objects.pods);
        let metrics = self.metrics(target).await;
        let mut inventory = convert::inventory(target, &objects, &metrics.0, &owners);
        convert::autoscalers::attach(target, &self.autoscalers.state(), &mut inventory.workloads);
        inventory.namespaces = match &self.namespaces {
            Some(w) => w
                .state()
                .iter()
                .filter_map(|n| n.metadata.name.clone())
                .collect(),
            None => Vec::new(),
        };
        inventory.namespaces.sort();
        inventory.notes = self.failures.all();
        inventory.notes.extend(metrics.1);
        inventory
            .notes
            .extend(self.sync_scrapes(target, &objects.pods, &owners));
        let events = self.new_events(target, &owners);
        self.first_poll = false;
        let mut out = vec![
            Update::Inventory {
                target: target.to_string(),
                at: unix_now(),
                inventory: Box::new(inventory),
            },
            // Before their readings, so the model knows the targets they are for.
            Update::Discovered {
                by: target.to_string(),
                scrapes: self.scrapes.found(),
            },
        ];
        while let Ok(updates) = self.scraped_rx.try_recv() {
            out.extend(updates);
        }
        if !events.is_empty() {
            out.push(Update::Events {
                target: target.to_string(),
                events,
            });
        }
        Ok(out)
    }

    /// One scraping task per running pod annotated for it, named
    /// `TARGET/NAMESPACE/POD`; returns why a pod that asks cannot be scraped.
    fn sync_scrapes(
        &mut self,
        target: &str,
        pods: &[std::sync::Arc<PodRecord>],
        owners: &Owners,
    ) -> Vec<String> {
        let mut wanted = Vec::new();
        let mut notes = Vec::new();
        for pod in pods {
            match pod_scrapes::proxy_path(pod) {
                None => {}
                Some(Err(why)) => notes.push(why),
                Some(Ok(path)) => {
                    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
                    let name = pod.metadata.name.as_deref().unwrap_or_default();
                    wanted.push(Wanted {
                        id: format!("{ns}/{name}"),
                        name: format!("{target}/{ns}/{name}"),
                        endpoint: Endpoint::PodProxy {
                            client: self.proxy_client.clone(),
                            path,
                        },
                        workload: owners
                            .workload_of("Pod", ns, name)
                            .map(|w| w.to_string())
                            .unwrap_or_default(),
                    });
                }
            }
        }
        self.scrapes
            .sync(wanted, self.scrape_every, &self.scraped_tx);
        notes
    }

    /// Usage from metrics.k8s.io, or why there is none.
    async fn metrics(&mut self, target: &str) -> (Metrics, Option<String>) {
        if let Some((when, why)) = &self.metrics_missing {
            if when.elapsed() < METRICS_RECHECK {
                return (Metrics::default(), Some(why.clone()));
            }
        }
        let client = &self.client;
        let list = |path: &'static str| async move {
            let req = kube::core::Request::new(path)
                .list(&ListParams::default())
                .map_err(kube::Error::BuildRequest)?;
            client.request::<UsageList>(req).await
        };
        let pods = list("/apis/metrics.k8s.io/v1beta1/pods").await;
        let nodes = list("/apis/metrics.k8s.io/v1beta1/nodes").await;
        match pods {
            Ok(list) => {
                self.metrics_missing = None;
                let nodes = nodes
                    .map(|n| convert::node_metrics(&n.items))
                    .unwrap_or_default();
                (
                    Metrics {
                        pods: convert::pod_metrics(&list.items),
                        nodes,
                    },
                    None,
                )
            }
            Err(e) => {
                let why = match &e {
                    kube::Error::Api(s) if s.code == 404 => format!(
                        "metrics.k8s.io is not served by {target} (no metrics-server): no CPU or memory figures"
                    ),
                    other => explain(other, "list", "pods.metrics.k8s.io"),
                };
                self.metrics_missing = Some((Instant::now(), why.clone()));
                (Metrics::default(), Some(why))
            }
        }
    }

    /// Events new or changed (a repeat raises its count) since the last poll, oldest first.
    fn new_events(&mut self, target: &str, owners: &Owners) -> Vec<EngineEvent> {
        let newest = if self.first_poll {
            FIRST_EVENTS
        } else {
            usize::MAX
        };
        self.events
            .take(newest)
            .iter()
            .map(|e| convert::event(target, e, |k, ns, n| owners.workload_of(k, ns, n)))
            .collect()
    }
}

impl Source for KubeSource {
    fn target(&self) -> &str {
        &self.target.name
    }

    async fn poll(&mut self) -> Result<Vec<Update>, String> {
        if self.session.is_none() {
            self.session = Some(Session::open(&self.target, self.scrape_every).await?);
        }
        let name = self.target.name.clone();
        let session = self.session.as_mut().expect("opened above");
        let updates = session.poll(&name).await;
        crate::base::memory::give_back();
        updates
    }
}
