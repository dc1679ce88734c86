//! Pod output from the Kubernetes API (`pods/log`), as a `LogFeed`: every
//! container of a pod or one of them, the current instance or the previous one
//! (what an on-call reads after a CrashLoopBackOff or OOMKilled restart), with
//! the kubelet's timestamps so several pods merge by time.

use crate::connect::kube::explain;
use crate::model::LogLine;
use crate::source::logs::{self as shared, LogFeed, LogRequest, LogStream, Resume};
use futures::stream::BoxStream;
use futures::{AsyncBufReadExt, StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{Api, ListParams, LogParams};

/// A pod whose output is wanted; None for every container of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodLog {
    pub namespace: String,
    pub pod: String,
    pub container: Option<String>,
}

impl PodLog {
    /// `NAMESPACE/POD` or `NAMESPACE/POD/CONTAINER`, as the UI and the CLI name pods.
    pub fn parse(text: &str) -> Result<PodLog, String> {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [ns, pod] | [ns, pod, _] if !ns.is_empty() && !pod.is_empty() => Ok(PodLog {
                namespace: ns.to_string(),
                pod: pod.to_string(),
                container: parts
                    .get(2)
                    .filter(|c| !c.is_empty())
                    .map(|c| c.to_string()),
            }),
            _ => Err(format!(
                "`{text}` does not name a pod: NAMESPACE/POD or NAMESPACE/POD/CONTAINER"
            )),
        }
    }
}

/// One container of one pod, as a feed reads it.
struct ContainerLog {
    namespace: String,
    pod: String,
    container: String,
    /// The name its lines carry: the pod's, or `pod/container` in a pod of several.
    label: String,
}

struct Cluster(kube::Client);

impl Cluster {
    fn pods(&self, namespace: &str) -> Api<Pod> {
        Api::namespaced(self.0.clone(), namespace)
    }

    fn params(src: &ContainerLog) -> LogParams {
        LogParams {
            container: Some(src.container.clone()),
            timestamps: true,
            ..LogParams::default()
        }
    }
}

fn what(src: &ContainerLog) -> String {
    format!("pods/log {}/{} ({})", src.namespace, src.pod, src.container)
}

impl LogFeed for Cluster {
    type Source = ContainerLog;

    async fn history(
        &self,
        src: &ContainerLog,
        tail: Option<u64>,
        previous: bool,
    ) -> Result<Vec<LogLine>, String> {
        let params = LogParams {
            tail_lines: tail.map(|t| i64::try_from(t).unwrap_or(i64::MAX)),
            previous,
            ..Self::params(src)
        };
        match self.pods(&src.namespace).logs(&src.pod, &params).await {
            Ok(text) => Ok(shared::parse_lines(&src.label, false, text.as_bytes(), 0)),
            // Of several pods, the ones that never restarted have no previous
            // instance: say so in their place rather than lose the others.
            Err(kube::Error::Api(s)) if previous && s.code == 400 => Ok(vec![LogLine {
                at_nanos: 0,
                instance: src.label.clone(),
                stderr: true,
                text: format!("[opsdeck] {}", s.message),
            }]),
            Err(e) => Err(explain(&e, "get", &what(src))),
        }
    }

    fn follow(
        &self,
        src: &ContainerLog,
        from: Resume,
    ) -> BoxStream<'static, Result<Vec<LogLine>, String>> {
        let mut params = LogParams {
            follow: true,
            ..Self::params(src)
        };
        match from {
            Resume::Since(secs) => {
                params.since_time = jiff_second(secs);
            }
            Resume::Start => {}
            Resume::Now => params.tail_lines = Some(0),
        }
        let pods = self.pods(&src.namespace);
        let (pod, label, what) = (src.pod.clone(), src.label.clone(), what(src));
        let opened = async move {
            let reader = pods
                .log_stream(&pod, &params)
                .await
                .map_err(|e| explain(&e, "get", &what))?;
            let mut at = 0;
            let what = what.clone();
            Ok::<_, String>(reader.lines().map(move |line| {
                let line = line.map_err(|e| format!("get {what}: {e}"))?;
                let lines = shared::parse_lines(&label, false, line.as_bytes(), at);
                if let Some(l) = lines.last() {
                    at = l.at_nanos;
                }
                Ok(lines)
            }))
        };
        futures::stream::once(opened).try_flatten().boxed()
    }
}

fn jiff_second(secs: i64) -> Option<k8s_openapi::jiff::Timestamp> {
    k8s_openapi::jiff::Timestamp::from_second(secs).ok()
}

/// Every container the requests name, after reading each pod: a pod that does
/// not exist is named in the error, a container it lacks too.
async fn containers(client: &kube::Client, pods: &[PodLog]) -> Result<Vec<ContainerLog>, String> {
    let mut out = Vec::new();
    for p in pods {
        let api: Api<Pod> = Api::namespaced(client.clone(), &p.namespace);
        let pod = api.get(&p.pod).await.map_err(|e| match &e {
            kube::Error::Api(s) if s.code == 404 => {
                format!("no pod {} in namespace {}", p.pod, p.namespace)
            }
            _ => explain(&e, "get", &format!("pods {}/{}", p.namespace, p.pod)),
        })?;
        let names: Vec<String> = pod
            .spec
            .map(|s| s.containers.into_iter().map(|c| c.name).collect())
            .unwrap_or_default();
        let wanted: Vec<String> = match &p.container {
            Some(c) if names.contains(c) => vec![c.clone()],
            Some(c) => {
                return Err(format!(
                    "pod {}/{} has no container {c}; it has: {}",
                    p.namespace,
                    p.pod,
                    names.join(", ")
                ))
            }
            None => names.clone(),
        };
        for container in wanted {
            let label = if names.len() > 1 {
                format!("{}/{container}", p.pod)
            } else {
                p.pod.clone()
            };
            out.push(ContainerLog {
                namespace: p.namespace.clone(),
                pod: p.pod.clone(),
                container,
                label,
            });
        }
    }
    Ok(out)
}

/// The output of these pods, merged by time, then followed when asked; with
/// the names their lines carry (one per container).
pub async fn stream(
    client: kube::Client,
    pods: Vec<PodLog>,
    req: LogRequest,
) -> Result<(Vec<String>, LogStream), String> {
    let sources = containers(&client, &pods).await?;
    let labels = sources.iter().map(|s| s.label.clone()).collect();
    Ok((labels, shared::stream(Cluster(client), sources, req)))
}

/// The pods a name means in a namespace: the pod of that name, else the pods
/// of the Deployment, StatefulSet or DaemonSet of that name (by its selector).
pub async fn pods_named(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> Result<Vec<PodLog>, String> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let one = |pod: String| PodLog {
        namespace: namespace.to_string(),
        pod,
        container: None,
    };
    match pods.get_opt(name).await {
        Ok(Some(_)) => return Ok(vec![one(name.to_string())]),
        Ok(None) => {}
        Err(e) => return Err(explain(&e, "get", &format!("pods {namespace}/{name}"))),
    }
    let Some(selector) = workload_selector(client, namespace, name).await? else {
        return Err(format!(
            "no pod, Deployment, StatefulSet or DaemonSet named {name} in namespace {namespace}"
        ));
    };
    let listed = pods
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| explain(&e, "list", &format!("pods {namespace} -l {selector}")))?;
    let mut names: Vec<String> = listed
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .collect();
    names.sort();
    Ok(names.into_iter().map(one).collect())
}

async fn workload_selector(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> Result<Option<String>, String> {
    let failed =
        |kind: &str, e: kube::Error| explain(&e, "get", &format!("{kind} {namespace}/{name}"));
    let d = Api::<Deployment>::namespaced(client.clone(), namespace)
        .get_opt(name)
        .await
        .map_err(|e| failed("deployments", e))?;
    if let Some(d) = d {
        return Ok(Some(selector_text(&d.spec.selector)));
    }
    let s = Api::<StatefulSet>::namespaced(client.clone(), namespace)
        .get_opt(name)
        .await
        .map_err(|e| failed("statefulsets", e))?;
    if let Some(s) = s {
        return Ok(Some(selector_text(&s.spec.selector)));
    }
    let d = Api::<DaemonSet>::namespaced(client.clone(), namespace)
        .get_opt(name)
        .await
        .map_err(|e| failed("daemonsets", e))?;
    Ok(d.map(|d| selector_text(&d.spec.selector)))
}

/// A LabelSelector in the query syntax: `app=web,tier in (a,b),!canary`.
fn selector_text(s: &LabelSelector) -> String {
    let mut parts: Vec<String> = s
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in s.match_expressions.iter().flatten() {
        let values = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({values})", e.key),
            "NotIn" => format!("{} notin ({values})", e.key),
            "DoesNotExist" => format!("!{}", e.key),
            _ => e.key.clone(),
        });
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_are_named_with_their_namespace() {
        assert_eq!(
            PodLog::parse("shop/web-7d9f-abcde").unwrap(),
            PodLog {
                namespace: "shop".into(),
                pod: "web-7d9f-abcde".into(),
                container: None
            }
        );
        assert_eq!(
            PodLog::parse("shop/web/sidecar")
                .unwrap()
                .container
                .as_deref(),
            Some("sidecar")
        );
        for bad in ["web", "/web", "shop/", "a/b/c/d"] {
            assert!(PodLog::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn selectors_read_as_kubectl_writes_them() {
        let s: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]},
                                 {"key": "canary", "operator": "DoesNotExist"}]
        }))
        .unwrap();
        assert_eq!(selector_text(&s), "app=web,tier in (a,b),!canary");
    }
}
