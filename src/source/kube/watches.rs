//! One reflector per resource (per namespace, where the target is limited to
//! some), kept by kube's watcher: it lists, then watches, resumes from the last
//! resourceVersion and relists by itself after a 410 Gone. What went wrong
//! last is kept per resource, worded with the verb and the resource.

use super::slim::Slim;
use crate::connect::kube::explain;
use futures::{Stream, StreamExt};
use k8s_openapi::NamespaceResourceScope;
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher;
use kube::runtime::WatchStreamExt;
use kube::{Api, Client, Resource};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// The last failure of each resource's watch; cleared by its next event.
#[derive(Clone, Default)]
pub struct Failures(Arc<Mutex<BTreeMap<&'static str, String>>>);

impl Failures {
    fn set(&self, resource: &'static str, reason: String) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(resource, reason);
    }

    fn clear(&self, resource: &'static str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(resource);
    }

    pub fn of(&self, resource: &str) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(resource)
            .cloned()
    }

    pub fn all(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }
}

/// Where one resource is watched: everywhere, or in each of some namespaces.
pub struct Watched<K>
where
    K: Resource<DynamicType = ()> + Clone + 'static,
{
    stores: Vec<Store<K>>,
    tasks: Vec<JoinHandle<()>>,
}

impl<K> Watched<K>
where
    K: Resource<DynamicType = ()> + Slim + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    /// Watches `resource` through each of `apis` (one for all namespaces, or one per namespace).
    pub fn start(apis: Vec<Api<K>>, resource: &'static str, failures: &Failures) -> Self {
        let mut stores = Vec::new();
        let mut tasks = Vec::new();
        for api in apis {
            let (reader, writer) = reflector::store();
            let objects = watcher(api, watcher::Config::default()).modify(K::slim);
            let stream = reflector::reflector(writer, objects).default_backoff();
            tasks.push(follow(stream, resource, failures, |_| {}));
            stores.push(reader);
        }
        Watched { stores, tasks }
    }

    pub fn state(&self) -> Vec<Arc<K>> {
        match self.stores.as_slice() {
            [one] => one.state(),
            many => many.iter().flat_map(|s| s.state()).collect(),
        }
    }

    /// True once every store has had its first complete list.
    pub async fn ready_within(&self, wait: Duration) -> bool {
        let all = futures::future::join_all(self.stores.iter().map(|s| s.wait_until_ready()));
        matches!(tokio::time::timeout(wait, all).await, Ok(r) if r.iter().all(Result::is_ok))
    }
}

impl<K> Drop for Watched<K>
where
    K: Resource<DynamicType = ()> + Clone + 'static,
{
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

/// Runs a watch stream, handing each event to `each` and keeping its last
/// failure (worded with the verb and the resource) in `failures`.
pub fn follow<K, S>(
    stream: S,
    resource: &'static str,
    failures: &Failures,
    mut each: impl FnMut(watcher::Event<K>) + Send + 'static,
) -> JoinHandle<()>
where
    K: Send + 'static,
    S: Stream<Item = Result<watcher::Event<K>, watcher::Error>> + Send + 'static,
{
    let failures = failures.clone();
    tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        while let Some(event) = stream.next().await {
            match event {
                Ok(e) => {
                    failures.clear(resource);
                    each(e);
                }
                // Expected after compaction; the watcher relists by itself.
                Err(watcher::Error::WatchError(s)) if s.code == 410 => {}
                Err(e) => failures.set(resource, describe(&e, resource)),
            }
        }
    })
}

fn describe(e: &watcher::Error, resource: &str) -> String {
    match e {
        watcher::Error::InitialListFailed(k) => explain(k, "list", resource),
        watcher::Error::WatchStartFailed(k) | watcher::Error::WatchFailed(k) => {
            explain(k, "watch", resource)
        }
        watcher::Error::WatchError(status) => {
            explain(&kube::Error::Api(status.clone()), "watch", resource)
        }
        other => format!("watch {resource}: {other}"),
    }
}

/// The APIs a namespaced resource is watched through: everywhere, or each of `namespaces`.
pub fn namespaced<K>(client: &Client, namespaces: &[String]) -> Vec<Api<K>>
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>,
{
    if namespaces.is_empty() {
        vec![Api::all(client.clone())]
    } else {
        namespaces
            .iter()
            .map(|ns| Api::namespaced(client.clone(), ns))
            .collect()
    }
}
