//! Scrapes found rather than configured: containers labelled and pods
//! annotated for scraping (`prometheus.io/scrape`), scraped without a
//! `[[scrape]]` each. One task per container or pod, started and stopped as
//! they come and go, each reporting through its collector's channel so a slow
//! `/metrics` never holds up the platform's own readings.

use crate::config::HttpAuth;
use crate::connect::http::Http;
use crate::source::targets::{poll_updates, unusable};
use crate::source::{ScrapeSource, Update};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// One scrape may take this long before it counts as failed.
const SCRAPE_TIMEOUT: Duration = Duration::from_secs(5);

/// Where a found scrape is read.
#[derive(Clone)]
pub enum Endpoint {
    /// Directly: a Docker container's published port or address.
    Url(String),
    /// Through the Kubernetes API server's pod proxy
    /// (`/api/v1/namespaces/NS/pods/NAME:PORT/proxy/PATH`), as kubectl does,
    /// so it works from a laptop that cannot reach pod addresses.
    PodProxy { client: kube::Client, path: String },
}

impl Endpoint {
    /// What tells two endpoints apart: a changed one restarts its task.
    fn key(&self) -> &str {
        match self {
            Endpoint::Url(url) => url,
            Endpoint::PodProxy { path, .. } => path,
        }
    }
}

/// A container or pod to scrape: its id, its name (the scrape's target name),
/// where to read it and the workload it is a replica of.
pub struct Wanted {
    pub id: String,
    pub name: String,
    pub endpoint: Endpoint,
    pub workload: String,
}

struct Task {
    name: String,
    key: String,
    workload: String,
    handle: JoinHandle<()>,
}

/// The scraping tasks of one collector; `T` is what its channel carries.
pub struct Scrapes<T> {
    tasks: HashMap<String, Task>,
    wrap: fn(Vec<Update>) -> T,
}

impl<T: Send + 'static> Scrapes<T> {
    pub fn new(wrap: fn(Vec<Update>) -> T) -> Self {
        Scrapes {
            tasks: HashMap::new(),
            wrap,
        }
    }

    /// Starts a task for each wanted container or pod not yet scraped (or
    /// whose endpoint changed), and stops those no longer wanted.
    pub fn sync(&mut self, wanted: Vec<Wanted>, every: Duration, tx: &mpsc::Sender<T>) {
        self.tasks.retain(|id, task| {
            let keep = wanted
                .iter()
                .any(|w| w.id == *id && w.endpoint.key() == task.key);
            if !keep {
                task.handle.abort();
            }
            keep
        });
        for w in wanted {
            if let std::collections::hash_map::Entry::Vacant(slot) = self.tasks.entry(w.id) {
                let key = w.endpoint.key().to_string();
                let handle = tokio::spawn(scrape(
                    w.name.clone(),
                    w.endpoint,
                    every,
                    tx.clone(),
                    self.wrap,
                ));
                slot.insert(Task {
                    name: w.name,
                    key,
                    workload: w.workload,
                    handle,
                });
            }
        }
    }

    /// The scrapes under way, sorted by name, each with its workload.
    pub fn found(&self) -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = self
            .tasks
            .values()
            .map(|t| (t.name.clone(), t.workload.clone()))
            .collect();
        found.sort();
        found
    }
}

impl<T> Drop for Scrapes<T> {
    fn drop(&mut self) {
        for task in self.tasks.values() {
            task.handle.abort();
        }
    }
}

async fn scrape<T>(
    name: String,
    endpoint: Endpoint,
    every: Duration,
    tx: mpsc::Sender<T>,
    wrap: fn(Vec<Update>) -> T,
) {
    let mut source = match endpoint {
        Endpoint::Url(url) => match Http::new(SCRAPE_TIMEOUT, &HttpAuth::default()) {
            Ok(http) => ScrapeSource::new(&name, &url, http),
            Err(e) => {
                let _ = tx.send(wrap(vec![unusable(&name, e, every)])).await;
                return;
            }
        },
        Endpoint::PodProxy { client, path } => {
            ScrapeSource::through_pod_proxy(&name, client, &path)
        }
    };
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let updates = poll_updates(&mut source, SCRAPE_TIMEOUT, every).await;
        if tx.send(wrap(updates)).await.is_err() {
            return;
        }
    }
}
