//! A minimal HTTP/1 client for `http://` URLs: the container HEALTHCHECK
//! (a `FROM scratch` image has no curl) and the tests use it.

use std::io;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{CONNECTION, CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Bodies larger than this are an error rather than a memory spike.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// What came back from one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

/// The parts of an `http://host:port/path?query` URL a request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    /// `host:port` as given (port 80 added when absent), for connecting.
    pub authority: String,
    /// Path and query, at least `/`.
    pub target: String,
}

impl HttpUrl {
    pub fn parse(url: &str) -> io::Result<Self> {
        let invalid =
            |why: &str| io::Error::new(io::ErrorKind::InvalidInput, format!("{url}: {why}"));
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| invalid("only http:// URLs are supported"))?;
        let (authority, target) = match rest.find(['/', '?']) {
            Some(i) if rest.as_bytes()[i] == b'?' => (&rest[..i], format!("/{}", &rest[i..])),
            Some(i) => (&rest[..i], rest[i..].to_owned()),
            None => (rest, "/".to_owned()),
        };
        if authority.is_empty() || authority.contains('@') {
            return Err(invalid("expected a host[:port] after http://"));
        }
        // A colon after the last `]` (or anywhere, without brackets) is a port.
        let host_end = authority.rfind(']').map_or(0, |i| i + 1);
        let authority = match authority[host_end..].rfind(':') {
            Some(i) => {
                let port = &authority[host_end + i + 1..];
                port.parse::<u16>().map_err(|_| invalid("bad port"))?;
                authority.to_owned()
            }
            None => format!("{authority}:80"),
        };
        Ok(Self { authority, target })
    }
}

/// Sends one request and reads the whole answer within `timeout`.
pub async fn request(
    method: Method,
    url: &str,
    body: Option<&str>,
    timeout: Duration,
) -> io::Result<HttpResponse> {
    let url = HttpUrl::parse(url)?;
    tokio::time::timeout(timeout, exchange(method, &url, body))
        .await
        .map_err(|_| {
            io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no answer within {timeout:?}"),
            )
        })?
}

pub async fn get(url: &str, timeout: Duration) -> io::Result<HttpResponse> {
    request(Method::GET, url, None, timeout).await
}

/// Posts a JSON body.
pub async fn post_json(url: &str, json: &str, timeout: Duration) -> io::Result<HttpResponse> {
    request(Method::POST, url, Some(json), timeout).await
}

async fn exchange(method: Method, url: &HttpUrl, body: Option<&str>) -> io::Result<HttpResponse> {
    let stream = TcpStream::connect(&url.authority).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(io::Error::other)?;
    let driver = tokio::spawn(conn);
    let mut builder = Request::builder()
        .method(method)
        .uri(&url.target)
        .header(HOST, &url.authority)
        .header(CONNECTION, "close");
    if body.is_some() {
        builder = builder.header(CONTENT_TYPE, "application/json");
    }
    let req = builder
        .body(Full::new(Bytes::from(body.unwrap_or_default().to_owned())))
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let response = sender.send_request(req).await.map_err(io::Error::other)?;
    let status = response.status().as_u16();
    let bytes = Limited::new(response.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
        .map_err(io::Error::other)?
        .to_bytes();
    driver.abort();
    Ok(HttpResponse {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// A health check for `HEALTHCHECK` and scripts: 0 when `url` answers 2xx
/// within `timeout`, 1 otherwise, with one line saying what was seen.
pub async fn check(url: &str, timeout: Duration) -> u8 {
    match get(url, timeout).await {
        Ok(r) if (200..300).contains(&r.status) => {
            println!("{url}: {} {}", r.status, r.body.trim());
            0
        }
        Ok(r) => {
            println!("{url}: unhealthy: {} {}", r.status, r.body.trim());
            1
        }
        Err(err) => {
            println!("{url}: unreachable: {err}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> (String, String) {
        let u = HttpUrl::parse(url).unwrap();
        (u.authority, u.target)
    }

    #[test]
    fn parses_host_port_and_target() {
        let p = |a: &str, t: &str| (a.to_owned(), t.to_owned());
        assert_eq!(
            parsed("http://127.0.0.1:8080/health"),
            p("127.0.0.1:8080", "/health")
        );
        assert_eq!(parsed("http://localhost"), p("localhost:80", "/"));
        assert_eq!(parsed("http://h:1/work?ms=5"), p("h:1", "/work?ms=5"));
        assert_eq!(parsed("http://h:1?ms=5"), p("h:1", "/?ms=5"));
        assert_eq!(parsed("http://[::1]:9000/x"), p("[::1]:9000", "/x"));
        assert_eq!(parsed("http://[::1]/x"), p("[::1]:80", "/x"));
    }

    #[test]
    fn rejects_what_it_cannot_fetch() {
        for url in [
            "https://h/",
            "h:80/",
            "http://",
            "http://u@h/",
            "http://h:99999/",
            "http://h:x/",
        ] {
            let err = HttpUrl::parse(url).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{url}");
            assert!(err.to_string().starts_with(url), "{err}");
        }
    }

    #[tokio::test]
    async fn check_reports_unreachable_as_unhealthy() {
        // Bind then drop, so the port is very likely closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/health");
        assert_eq!(check(&url, Duration::from_secs(2)).await, 1);
        assert_eq!(check("ftp://x", Duration::from_secs(2)).await, 1);
    }

    #[tokio::test]
    async fn request_times_out_on_a_silent_server() {
        // Accepts but never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let err = get(&url, Duration::from_millis(100)).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        drop(listener);
    }
}
