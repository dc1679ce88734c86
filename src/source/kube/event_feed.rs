//! Cluster events as they arrive, without a store of them: a fresh cluster
//! of 10,000 pods holds some 50,000 events (scheduled, pulled, created,
//! started), and keeping them all cost more memory than the pods. The feed
//! keeps the events not yet reported (the newest `KEPT` of them) and, to
//! report each change once even across a relist, a hash of each live event's
//! uid and resourceVersion.

use super::convert::event_nanos;
use super::slim::Slim;
use super::watches::{follow, Failures};
use k8s_openapi::api::core::v1::Event;
use kube::runtime::{watcher, WatchStreamExt};
use kube::Api;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// Unreported events kept between polls; the console keeps no more than this.
const KEPT: usize = crate::model::EVENTS_KEPT;

pub struct EventFeed {
    pending: Arc<Mutex<Pending>>,
    /// Watches whose first list is complete.
    listed: Arc<AtomicUsize>,
    watches: usize,
    tasks: Vec<JoinHandle<()>>,
}

#[derive(Default)]
struct Pending {
    events: Vec<Event>,
    /// uid → resourceVersion (hashed) of every event seen and still live.
    seen: HashMap<u64, u64>,
    /// The same, being rebuilt during a relist; replaces `seen` when it ends.
    relisting: Option<HashMap<u64, u64>>,
}

fn hash(s: Option<&String>) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

impl Pending {
    fn observe(&mut self, event: watcher::Event<Event>) {
        match event {
            watcher::Event::Init => self.relisting = Some(HashMap::new()),
            watcher::Event::InitApply(e) | watcher::Event::Apply(e) => {
                let uid = hash(e.metadata.uid.as_ref());
                let version = hash(e.metadata.resource_version.as_ref());
                let new = self.seen.get(&uid) != Some(&version);
                self.seen.insert(uid, version);
                if let Some(next) = self.relisting.as_mut() {
                    next.insert(uid, version);
                }
                if new {
                    self.push(e);
                }
            }
            // An expired event is not news; forgetting it keeps `seen` to the live ones.
            watcher::Event::Delete(e) => {
                self.seen.remove(&hash(e.metadata.uid.as_ref()));
            }
            watcher::Event::InitDone => {
                if let Some(next) = self.relisting.take() {
                    self.seen = next;
                }
            }
        }
    }

    fn push(&mut self, mut e: Event) {
        e.slim();
        self.events.push(e);
        // Trimmed in batches: a first list arrives in no particular order.
        if self.events.len() >= 2 * KEPT {
            self.events.sort_by_key(event_nanos);
            self.events.drain(..self.events.len() - KEPT);
        }
    }
}

impl EventFeed {
    /// Follows events through each of `apis` (one for all namespaces, or one per namespace).
    pub fn start(apis: Vec<Api<Event>>, failures: &Failures) -> Self {
        let pending = Arc::new(Mutex::new(Pending::default()));
        let listed = Arc::new(AtomicUsize::new(0));
        let watches = apis.len();
        let tasks = apis
            .into_iter()
            .map(|api| {
                let stream = watcher(api, watcher::Config::default()).default_backoff();
                let (pending, listed) = (pending.clone(), listed.clone());
                let mut first = true;
                follow(
                    stream,
                    "events",
                    failures,
                    move |e: watcher::Event<Event>| {
                        if first && matches!(e, watcher::Event::InitDone) {
                            first = false;
                            listed.fetch_add(1, Ordering::SeqCst);
                        }
                        lock(&pending).observe(e);
                    },
                )
            })
            .collect();
        EventFeed {
            pending,
            listed,
            watches,
            tasks,
        }
    }

    /// The events new or changed since the last call, oldest first; at most
    /// the newest `newest` of them.
    pub fn take(&self, newest: usize) -> Vec<Event> {
        let mut events = std::mem::take(&mut lock(&self.pending).events);
        events.sort_by_key(event_nanos);
        if events.len() > newest {
            events.drain(..events.len() - newest);
        }
        events
    }

    /// True once every watch has had its first complete list, checked until `wait` passes.
    pub async fn ready_within(&self, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        loop {
            if self.listed.load(Ordering::SeqCst) >= self.watches {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn lock(p: &Mutex<Pending>) -> std::sync::MutexGuard<'_, Pending> {
    p.lock().unwrap_or_else(|e| e.into_inner())
}

impl Drop for EventFeed {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(uid: &str, version: &str, second: i64) -> Event {
        let at = k8s_openapi::jiff::Timestamp::from_second(1_790_000_000 + second).unwrap();
        serde_json::from_value(json!({
            "metadata": {"name": uid, "namespace": "shop", "uid": uid, "resourceVersion": version},
            "involvedObject": {"kind": "Pod", "name": "api-1", "namespace": "shop"},
            "reason": "Started", "type": "Normal", "count": 1,
            "lastTimestamp": at.to_string()}))
        .unwrap()
    }

    fn uids(p: &mut Pending) -> Vec<String> {
        std::mem::take(&mut p.events)
            .into_iter()
            .map(|e| e.metadata.uid.unwrap())
            .collect()
    }

    #[test]
    fn each_change_is_reported_once_even_across_a_relist() {
        let mut p = Pending::default();
        p.observe(watcher::Event::Init);
        p.observe(watcher::Event::InitApply(event("a", "1", 1)));
        p.observe(watcher::Event::InitApply(event("b", "2", 2)));
        p.observe(watcher::Event::InitDone);
        assert_eq!(uids(&mut p), ["a", "b"]);
        // A repeat raises the count and the resourceVersion: news.
        p.observe(watcher::Event::Apply(event("a", "3", 5)));
        assert_eq!(uids(&mut p), ["a"]);
        // After a 410 the watcher lists again: only what changed meanwhile is new.
        p.observe(watcher::Event::Init);
        p.observe(watcher::Event::InitApply(event("a", "3", 5)));
        p.observe(watcher::Event::InitApply(event("c", "4", 6)));
        p.observe(watcher::Event::InitDone);
        assert_eq!(uids(&mut p), ["c"]);
        assert!(
            !p.seen.contains_key(&hash(Some(&"b".to_string()))),
            "b expired during the gap and is forgotten"
        );
    }

    #[test]
    fn a_flood_keeps_only_the_newest() {
        let mut p = Pending::default();
        // Listed newest first, as nothing promises an order.
        for n in (0..5 * KEPT).rev() {
            let e = event(&format!("e{n}"), "1", n as i64);
            p.observe(watcher::Event::InitApply(e));
        }
        assert!(p.events.len() < 2 * KEPT);
        p.events.sort_by_key(event_nanos);
        let oldest_kept = p.events.first().unwrap().metadata.uid.clone().unwrap();
        let n: usize = oldest_kept[1..].parse().unwrap();
        assert!(n >= 3 * KEPT, "the oldest kept is e{n}");
    }
}
