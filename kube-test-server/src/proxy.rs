//! The pod proxy subresource (`/api/v1/namespaces/NS/pods/[SCHEME:]NAME[:PORT]/proxy/PATH`):
//! the API server forwards the request to the pod's IP and port and hands back the pod's answer,
//! status, content type and body as they came. As in Kubernetes, a `hostNetwork` pod's IP is its
//! node's, and this server's nodes are this machine (127.0.0.1), so a hostNetwork pod whose port
//! is a real local server is reachable through the proxy; other pods' IPs (10.244.x.y) are not,
//! and the proxy says so as the real one does (503, `error trying to reach service`).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::resources;
use crate::status::{ApiError, ApiResult};
use crate::Cluster;

/// How long the proxy waits to connect to and hear from the pod.
const POD_TIMEOUT: Duration = Duration::from_secs(10);

/// Splits `[scheme:]name[:port]` as the API server does.
fn parse_target(text: &str) -> (Option<&str>, &str, Option<&str>) {
    let parts: Vec<&str> = text.splitn(3, ':').collect();
    match parts.as_slice() {
        [scheme @ ("http" | "https"), name, port] => (Some(scheme), name, Some(port)),
        [scheme @ ("http" | "https"), name] if !name.chars().all(|c| c.is_ascii_digit()) => {
            (Some(scheme), name, None)
        }
        [name, port] => (None, name, Some(port)),
        [name] => (None, name, None),
        _ => (None, text, None),
    }
}

/// The port to reach: a number, a container port's name, or (none given) the first
/// container's first port.
fn port_of(pod: &Value, port: Option<&str>) -> ApiResult<u16> {
    let ports: Vec<&Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["ports"].as_array().into_iter().flatten())
        .collect();
    let number = |p: &Value| {
        p["containerPort"]
            .as_u64()
            .and_then(|n| u16::try_from(n).ok())
    };
    match port {
        Some(p) if p.chars().all(|c| c.is_ascii_digit()) => p
            .parse()
            .map_err(|_| ApiError::bad_request(format!("invalid port {p:?}"))),
        Some(named) => ports
            .iter()
            .find(|p| p["name"] == named)
            .and_then(|p| number(p))
            .ok_or_else(|| {
                ApiError::service_unavailable(format!("no such port {named:?} on the pod"))
            }),
        None => Ok(ports.first().and_then(|p| number(p)).unwrap_or(80)),
    }
}

pub async fn pod_proxy(
    cluster: Cluster,
    ns: &str,
    target: &str,
    path: &str,
    query: Option<&str>,
) -> ApiResult<Response> {
    let (scheme, name, port) = parse_target(target);
    if scheme == Some("https") {
        return Err(ApiError::service_unavailable(
            "error trying to reach service: the test API server proxies plain HTTP only",
        ));
    }
    let pod = cluster
        .lock()
        .store
        .require(resources::get("", "pods"), ns, name)?;
    let ip = pod["status"]["podIP"].as_str().unwrap_or_default();
    if ip.is_empty() {
        return Err(ApiError::service_unavailable(format!(
            "error trying to reach service: pod {name} has no IP address yet"
        )));
    }
    let port = port_of(&pod, port)?;
    let path = match query {
        Some(q) => format!("/{path}?{q}"),
        None => format!("/{path}"),
    };
    let unreachable = |why: String| {
        ApiError::service_unavailable(format!(
            "error trying to reach service: dial tcp {ip}:{port}: {why}"
        ))
    };
    let answer = tokio::time::timeout(POD_TIMEOUT, fetch(ip, port, &path))
        .await
        .map_err(|_| unreachable("i/o timeout".into()))?
        .map_err(|e| unreachable(e.to_string()))?;
    parse_answer(&answer).ok_or_else(|| unreachable("malformed HTTP response".into()))
}

/// One HTTP/1.0 exchange, so the answer ends where the connection does (no chunking).
async fn fetch(ip: &str, port: u16, path: &str) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect((ip, port)).await?;
    let request =
        format!("GET {path} HTTP/1.0\r\nHost: {ip}:{port}\r\nAccept: */*\r\nUser-Agent: kube-test-server\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    Ok(answer)
}

fn parse_answer(answer: &[u8]) -> Option<Response> {
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&answer[..split]).ok()?;
    let body = answer[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let code: u16 = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let content_type = lines.find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("content-type")
            .then(|| v.trim().to_string())
    });
    let code = StatusCode::from_u16(code).ok()?;
    let mut resp = (code, body).into_response();
    if let Some(ct) = content_type.and_then(|ct| ct.parse().ok()) {
        resp.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    Some(resp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_proxy_target_names_scheme_pod_and_port_as_kubectl_writes_them() {
        assert_eq!(parse_target("web-1"), (None, "web-1", None));
        assert_eq!(parse_target("web-1:8080"), (None, "web-1", Some("8080")));
        assert_eq!(
            parse_target("https:web-1:8443"),
            (Some("https"), "web-1", Some("8443"))
        );
        assert_eq!(parse_target("http:web-1"), (Some("http"), "web-1", None));
    }

    #[test]
    fn a_port_is_a_number_a_container_port_name_or_the_first_declared() {
        let pod = json!({"spec": {"containers": [{"ports": [
            {"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9100}]}]}});
        assert_eq!(port_of(&pod, Some("9000")).unwrap(), 9000);
        assert_eq!(port_of(&pod, Some("metrics")).unwrap(), 9100);
        assert_eq!(port_of(&pod, None).unwrap(), 8080);
        assert_eq!(port_of(&pod, Some("admin")).unwrap_err().code, 503);
        assert_eq!(port_of(&json!({}), None).unwrap(), 80);
    }

    #[test]
    fn the_pods_answer_is_handed_back_with_its_status_and_content_type() {
        let resp = parse_answer(
            b"HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n\r\nup 1\n",
        )
        .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            resp.headers()[header::CONTENT_TYPE],
            "text/plain; version=0.0.4"
        );
        assert!(parse_answer(b"garbage").is_none());
    }
}
