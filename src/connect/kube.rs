//! Which Kubernetes clusters to watch and how to reach them. A target is a
//! kubeconfig context: the ones `[[kubernetes]]` names, or, with none named,
//! the current context of `KUBECONFIG` (several files merged, as kubectl does)
//! or `~/.kube/config`, or the in-cluster service account when opsdeck runs in a pod.

use crate::config::Config;
use crate::connect::http;
use kube::config::{KubeConfigOptions, Kubeconfig};
use std::path::PathBuf;

/// One cluster to watch, as the config or the kubeconfig names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeTarget {
    /// The TARGET of `TARGET/NAMESPACE/NAME`.
    pub name: String,
    /// None: the kubeconfig's current context.
    pub context: Option<String>,
    /// None: `KUBECONFIG` or `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// Empty: every namespace the credentials may list.
    pub namespaces: Vec<String>,
}

/// `context = "*"` in a `[[kubernetes]]` table: every context of its kubeconfig.
pub const ALL_CONTEXTS: &str = "*";

/// The target name of the in-cluster service account.
pub const IN_CLUSTER: &str = "in-cluster";

pub fn targets(config: &Config) -> Vec<KubeTarget> {
    if !config.kubernetes.is_empty() {
        return config
            .kubernetes
            .iter()
            .map(|k| KubeTarget {
                name: k.name.get_ref().clone(),
                context: k.context.clone(),
                kubeconfig: k.kubeconfig.clone(),
                namespaces: k.namespaces.clone(),
            })
            .flat_map(every_context)
            .collect();
    }
    let taken: Vec<String> = crate::connect::docker::targets(config)
        .into_iter()
        .map(|(name, _)| name)
        .chain(["host".to_string()])
        .collect();
    implicit(&taken).into_iter().collect()
}

/// `context = "*"`: one target per context of the kubeconfig, each named as
/// its context. A kubeconfig that cannot be read leaves the one target, which
/// then fails to connect for the same reason and shows it as degraded.
fn every_context(t: KubeTarget) -> Vec<KubeTarget> {
    if t.context.as_deref() != Some(ALL_CONTEXTS) {
        return vec![t];
    }
    match contexts(&t) {
        Ok(names) => names
            .iter()
            .map(|c| KubeTarget {
                name: c.clone(),
                ..with_context(&t, c)
            })
            .collect(),
        Err(_) => vec![t],
    }
}

/// The current context, when a kubeconfig exists; its name is the target's
/// unless a Docker target already has it.
fn implicit(taken: &[String]) -> Option<KubeTarget> {
    let name = match Kubeconfig::read() {
        Ok(kc) => kc.current_context?,
        Err(_) if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() => IN_CLUSTER.into(),
        Err(_) => return None,
    };
    let context = (name != IN_CLUSTER).then(|| name.clone());
    let name = if taken.contains(&name) {
        format!("k8s-{name}")
    } else {
        name
    };
    Some(KubeTarget {
        name,
        context,
        kubeconfig: None,
        namespaces: Vec::new(),
    })
}

fn read_kubeconfig(target: &KubeTarget) -> Result<Kubeconfig, String> {
    match &target.kubeconfig {
        Some(path) => {
            Kubeconfig::read_from(path).map_err(|e| format!("kubeconfig {}: {e}", path.display()))
        }
        None => Kubeconfig::read().map_err(|e| format!("kubeconfig: {e}")),
    }
}

/// Every context of the target's kubeconfig, for `:ctx`.
pub fn contexts(target: &KubeTarget) -> Result<Vec<String>, String> {
    let kc = read_kubeconfig(target)?;
    Ok(kc.contexts.into_iter().map(|c| c.name).collect())
}

/// The same target pointed at another context of its kubeconfig.
pub fn with_context(target: &KubeTarget, context: &str) -> KubeTarget {
    KubeTarget {
        context: Some(context.to_string()),
        ..target.clone()
    }
}

/// The client settings for a target: its context's cluster, user and default
/// namespace, with any auth kube supports (tokens, client certificates, exec plugins).
pub async fn client_config(target: &KubeTarget) -> Result<kube::Config, String> {
    if target.name == IN_CLUSTER && target.context.is_none() && target.kubeconfig.is_none() {
        return kube::Config::incluster().map_err(|e| format!("in-cluster config: {e}"));
    }
    let kc = read_kubeconfig(target)?;
    let options = KubeConfigOptions {
        context: target.context.clone(),
        ..Default::default()
    };
    kube::Config::from_custom_kubeconfig(kc, &options)
        .await
        .map_err(|e| match &target.context {
            Some(c) => format!("context {c}: {e}"),
            None => format!("current context: {e}"),
        })
}

pub async fn client(target: &KubeTarget) -> Result<kube::Client, String> {
    built(client_config(target).await?)
}

fn built(config: kube::Config) -> Result<kube::Client, String> {
    kube::Client::try_from(config).map_err(|e| format!("kubernetes client: {e}"))
}

/// A client for reading pods through the API server's proxy. kube retries a
/// 503 (up to 15 times, backing off) as an overloaded API server's; through
/// the proxy a 503 is the pod not answering, which a scrape reports at once
/// (with the API server's reason) instead of retrying until it times out.
pub async fn proxy_client(target: &KubeTarget) -> Result<kube::Client, String> {
    let mut config = client_config(target).await?;
    config.default_retry = false;
    built(config)
}

/// An API failure in words an on-call can act on: a 401 or 403 names the verb
/// and the resource that were refused, as the cluster reported them.
pub fn explain(e: &kube::Error, verb: &str, resource: &str) -> String {
    match e {
        kube::Error::Api(status) if status.code == 401 => format!(
            "401 Unauthorized: the cluster did not accept these credentials ({verb} {resource}): {}",
            status.message
        ),
        kube::Error::Api(status) if status.code == 403 => format!(
            "403 Forbidden: not allowed to {verb} {resource}: {}",
            status.message
        ),
        kube::Error::Api(status) => format!(
            "{verb} {resource}: {} {}: {}",
            status.code, status.reason, status.message
        ),
        other => format!("{verb} {resource}: {other}"),
    }
}

/// GET `path` through the API server (a pod's proxy,
/// `/api/v1/namespaces/NS/pods/NAME:PORT/proxy/metrics`): the pod's own answer
/// as it came, or, when the API server itself refused or could not reach the
/// pod, its `Status` message (`error trying to reach service: dial tcp ...`).
pub async fn proxy_get(client: &kube::Client, path: &str) -> Result<http::Response, String> {
    let started = std::time::Instant::now();
    let req = hyper::Request::get(path)
        .body(kube::client::Body::empty())
        .map_err(|e| format!("GET {path}: {e}"))?;
    let resp = client
        .send(req)
        .await
        .map_err(|e| explain(&e, "get", "pods/proxy"))?;
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = resp
        .into_body()
        .collect_bytes()
        .await
        .map_err(|e| format!("GET {path}: {e}"))?;
    let body = String::from_utf8_lossy(&bytes).into_owned();
    if status != 200 {
        // The API server's own refusals are a Status object; a pod's errors are not.
        if let Ok(s) = serde_json::from_str::<kube::core::Status>(&body) {
            if !s.message.is_empty() {
                return Err(format!("{path}: HTTP {status}: {}", s.message));
            }
        }
    }
    Ok(http::Response {
        status,
        body,
        content_type,
        elapsed: started.elapsed(),
        cert_not_after: None,
        // A scrape reads no caching headers.
        cache: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::Status;

    #[test]
    fn a_refusal_names_the_verb_and_the_resource() {
        let status = Status::failure(
            "deployments.apps \"web\" is forbidden: User \"viewer\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"default\"",
            "Forbidden",
        )
        .with_code(403);
        let e = kube::Error::Api(Box::new(status));
        let text = explain(&e, "patch", "deployments/scale default/web");
        assert!(
            text.starts_with("403 Forbidden: not allowed to patch deployments/scale default/web"),
            "{text}"
        );
        assert!(text.contains("User \"viewer\" cannot patch"), "{text}");
    }

    #[test]
    fn contexts_come_from_the_named_kubeconfig() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster:\n    server: https://a.example:6443\n\
             contexts:\n- name: one\n  context:\n    cluster: a\n- name: two\n  context:\n    cluster: a\n    namespace: shop\n\
             current-context: one\nusers: []\n",
        )
        .unwrap();
        let t = KubeTarget {
            name: "prod".into(),
            context: None,
            kubeconfig: Some(path),
            namespaces: Vec::new(),
        };
        assert_eq!(contexts(&t).unwrap(), ["one", "two"]);
        let missing = KubeTarget {
            kubeconfig: Some(dir.path().join("nope")),
            ..t
        };
        assert!(contexts(&missing).unwrap_err().contains("nope"));
    }

    #[test]
    fn a_star_context_watches_every_context_of_the_kubeconfig() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster:\n    server: https://a.example:6443\n\
             contexts:\n- name: staging\n  context:\n    cluster: a\n- name: prod-eu\n  context:\n    cluster: a\n\
             current-context: staging\nusers: []\n",
        )
        .unwrap();
        let text = format!(
            "[[kubernetes]]\nname = \"all\"\ncontext = \"*\"\nkubeconfig = {:?}\nnamespaces = [\"shop\"]\n\n\
             [[kubernetes]]\nname = \"one\"\ncontext = \"staging\"\nkubeconfig = {:?}\n",
            path.display().to_string(),
            path.display().to_string()
        );
        let config = crate::config::parse(std::path::Path::new("t.toml"), &text).unwrap();
        let got: Vec<(String, Option<String>, Vec<String>)> = targets(&config)
            .into_iter()
            .map(|t| (t.name, t.context, t.namespaces))
            .collect();
        let shop = vec!["shop".to_string()];
        assert_eq!(
            got,
            [
                ("staging".into(), Some("staging".into()), shop.clone()),
                ("prod-eu".into(), Some("prod-eu".into()), shop),
                ("one".into(), Some("staging".into()), Vec::new()),
            ]
        );
    }
}
