//! Objects as JSON values under one global resourceVersion counter, with the bounded event
//! history watches resume from (older resourceVersions are answered with 410 Expired).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use serde_json::{json, Value};
use time::OffsetDateTime;
use tokio::sync::broadcast;

use crate::resources::{self, Resource};
use crate::status::{ApiError, ApiResult};

#[derive(Debug, Clone)]
pub struct WatchEvent {
    pub rv: u64,
    pub kind: &'static str,
    pub res: String,
    pub ns: String,
    pub object: Value,
    /// The object before a modification, so a filtered watch can see it leave its selector.
    pub prev: Option<Value>,
}

/// The kind of the broadcast that tells open watches the history they stand on is gone.
pub const COMPACTED: &str = "COMPACTED";

pub struct Store {
    objects: BTreeMap<String, BTreeMap<(String, String), Value>>,
    rv: u64,
    history: VecDeque<Arc<WatchEvent>>,
    history_cap: usize,
    /// Every event at or below this resourceVersion has left the history.
    forgotten_through: u64,
    tx: broadcast::Sender<Arc<WatchEvent>>,
    uids: u64,
    /// Objects by the uid they point at (an owner, or what an Event is about): controllers
    /// find their pods and the kubelet its events without scanning every object, which is
    /// what keeps a cluster of thousands of pods settling in seconds rather than hours.
    refs: HashMap<String, BTreeSet<Key>>,
    /// Pods per node, for spreading replicas as the scheduler does.
    pods_on_node: HashMap<String, usize>,
}

/// Where an object is stored: resource key, namespace, name.
type Key = (String, String, String);

pub fn timestamp(at: OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    at.to_offset(time::UtcOffset::UTC)
        .format(&f)
        .unwrap_or_default()
}

pub fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

pub fn now() -> String {
    timestamp(OffsetDateTime::now_utc())
}

fn name_of(obj: &Value) -> String {
    obj["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Whether a change touches more than metadata and status, which is what bumps `generation`.
fn spec_changed(old: &Value, new: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("metadata");
            m.remove("status");
        }
        v
    };
    strip(old) != strip(new)
}

impl Store {
    pub fn new(history_cap: usize) -> Self {
        let (tx, _) = broadcast::channel(4096);
        Self {
            objects: BTreeMap::new(),
            rv: 1,
            history: VecDeque::new(),
            history_cap: history_cap.max(1),
            forgotten_through: 0,
            tx,
            uids: 0,
            refs: HashMap::new(),
            pods_on_node: HashMap::new(),
        }
    }

    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<WatchEvent>> {
        self.tx.subscribe()
    }

    /// Events after `rv`, or Expired when some of them have been forgotten.
    pub fn events_since(&self, rv: u64) -> ApiResult<Vec<Arc<WatchEvent>>> {
        if rv < self.forgotten_through {
            return Err(ApiError::expired(format!(
                "too old resource version: {rv} ({})",
                self.forgotten_through + 1
            )));
        }
        Ok(self.history.iter().filter(|e| e.rv > rv).cloned().collect())
    }

    /// Forgets the whole history, as etcd compaction does; resuming older watches gets 410.
    /// Open watches end with 410 Expired too, as they do when etcd compacts past them.
    pub fn compact(&mut self) {
        self.history.clear();
        self.forgotten_through = self.rv;
        let _ = self.tx.send(Arc::new(WatchEvent {
            rv: self.rv,
            kind: COMPACTED,
            res: String::new(),
            ns: String::new(),
            object: Value::Null,
            prev: None,
        }));
    }

    fn record(&mut self, kind: &'static str, res: &Resource, object: Value, prev: Option<Value>) {
        let ns = object["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let event = Arc::new(WatchEvent {
            rv: self.rv,
            kind,
            res: res.key(),
            ns,
            object,
            prev,
        });
        self.history.push_back(event.clone());
        while self.history.len() > self.history_cap {
            if let Some(old) = self.history.pop_front() {
                self.forgotten_through = old.rv;
            }
        }
        let _ = self.tx.send(event);
    }

    /// The uids an object points at: its owners and, for an Event, the object it is about.
    fn pointed_at(obj: &Value) -> impl Iterator<Item = String> + '_ {
        owner_uids(obj)
            .into_iter()
            .chain(obj["involvedObject"]["uid"].as_str().map(String::from))
    }

    /// Stores an object (replacing any of that name), keeping the indexes.
    fn put(&mut self, res: &Resource, ns: String, name: String, obj: Value) {
        let key = res.key();
        let _replaced = self.take(res, &ns, &name);
        for uid in Self::pointed_at(&obj) {
            self.refs
                .entry(uid)
                .or_default()
                .insert((key.clone(), ns.clone(), name.clone()));
        }
        if let Some(node) = obj["spec"]["nodeName"].as_str().filter(|_| is_pods(res)) {
            *self.pods_on_node.entry(node.to_string()).or_default() += 1;
        }
        self.objects.entry(key).or_default().insert((ns, name), obj);
    }

    /// Removes an object, keeping the indexes.
    fn take(&mut self, res: &Resource, ns: &str, name: &str) -> Option<Value> {
        let key = res.key();
        let obj = self
            .objects
            .get_mut(&key)?
            .remove(&(ns.to_string(), name.to_string()))?;
        for uid in Self::pointed_at(&obj) {
            if let Some(set) = self.refs.get_mut(&uid) {
                set.remove(&(key.clone(), ns.to_string(), name.to_string()));
                if set.is_empty() {
                    self.refs.remove(&uid);
                }
            }
        }
        if let Some(node) = obj["spec"]["nodeName"].as_str().filter(|_| is_pods(res)) {
            if let Some(n) = self.pods_on_node.get_mut(node) {
                *n = n.saturating_sub(1);
            }
        }
        Some(obj)
    }

    /// Objects of any resource in `ns` that point at `uid` (see `pointed_at`), by reference.
    fn pointing_at<'a>(
        &'a self,
        res: Option<&Resource>,
        ns: Option<&str>,
        uid: &str,
    ) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        let want = res.map(Resource::key);
        let ns = ns.map(str::to_string);
        self.refs
            .get(uid)
            .into_iter()
            .flatten()
            .filter(move |(k, n, _)| {
                want.as_ref().is_none_or(|w| w == k) && ns.as_ref().is_none_or(|want| want == n)
            })
            .filter_map(|(k, n, name)| {
                let obj = self.objects.get(k)?.get(&(n.clone(), name.clone()))?;
                Some((k.as_str(), obj))
            })
    }

    /// How many pods are bound to `node`.
    pub fn pods_on(&self, node: &str) -> usize {
        self.pods_on_node.get(node).copied().unwrap_or(0)
    }

    fn bucket(&self, res: &Resource) -> Option<&BTreeMap<(String, String), Value>> {
        self.objects.get(&res.key())
    }

    pub fn get(&self, res: &Resource, ns: &str, name: &str) -> Option<&Value> {
        let ns = if res.namespaced { ns } else { "" };
        self.bucket(res)?.get(&(ns.to_string(), name.to_string()))
    }

    pub fn require(&self, res: &Resource, ns: &str, name: &str) -> ApiResult<Value> {
        self.get(res, ns, name)
            .cloned()
            .ok_or_else(|| ApiError::not_found(res, name))
    }

    /// Objects of a resource, in one namespace or all, ordered by namespace then name.
    pub fn list(&self, res: &Resource, ns: Option<&str>) -> Vec<Value> {
        self.bucket(res)
            .map(|b| {
                b.iter()
                    .filter(|((n, _), _)| ns.is_none_or(|want| n == want))
                    .map(|(_, v)| v.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Like `list`, without copying the objects.
    pub fn iter<'a>(
        &'a self,
        res: &Resource,
        ns: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Value> + 'a {
        self.bucket(res)
            .into_iter()
            .flatten()
            .filter(move |((n, _), _)| ns.is_none_or(|want| n == want))
            .map(|(_, v)| v)
    }

    /// Objects whose controller owner has this uid, ordered by name.
    pub fn owned_by(&self, res: &Resource, ns: &str, uid: &str) -> Vec<Value> {
        self.owned_refs(res, ns, uid).into_iter().cloned().collect()
    }

    /// Like `owned_by`, without copying the objects.
    pub fn owned_refs(&self, res: &Resource, ns: &str, uid: &str) -> Vec<&Value> {
        self.pointing_at(Some(res), Some(ns), uid)
            .map(|(_, o)| o)
            .filter(|o| controller_uid(o).as_deref() == Some(uid))
            .collect()
    }

    fn new_uid(&mut self) -> String {
        self.uids += 1;
        let r = fastrand::u64(..);
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            (r >> 32) as u32,
            (r >> 16) as u16,
            (r & 0xfff) as u16,
            self.uids & 0xfff,
            self.uids
        )
    }

    pub fn create(
        &mut self,
        res: &'static Resource,
        ns: &str,
        mut obj: Value,
        dry_run: bool,
    ) -> ApiResult<Value> {
        if !obj.is_object() {
            return Err(ApiError::bad_request("the body must be a JSON object"));
        }
        if !obj["metadata"].is_object() {
            obj["metadata"] = json!({});
        }
        let meta = &mut obj["metadata"];
        if meta["name"].as_str().unwrap_or_default().is_empty() {
            match meta["generateName"].as_str() {
                Some(prefix) => meta["name"] = json!(format!("{prefix}{}", random_suffix())),
                None => {
                    return Err(ApiError::invalid(
                        res,
                        "",
                        "metadata.name: Required value: name or generateName is required",
                    ))
                }
            }
        }
        let name = name_of(&obj);
        let ns = if res.namespaced {
            ns.to_string()
        } else {
            String::new()
        };
        if res.namespaced {
            if ns.is_empty() {
                return Err(ApiError::bad_request(
                    "the namespace of the object must be given",
                ));
            }
            if self
                .get(resources::get("", "namespaces"), "", &ns)
                .is_none()
                && res.plural != "events"
            {
                let ns_res = resources::get("", "namespaces");
                return Err(ApiError::not_found(ns_res, &ns));
            }
        }
        if self.get(res, &ns, &name).is_some() {
            return Err(ApiError::already_exists(res, &name));
        }
        obj["apiVersion"] = json!(res.api_version());
        obj["kind"] = json!(res.kind);
        crate::defaults::apply(res, &mut obj);
        crate::defaults::validate(res, &obj).map_err(|why| ApiError::invalid(res, &name, why))?;
        let uid = self.new_uid();
        let meta = &mut obj["metadata"];
        if res.namespaced {
            meta["namespace"] = json!(ns);
        }
        meta["uid"] = json!(uid);
        meta["creationTimestamp"] = json!(now());
        if crate::defaults::has_generation(res) {
            meta["generation"] = json!(1);
        }
        if dry_run {
            return Ok(obj);
        }
        self.rv += 1;
        obj["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        self.put(res, ns, name, obj.clone());
        self.record("ADDED", res, obj.clone(), None);
        Ok(obj)
    }

    /// Replaces an object. A resourceVersion in `obj` must match (optimistic concurrency);
    /// a no-op update keeps the resourceVersion, as the real server does.
    pub fn update(
        &mut self,
        res: &'static Resource,
        obj: Value,
        dry_run: bool,
    ) -> ApiResult<Value> {
        let ns = if res.namespaced {
            obj["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        } else {
            String::new()
        };
        let name = name_of(&obj);
        let old = self.require(res, &ns, &name)?;
        if let Some(rv) = obj["metadata"]["resourceVersion"].as_str() {
            if !rv.is_empty()
                && rv
                    != old["metadata"]["resourceVersion"]
                        .as_str()
                        .unwrap_or_default()
            {
                return Err(ApiError::conflict(res, &name));
            }
        }
        let mut new = obj;
        new["apiVersion"] = json!(res.api_version());
        new["kind"] = json!(res.kind);
        crate::defaults::apply(res, &mut new);
        crate::defaults::validate(res, &new).map_err(|why| ApiError::invalid(res, &name, why))?;
        for keep in [
            "uid",
            "creationTimestamp",
            "namespace",
            "generation",
            "resourceVersion",
        ] {
            if old["metadata"].get(keep).is_some() {
                new["metadata"][keep] = old["metadata"][keep].clone();
            }
        }
        if crate::defaults::has_generation(res) && spec_changed(&old, &new) {
            let generation = old["metadata"]["generation"].as_i64().unwrap_or(1) + 1;
            new["metadata"]["generation"] = json!(generation);
        }
        if new == old || dry_run {
            return Ok(new);
        }
        self.rv += 1;
        new["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        self.put(res, ns, name, new.clone());
        self.record("MODIFIED", res, new.clone(), Some(old));
        Ok(new)
    }

    /// Deletes an object and, unless orphaning, everything it owns (background cascade).
    pub fn delete(
        &mut self,
        res: &'static Resource,
        ns: &str,
        name: &str,
        dry_run: bool,
        orphan: bool,
    ) -> ApiResult<Value> {
        let ns = if res.namespaced { ns } else { "" };
        let mut old = self.require(res, ns, name)?;
        if dry_run {
            return Ok(old);
        }
        self.take(res, ns, name);
        self.rv += 1;
        old["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        self.record("DELETED", res, old.clone(), None);
        let uid = old["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        // In the order of RESOURCES, then namespace and name, as a scan of every kind would be.
        let mut dependents: Vec<(usize, &'static Resource, Value)> = self
            .pointing_at(None, None, &uid)
            .filter(|(_, o)| owner_uids(o).contains(&uid))
            .filter_map(|(key, o)| {
                let (i, r) = crate::resources::RESOURCES
                    .iter()
                    .enumerate()
                    .find(|(_, r)| r.key() == key && !r.read_only)?;
                Some((i, r, o.clone()))
            })
            .collect();
        dependents.sort_by_key(|(i, _, _)| *i);
        let dependents = dependents.into_iter().map(|(_, r, o)| (r, o));
        for (r, dep) in dependents {
            let (dep_ns, dep_name) = (
                dep["metadata"]["namespace"].as_str().unwrap_or_default(),
                name_of(&dep),
            );
            if orphan {
                let mut freed = dep.clone();
                if let Some(refs) = freed["metadata"]["ownerReferences"].as_array_mut() {
                    refs.retain(|o| o["uid"].as_str() != Some(&uid));
                }
                self.update(r, freed, false)?;
            } else {
                let _ = self.delete(r, dep_ns, &dep_name, false, false);
            }
        }
        if res.plural == "namespaces" {
            for r in crate::resources::RESOURCES
                .iter()
                .filter(|r| r.namespaced && !r.read_only)
            {
                for o in self.list(r, Some(name)) {
                    let _ = self.delete(r, name, &name_of(&o), false, false);
                }
            }
        }
        Ok(old)
    }

    /// Records a core/v1 Event about `about`, folding repeats into `count` as the kubelet does.
    pub fn emit_event(&mut self, about: &Value, kind: &str, reason: &str, message: &str) {
        let events = resources::get("", "events");
        let ns = about["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_string();
        let involved = json!({
            "kind": about["kind"], "apiVersion": about["apiVersion"], "namespace": ns,
            "name": about["metadata"]["name"], "uid": about["metadata"]["uid"],
            "resourceVersion": about["metadata"]["resourceVersion"],
        });
        let same = |e: &Value| {
            e["involvedObject"]["uid"] == involved["uid"]
                && e["reason"] == reason
                && e["message"] == message
        };
        let existing = match involved["uid"].as_str() {
            Some(uid) => self
                .pointing_at(Some(events), Some(&ns), uid)
                .map(|(_, e)| e)
                .find(|e| same(e))
                .cloned(),
            None => self.iter(events, Some(&ns)).find(|e| same(e)).cloned(),
        };
        let stamp = now();
        if let Some(mut e) = existing {
            e["count"] = json!(e["count"].as_i64().unwrap_or(1) + 1);
            e["lastTimestamp"] = json!(stamp);
            let _ = self.update(events, e, false);
            return;
        }
        let name = format!(
            "{}.{:016x}",
            about["metadata"]["name"].as_str().unwrap_or("object"),
            fastrand::u64(..)
        );
        let event = json!({
            "metadata": {"name": name, "namespace": ns}, "involvedObject": involved,
            "reason": reason, "message": message, "type": kind, "count": 1,
            "source": {"component": if about["kind"] == "Pod" { "kubelet" } else { "controller-manager" }},
            "firstTimestamp": stamp, "lastTimestamp": stamp, "reportingComponent": "opsdeck-test",
        });
        let _ = self.create(events, &ns, event, false);
    }
}

fn is_pods(res: &Resource) -> bool {
    res.group.is_empty() && res.plural == "pods"
}

pub fn owner_uids(obj: &Value) -> Vec<String> {
    obj["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["uid"].as_str().map(String::from))
        .collect()
}

pub fn controller_uid(obj: &Value) -> Option<String> {
    obj["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|o| o["controller"].as_bool() == Some(true))
        .and_then(|o| o["uid"].as_str().map(String::from))
}

/// Five characters from the safe alphabet, as generateName and pod names use.
pub fn random_suffix() -> String {
    (0..5)
        .map(|_| b"bcdfghjklmnpqrstvwxz2456789"[fastrand::usize(..27)] as char)
        .collect()
}
