//! Reads one object for `describe` and the raw view: a Kubernetes object
//! with the events about it, or a Docker container's inspect with the
//! engine's events of the last hour. What is read is masked
//! (`base::redact::object`) before anything is shaped or shown; the
//! shaping is `model::describe`'s.

mod docker;
mod kube;

use crate::config::Config;
use crate::model::describe::Description;
use crate::model::NO_GROUP;
use serde_json::Value;

/// What an address names, before it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    /// `TARGET/NAMESPACE/NAME` (a workload, then a pod of that name),
    /// `TARGET/NAMESPACE/KIND/NAME`, or `TARGET/_/NAME` (a node).
    Kube {
        target: String,
        namespace: Option<String>,
        kind: Option<String>,
        name: String,
    },
    /// `TARGET/CONTAINER`, `TARGET/_/CONTAINER`, or `TARGET/PROJECT/SERVICE`
    /// (its first replica).
    Docker {
        target: String,
        group: Option<String>,
        name: String,
    },
}

/// The kinds `TARGET/NAMESPACE/KIND/NAME` takes (singular, as kubectl takes them).
pub const KINDS: &[&str] = &[
    "pod",
    "deployment",
    "statefulset",
    "daemonset",
    "node",
    "secret",
    "configmap",
];

/// One object read: its description and the raw object, both masked.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub description: Description,
    pub raw: Value,
    /// YAML for Kubernetes (as kubectl get -o yaml), JSON for Docker (as docker inspect).
    pub yaml: bool,
}

impl Fetched {
    /// The raw object in its own format, or JSON when asked.
    pub fn raw_text(&self, json: bool) -> Result<String, String> {
        if self.yaml && !json {
            serde_yaml_ng::to_string(&self.raw).map_err(|e| format!("as YAML: {e}"))
        } else {
            serde_json::to_string_pretty(&self.raw)
                .map(|t| t + "\n")
                .map_err(|e| format!("as JSON: {e}"))
        }
    }
}

/// Which kind of target `target` is: a Docker target of the name wins, as
/// in `opsdeck logs`.
pub fn parse(config: &Config, address: &str) -> Result<Wanted, String> {
    let parts: Vec<&str> = address.split('/').collect();
    let target = parts.first().copied().unwrap_or_default();
    let docker = crate::connect::docker::targets(config)
        .iter()
        .any(|(n, _)| n == target);
    let kube = !docker
        && crate::connect::kube::targets(config)
            .iter()
            .any(|t| t.name == target);
    let own = |s: &str| s.to_string();
    let bad = || {
        format!(
            "`{address}` is not an object address: TARGET/NAMESPACE/NAME, TARGET/NAMESPACE/KIND/NAME \
             (KIND one of {}) or TARGET/_/NODE on Kubernetes; TARGET/CONTAINER, TARGET/_/CONTAINER \
             or TARGET/PROJECT/SERVICE on Docker",
            KINDS.join(", ")
        )
    };
    if parts.iter().any(|p| p.is_empty()) {
        return Err(bad());
    }
    match (kube, parts.as_slice()) {
        (true, [t, g, n]) => Ok(Wanted::Kube {
            target: own(t),
            namespace: (*g != NO_GROUP).then(|| own(g)),
            kind: (*g == NO_GROUP).then(|| own("node")),
            name: own(n),
        }),
        (true, [t, g, k, n]) => {
            let kind = k.to_ascii_lowercase();
            if !KINDS.contains(&kind.as_str()) {
                return Err(format!(
                    "`{k}` is not a kind opsdeck reads; one of {}",
                    KINDS.join(", ")
                ));
            }
            Ok(Wanted::Kube {
                target: own(t),
                namespace: (*g != NO_GROUP && kind != "node").then(|| own(g)),
                kind: Some(kind),
                name: own(n),
            })
        }
        (false, [t, n]) => Ok(Wanted::Docker {
            target: own(t),
            group: None,
            name: own(n),
        }),
        (false, [t, g, n]) => Ok(Wanted::Docker {
            target: own(t),
            group: (*g != NO_GROUP).then(|| own(g)),
            name: own(n),
        }),
        (false, [t, ..]) if !docker => Err(format!(
            "no Docker or Kubernetes target `{t}` (see opsdeck status for the targets configured)"
        )),
        _ => Err(bad()),
    }
}

/// Reads and describes the object at `address`.
pub async fn fetch(config: &Config, address: &str) -> Result<Fetched, String> {
    match parse(config, address)? {
        Wanted::Kube {
            target,
            namespace,
            kind,
            name,
        } => {
            let t = crate::connect::kube::targets(config)
                .into_iter()
                .find(|t| t.name == target)
                .ok_or_else(|| format!("no Kubernetes target `{target}`"))?;
            kube::fetch(&t, namespace.as_deref(), kind.as_deref(), &name).await
        }
        Wanted::Docker {
            target,
            group,
            name,
        } => {
            let endpoint = crate::connect::docker::targets(config)
                .into_iter()
                .find(|(n, _)| *n == target)
                .map(|(_, e)| e)
                .ok_or_else(|| format!("no Docker target `{target}`"))?;
            docker::fetch(&target, &endpoint, group.as_deref(), &name).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        toml::from_str(
            "[[docker]]\nname = \"local\"\n[[kubernetes]]\nname = \"prod\"\ncontext = \"prod\"\n",
        )
        .unwrap()
    }

    #[test]
    fn addresses_name_kubernetes_objects_and_docker_containers() {
        let c = config();
        let kube = |ns: Option<&str>, kind: Option<&str>, name: &str| Wanted::Kube {
            target: "prod".into(),
            namespace: ns.map(String::from),
            kind: kind.map(String::from),
            name: name.into(),
        };
        assert_eq!(
            parse(&c, "prod/shop/web").unwrap(),
            kube(Some("shop"), None, "web")
        );
        assert_eq!(
            parse(&c, "prod/_/node-1").unwrap(),
            kube(None, Some("node"), "node-1")
        );
        assert_eq!(
            parse(&c, "prod/shop/Secret/db").unwrap(),
            kube(Some("shop"), Some("secret"), "db")
        );
        let e = parse(&c, "prod/shop/ingress/x").unwrap_err();
        assert!(e.contains("not a kind opsdeck reads"), "{e}");
        let docker = |group: Option<&str>, name: &str| Wanted::Docker {
            target: "local".into(),
            group: group.map(String::from),
            name: name.into(),
        };
        assert_eq!(parse(&c, "local/web-1").unwrap(), docker(None, "web-1"));
        assert_eq!(parse(&c, "local/_/web-1").unwrap(), docker(None, "web-1"));
        assert_eq!(
            parse(&c, "local/shop/api").unwrap(),
            docker(Some("shop"), "api")
        );
        assert!(parse(&c, "local//x")
            .unwrap_err()
            .contains("not an object address"));
        assert!(parse(&c, "local/a/b/c")
            .unwrap_err()
            .contains("not an object address"));
    }
}
