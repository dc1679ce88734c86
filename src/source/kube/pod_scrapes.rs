//! Which pods ask to be scraped, by the annotations Prometheus's Kubernetes
//! discovery is usually configured with: `prometheus.io/scrape: "true"`,
//! `prometheus.io/port` (default: the first container's first port, as the
//! API server's pod proxy picks), `prometheus.io/path` (default `/metrics`)
//! and `prometheus.io/scheme` (default `http`). Each is read through the API
//! server's pod proxy, so it works from a laptop that cannot reach pod
//! addresses, with the credentials the target already has.

use super::pod_record::PodRecord;

pub const SCRAPE: &str = "prometheus.io/scrape";
pub const PORT: &str = "prometheus.io/port";
pub const PATH: &str = "prometheus.io/path";
pub const SCHEME: &str = "prometheus.io/scheme";

/// The proxy path to scrape a running pod at, when its annotations ask for it:
/// `/api/v1/namespaces/NS/pods/[https:]NAME:PORT/proxy/PATH`; or why a pod
/// that asks cannot be scraped (said, not silently dropped).
pub fn proxy_path(pod: &PodRecord) -> Option<Result<String, String>> {
    let meta = &pod.metadata;
    let notes = meta.annotations.as_ref()?;
    let wanted = notes.get(SCRAPE)?.trim();
    if !(wanted.eq_ignore_ascii_case("true") || wanted == "1") {
        return None;
    }
    let running = pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
    if !running {
        return None;
    }
    let ns = meta.namespace.as_deref().unwrap_or_default();
    let name = meta.name.as_deref().unwrap_or_default();
    let first_port = || {
        let c = pod.spec.as_ref()?.containers.first()?;
        u16::try_from(c.ports.as_ref()?.first()?.container_port).ok()
    };
    let port = match notes.get(PORT) {
        Some(p) => match p.trim().parse::<u16>() {
            Ok(port) => port,
            Err(_) => {
                return Some(Err(format!(
                    "pod {ns}/{name} asks to be scraped, but its {PORT} annotation {p:?} is not a port number"
                )))
            }
        },
        None => match first_port() {
            Some(port) => port,
            None => {
                return Some(Err(format!(
                    "pod {ns}/{name} asks to be scraped, but has no {PORT} annotation and its first container declares no port"
                )))
            }
        },
    };
    let path = notes.get(PATH).map_or("/metrics", |p| p.trim());
    let path = path.strip_prefix('/').unwrap_or(path);
    let scheme = match notes.get(SCHEME).map(|s| s.trim()) {
        Some("https") => "https:",
        _ => "",
    };
    Some(Ok(format!(
        "/api/v1/namespaces/{ns}/pods/{scheme}{name}:{port}/proxy/{path}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(annotations: serde_json::Value, phase: &str) -> PodRecord {
        serde_json::from_value(json!({
            "metadata": {"name": "api-7d9-x2", "namespace": "shop", "annotations": annotations},
            "spec": {"containers": [{"name": "api", "ports": [{"containerPort": 8080}, {"containerPort": 9000}]}]},
            "status": {"phase": phase}
        }))
        .unwrap()
    }

    #[test]
    fn an_annotated_running_pod_is_read_through_the_proxy() {
        let p = pod(json!({"prometheus.io/scrape": "true"}), "Running");
        assert_eq!(
            proxy_path(&p),
            Some(Ok(
                "/api/v1/namespaces/shop/pods/api-7d9-x2:8080/proxy/metrics".into()
            ))
        );
        let p = pod(
            json!({"prometheus.io/scrape": "true", "prometheus.io/port": "9000",
                   "prometheus.io/path": "/internal/prom", "prometheus.io/scheme": "https"}),
            "Running",
        );
        assert_eq!(
            proxy_path(&p),
            Some(Ok(
                "/api/v1/namespaces/shop/pods/https:api-7d9-x2:9000/proxy/internal/prom".into()
            ))
        );
    }

    #[test]
    fn pods_not_asking_or_not_running_are_not_scraped_and_a_bad_port_is_said() {
        assert_eq!(proxy_path(&pod(json!({}), "Running")), None);
        assert_eq!(
            proxy_path(&pod(json!({"prometheus.io/scrape": "false"}), "Running")),
            None
        );
        assert_eq!(
            proxy_path(&pod(json!({"prometheus.io/scrape": "true"}), "Pending")),
            None
        );
        let bad_port = json!({"prometheus.io/scrape": "true", "prometheus.io/port": "http"});
        let why = proxy_path(&pod(bad_port, "Running")).unwrap().unwrap_err();
        assert!(
            why.contains("shop/api-7d9-x2") && why.contains("\"http\" is not a port"),
            "{why}"
        );
    }
}
