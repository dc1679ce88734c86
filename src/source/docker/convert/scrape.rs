//! Which containers ask to be scraped, the way Prometheus's own Docker
//! discovery is usually configured: `prometheus.io/scrape=true`, with
//! `prometheus.io/port`, `prometheus.io/path` (default `/metrics`) and
//! `prometheus.io/scheme` (default `http`).

use bollard::models::ContainerInspectResponse;
use std::collections::HashMap;

pub const SCRAPE_LABEL: &str = "prometheus.io/scrape";
pub const PORT_LABEL: &str = "prometheus.io/port";
pub const PATH_LABEL: &str = "prometheus.io/path";
pub const SCHEME_LABEL: &str = "prometheus.io/scheme";

/// The host an engine's published ports are reached on: the loopback for a
/// local socket, else the engine's own host name.
pub fn engine_host(docker_host: &str) -> String {
    let rest = docker_host
        .split_once("://")
        .map_or(docker_host, |(_, rest)| rest);
    if docker_host.starts_with("unix:") || docker_host.starts_with("npipe:") || rest.is_empty() {
        return "127.0.0.1".into();
    }
    let authority = rest.split('/').next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match host_port.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h.to_string(),
        _ => host_port.to_string(),
    }
}

/// The URL to scrape a running container at, when its labels ask for it:
/// through a published port on the engine's host when the port is
/// published, else the container's own address (reachable from the engine's
/// host on a bridge network).
pub fn scrape_url(c: &ContainerInspectResponse, engine_host: &str) -> Option<String> {
    let empty = HashMap::new();
    let labels = c
        .config
        .as_ref()
        .and_then(|c| c.labels.as_ref())
        .unwrap_or(&empty);
    let wanted = labels.get(SCRAPE_LABEL)?.trim();
    if !(wanted.eq_ignore_ascii_case("true") || wanted == "1") {
        return None;
    }
    let running = c.state.as_ref().and_then(|s| s.running).unwrap_or(false);
    if !running {
        return None;
    }
    let net = c.network_settings.as_ref();
    let port: u16 = match labels.get(PORT_LABEL) {
        Some(p) => p.trim().parse().ok()?,
        // Without a port label, the one port the image exposes.
        None => {
            let exposed: Vec<u16> = c
                .config
                .as_ref()
                .and_then(|c| c.exposed_ports.as_ref())
                .map(|p| {
                    p.iter()
                        .filter_map(|k| k.split('/').next()?.parse().ok())
                        .collect()
                })
                .unwrap_or_default();
            match exposed[..] {
                [only] => only,
                _ => return None,
            }
        }
    };
    let path = labels.get(PATH_LABEL).map_or("/metrics", |p| p.as_str());
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    let scheme = labels.get(SCHEME_LABEL).map_or("http", |s| s.as_str());
    let published = net
        .and_then(|n| n.ports.as_ref())
        .and_then(|p| p.get(&format!("{port}/tcp")))
        .and_then(|b| b.as_ref())
        .and_then(|b| {
            b.iter()
                .find_map(|b| b.host_port.as_deref()?.parse::<u16>().ok())
        });
    let (host, port) = match published {
        Some(host_port) => (engine_host.to_string(), host_port),
        None => {
            let ip = net.and_then(|n| n.networks.as_ref()).and_then(|nets| {
                let mut ips: Vec<&String> = nets
                    .values()
                    .filter_map(|e| e.ip_address.as_ref())
                    .filter(|ip| !ip.is_empty())
                    .collect();
                ips.sort();
                ips.first().map(|ip| ip.to_string())
            })?;
            (ip, port)
        }
    };
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    Some(format!("{scheme}://{host}:{port}{path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inspect(json: serde_json::Value) -> ContainerInspectResponse {
        serde_json::from_value(json).unwrap()
    }

    fn base(labels: serde_json::Value, ports: serde_json::Value) -> ContainerInspectResponse {
        inspect(serde_json::json!({
            "Name": "/shop-api-1",
            "State": {"Running": true, "Status": "running"},
            "Config": {"Labels": labels, "ExposedPorts": {"8080/tcp": {}}},
            "NetworkSettings": {
                "Ports": ports,
                "Networks": {"shop_default": {"IPAddress": "172.18.0.5"}}
            }
        }))
    }

    #[test]
    fn labelled_containers_are_scraped_on_their_published_port_or_their_address() {
        let labels =
            serde_json::json!({"prometheus.io/scrape": "true", "prometheus.io/port": "8080"});
        let published =
            serde_json::json!({"8080/tcp": [{"HostIp": "0.0.0.0", "HostPort": "49153"}]});
        assert_eq!(
            scrape_url(&base(labels.clone(), published), "127.0.0.1").as_deref(),
            Some("http://127.0.0.1:49153/metrics")
        );
        let unpublished = serde_json::json!({"8080/tcp": null});
        assert_eq!(
            scrape_url(&base(labels, unpublished), "127.0.0.1").as_deref(),
            Some("http://172.18.0.5:8080/metrics")
        );
    }

    #[test]
    fn path_scheme_and_the_one_exposed_port() {
        let labels = serde_json::json!({"prometheus.io/scrape": "true",
            "prometheus.io/path": "internal/metrics", "prometheus.io/scheme": "https"});
        assert_eq!(
            scrape_url(&base(labels, serde_json::json!({})), "h").as_deref(),
            Some("https://172.18.0.5:8080/internal/metrics")
        );
    }

    #[test]
    fn unlabelled_stopped_or_portless_containers_are_not() {
        let none = base(serde_json::json!({}), serde_json::json!({}));
        assert_eq!(scrape_url(&none, "h"), None);
        let off = base(
            serde_json::json!({"prometheus.io/scrape": "false"}),
            serde_json::json!({}),
        );
        assert_eq!(scrape_url(&off, "h"), None);
        let mut stopped = base(
            serde_json::json!({"prometheus.io/scrape": "true"}),
            serde_json::json!({}),
        );
        stopped.state.as_mut().unwrap().running = Some(false);
        assert_eq!(scrape_url(&stopped, "h"), None);
        let bad_port = base(
            serde_json::json!({"prometheus.io/scrape": "true", "prometheus.io/port": "http"}),
            serde_json::json!({}),
        );
        assert_eq!(scrape_url(&bad_port, "h"), None);
    }

    #[test]
    fn the_engine_host_comes_from_docker_host() {
        assert_eq!(engine_host("unix:///var/run/docker.sock"), "127.0.0.1");
        assert_eq!(engine_host("tcp://10.0.0.7:2376"), "10.0.0.7");
        assert_eq!(engine_host("ssh://ops@bastion.example"), "bastion.example");
        assert_eq!(engine_host("ssh://ops@bastion:2222"), "bastion");
    }
}
