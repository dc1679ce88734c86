//! What the nodes do: nodes are seeded Ready, pods start after a delay, and images named
//! `broken` or `oom` crash-loop (Error / OOMKilled last termination, CrashLoopBackOff waiting)
//! so failed rollouts and ProgressDeadlineExceeded can be reached.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::resources::{self, Resource};
use crate::store::{now, Store};

fn pods() -> &'static Resource {
    resources::get("", "pods")
}

fn nodes() -> &'static Resource {
    resources::get("", "nodes")
}

pub fn is_ready(pod: &Value) -> bool {
    pod["status"]["conditions"].as_array().is_some_and(|cs| {
        cs.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

/// How a container built from this image ends, if it crashes: (exit code, reason).
pub fn crash_of(image: &str) -> Option<(i64, &'static str)> {
    if image.contains("oom") {
        Some((137, "OOMKilled"))
    } else if image.contains("broken") {
        Some((1, "Error"))
    } else {
        None
    }
}

pub fn node_object(name: &str) -> Value {
    let cond = |kind: &str, status: &str, reason: &str, message: &str| {
        json!({"type": kind, "status": status, "reason": reason, "message": message,
               "lastHeartbeatTime": now(), "lastTransitionTime": now()})
    };
    json!({
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                              "kubernetes.io/arch": "amd64"}},
        "spec": {"podCIDR": "10.244.0.0/24"},
        "status": {
            "capacity": {"cpu": "4", "memory": "8148008Ki", "pods": "110"},
            "allocatable": {"cpu": "4", "memory": "8045608Ki", "pods": "110"},
            "conditions": [
                cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [{"type": "InternalIP", "address": NODE_IP}, {"type": "Hostname", "address": name}],
            "nodeInfo": {"kubeletVersion": "v1.32.0", "containerRuntimeVersion": "containerd://1.7.0",
                         "osImage": "opsdeck test node", "kernelVersion": "6.1.0", "operatingSystem": "linux",
                         "architecture": "amd64"},
        },
    })
}

pub fn schedulable_nodes(store: &Store) -> Vec<String> {
    store
        .list(nodes(), None)
        .into_iter()
        .filter(|n| n["spec"]["unschedulable"].as_bool() != Some(true))
        .filter(|n| {
            n["status"]["conditions"].as_array().is_some_and(|cs| {
                cs.iter()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            })
        })
        .filter_map(|n| n["metadata"]["name"].as_str().map(String::from))
        .collect()
}

/// A pod for a controller, owned by it, with the template's labels and spec.
pub fn new_pod(owner: &Value, name: &str, template: &Value, node: Option<String>) -> Value {
    let mut pod = json!({
        "metadata": {
            "name": name, "labels": template["metadata"]["labels"].clone(),
            "ownerReferences": [{"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
                                 "uid": owner["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true}],
        },
        "spec": template["spec"].clone(),
    });
    if let Some(a) = template["metadata"].get("annotations") {
        pod["metadata"]["annotations"] = a.clone();
    }
    if let Some(node) = node {
        pod["spec"]["nodeName"] = json!(node);
    }
    pod
}

fn container_names(pod: &Value) -> Vec<(String, String)> {
    pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_string(),
                c["image"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Every node of this server is this machine.
const NODE_IP: &str = "127.0.0.1";

/// A hostNetwork pod has its node's address, as in Kubernetes; the others one of the
/// pod network's, which no one outside the (imaginary) cluster reaches.
fn pod_ip(pod: &Value) -> String {
    if pod["spec"]["hostNetwork"] == true {
        return NODE_IP.to_string();
    }
    let n = pod["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    format!("10.244.{}.{}", (n >> 8) % 250 + 1, n % 250 + 2)
}

fn container_id() -> String {
    format!("containerd://{:064x}", fastrand::u128(..))
}

fn status_of(pod: &Value, name: &str) -> Option<Value> {
    pod["status"]["containerStatuses"]
        .as_array()?
        .iter()
        .find(|s| s["name"] == name)
        .cloned()
}

/// A pod whose spec now names another image for a container: the kubelet kills that container
/// and starts the new image in its place, as it does on a real pod update. The instance that
/// ran before (or the one that crashed, when it was waiting to restart) becomes `lastState`.
fn restart_changed(pod: &Value) -> Option<Value> {
    let stamp = now();
    let mut changed = false;
    let statuses: Vec<Value> = container_names(pod)
        .into_iter()
        .filter_map(|(name, image)| {
            let mut s = status_of(pod, &name)?;
            if s["image"] == image.as_str() {
                return Some(s);
            }
            changed = true;
            if let Some(running) = s["state"]["running"].as_object() {
                s["lastState"] = json!({"terminated": {"exitCode": 0, "reason": "Completed",
                    "startedAt": running["startedAt"], "finishedAt": stamp, "containerID": s["containerID"]}});
            }
            let ok = crash_of(&image).is_none();
            s["image"] = json!(image);
            s["imageID"] = json!(format!("{image}@sha256:{:064x}", fastrand::u128(..)));
            s["containerID"] = json!(container_id());
            s["restartCount"] = json!(s["restartCount"].as_i64().unwrap_or(0) + 1);
            s["state"] = json!({"running": {"startedAt": stamp}});
            s["started"] = json!(true);
            s["ready"] = json!(ok);
            Some(s)
        })
        .collect();
    if !changed {
        return None;
    }
    let all_ready = statuses.iter().all(|s| s["ready"] == true);
    let mut next = pod.clone();
    next["status"]["containerStatuses"] = json!(statuses);
    for c in next["status"]["conditions"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        let readiness = c["type"] == "Ready" || c["type"] == "ContainersReady";
        if readiness && c["status"] != json!(if all_ready { "True" } else { "False" }) {
            *c = condition(
                c["type"].as_str().unwrap_or_default(),
                all_ready,
                (!all_ready).then_some("ContainersNotReady"),
            );
        }
    }
    Some(next)
}

fn condition(kind: &str, ok: bool, reason: Option<&str>) -> Value {
    let mut c = json!({"type": kind, "status": if ok { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": now()});
    if let Some(r) = reason {
        c["reason"] = json!(r);
    }
    c
}

/// The status of a pod whose containers have started (or crashed `restarts` times).
fn running_status(pod: &Value, restarts: i64) -> Value {
    let stamp = now();
    let mut all_ready = true;
    let statuses: Vec<Value> = container_names(pod)
        .into_iter()
        .map(|(name, image)| {
            let id = container_id();
            // A container that keeps running is not restarted by its neighbour's crash.
            if let Some(same) = status_of(pod, &name).filter(|s| {
                s["image"] == image.as_str() && s["state"]["running"].is_object() && crash_of(&image).is_none()
            }) {
                return same;
            }
            let base = json!({"name": name, "image": image, "imageID": format!("{image}@sha256:{:064x}", fastrand::u128(..)),
                              "containerID": id, "started": true, "ready": true, "restartCount": 0,
                              "state": {"running": {"startedAt": stamp}}, "lastState": {}});
            match crash_of(&image) {
                None => base,
                Some((code, reason)) => {
                    all_ready = false;
                    let mut s = base;
                    s["ready"] = json!(false);
                    s["started"] = json!(false);
                    s["restartCount"] = json!(restarts);
                    s["state"] = json!({"waiting": {"reason": "CrashLoopBackOff",
                        "message": format!("back-off 10s restarting failed container={name} pod={}", pod["metadata"]["name"].as_str().unwrap_or_default())}});
                    // What the crashing app wrote to its termination log, as a real one would.
                    let message = match reason {
                        "OOMKilled" => "fatal error: runtime: out of memory".to_string(),
                        _ => format!("panic: image {image} is broken"),
                    };
                    s["lastState"] = json!({"terminated": {"exitCode": code, "reason": reason, "startedAt": stamp,
                                                           "finishedAt": stamp, "containerID": id, "message": message}});
                    s
                }
            }
        })
        .collect();
    let not_ready = (!all_ready).then_some("ContainersNotReady");
    let prev_ready = pod["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
        .cloned();
    let mut ready = condition("Ready", all_ready, not_ready);
    if let Some(prev) = prev_ready.filter(|p| p["status"] == ready["status"]) {
        ready = prev;
    }
    let mut containers_ready = ready.clone();
    containers_ready["type"] = json!("ContainersReady");
    json!({
        "phase": "Running", "hostIP": NODE_IP, "podIP": pod_ip(pod), "podIPs": [{"ip": pod_ip(pod)}],
        "startTime": pod["status"]["startTime"].as_str().map(String::from).unwrap_or(stamp),
        "qosClass": "BestEffort",
        "conditions": [condition("PodReadyToStartContainers", true, None), condition("Initialized", true, None), ready,
                       containers_ready, condition("PodScheduled", true, None)],
        "containerStatuses": statuses,
    })
}

/// The kubelet's clock for each pod: when it was first seen and when it last restarted.
#[derive(Default)]
pub struct Kubelet {
    seen: HashMap<String, Instant>,
    restarted: HashMap<String, Instant>,
}

impl Kubelet {
    pub fn tick(&mut self, store: &mut Store, start_delay: Duration, crash_every: Duration) {
        let at = Instant::now();
        // Pods with something to do are copied out first; settled pods, nearly all of a big
        // cluster, are only looked at.
        let mut live = HashSet::new();
        let mut due = Vec::new();
        for pod in store.iter(pods(), None) {
            let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
            live.insert(uid.to_string());
            let first = *self.seen.entry(uid.to_string()).or_insert(at);
            let act = pod["spec"]["nodeName"].as_str().is_none()
                || match pod["status"]["phase"].as_str() {
                    Some("Pending") => at.duration_since(first) >= start_delay,
                    Some("Running") => {
                        let last = self.restarted.get(uid).copied().unwrap_or(first);
                        // A changed image restarts the container in place; a crashing one
                        // restarts every `crash_every`.
                        restart_changed(pod).is_some()
                            || (at.duration_since(last) >= crash_every
                                && container_names(pod)
                                    .iter()
                                    .any(|(_, image)| crash_of(image).is_some()))
                    }
                    _ => false,
                };
            if act {
                due.push(pod.clone());
            }
        }
        self.seen.retain(|uid, _| live.contains(uid));
        self.restarted.retain(|uid, _| self.seen.contains_key(uid));
        for pod in due {
            let uid = pod["metadata"]["uid"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if pod["spec"]["nodeName"].as_str().is_none() {
                self.schedule(store, pod);
                continue;
            }
            match pod["status"]["phase"].as_str() {
                Some("Pending") => self.start(store, pod, at),
                Some("Running") => {
                    if let Some(next) = restart_changed(&pod) {
                        if store.update(pods(), next, false).is_ok() {
                            self.restarted.insert(uid, at);
                        }
                        continue;
                    }
                    let restarts = pod["status"]["containerStatuses"][0]["restartCount"]
                        .as_i64()
                        .unwrap_or(0)
                        + 1;
                    self.restarted.insert(uid, at);
                    let mut next = pod.clone();
                    next["status"] = running_status(&pod, restarts);
                    if let Ok(pod) = store.update(pods(), next, false) {
                        back_off(store, &pod);
                    }
                }
                _ => {}
            }
        }
    }

    fn schedule(&mut self, store: &mut Store, mut pod: Value) {
        let Some(node) = schedulable_nodes(store).into_iter().next() else {
            return;
        };
        pod["spec"]["nodeName"] = json!(node);
        pod["status"]["conditions"] = json!([condition("PodScheduled", true, None)]);
        if let Ok(pod) = store.update(pods(), pod, false) {
            store.emit_event(
                &pod,
                "Normal",
                "Scheduled",
                &format!("Successfully assigned to {node}"),
            );
        }
    }

    fn start(&mut self, store: &mut Store, pod: Value, at: Instant) {
        let crashing = container_names(&pod)
            .iter()
            .any(|(_, image)| crash_of(image).is_some());
        let mut next = pod.clone();
        next["status"] = running_status(&pod, i64::from(crashing));
        let Ok(started) = store.update(pods(), next, false) else {
            return;
        };
        self.restarted.insert(
            started["metadata"]["uid"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            at,
        );
        for (name, image) in container_names(&started) {
            store.emit_event(
                &started,
                "Normal",
                "Pulled",
                &format!("Container image \"{image}\" already present on machine"),
            );
            store.emit_event(
                &started,
                "Normal",
                "Created",
                &format!("Created container {name}"),
            );
            store.emit_event(
                &started,
                "Normal",
                "Started",
                &format!("Started container {name}"),
            );
        }
        back_off(store, &started);
    }
}

/// The kubelet's BackOff warning for each crash-looping container; repeats add to its count.
fn back_off(store: &mut Store, pod: &Value) {
    let pod_name = pod["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for (name, image) in container_names(pod) {
        if crash_of(&image).is_some() {
            let message = format!("Back-off restarting failed container {name} in pod {pod_name}");
            store.emit_event(pod, "Warning", "BackOff", &message);
        }
    }
}
