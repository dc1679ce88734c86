//! The load generator's connections: hyper driven directly, one HTTP/1.1
//! keep-alive connection per worker, or one HTTP/2 connection whose streams
//! all workers share. reqwest (`crate::connect::http`) adds a pool, redirects and a
//! per-request allocation of its own that cost throughput here and blur
//! which connection a latency belongs to; TLS comes from the same place.

use super::errors::{classify, ErrorKind, Stage};
use super::spec::{Endpoint, LoadSpec};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::client::conn::{http1, http2};
use hyper::header::{HeaderName, HeaderValue, HOST, USER_AGENT};
use hyper::{Method, Request, Uri};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::ServerName;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

type Body = Full<Bytes>;

/// What each request carries, built once.
struct Template {
    method: Method,
    /// Origin form for HTTP/1.1, absolute for HTTP/2 (its `:authority`).
    uri: Uri,
    host: HeaderValue,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

/// Opens connections to the endpoint and builds requests; shared by workers.
pub struct Connector {
    endpoint: Endpoint,
    tls: Option<(TlsConnector, ServerName<'static>)>,
    http2: bool,
    template: Template,
    /// The HTTP/2 connection the workers share, opened by the first to need it.
    shared: tokio::sync::Mutex<Option<http2::SendRequest<Body>>>,
}

/// One worker's way to the server.
pub enum Sender {
    H1(Option<http1::SendRequest<Body>>),
    H2,
}

impl Connector {
    pub fn new(spec: &LoadSpec) -> Result<Arc<Self>, String> {
        let e = &spec.endpoint;
        let tls = if e.https {
            let alpn: &[&[u8]] = if spec.http2 { &[b"h2"] } else { &[b"http/1.1"] };
            let config = crate::connect::http::tls_client_config(alpn)?;
            let name = ServerName::try_from(e.host.clone())
                .map_err(|_| format!("`{}` is not a name TLS can verify", e.host))?;
            Some((TlsConnector::from(config), name))
        } else {
            None
        };
        let uri = if spec.http2 {
            let scheme = if e.https { "https" } else { "http" };
            format!("{scheme}://{}{}", e.authority(), e.path)
        } else {
            e.path.clone()
        };
        let uri: Uri = uri.parse().map_err(|err| format!("{}: {err}", e.path))?;
        let host = HeaderValue::from_str(&e.authority()).map_err(|err| err.to_string())?;
        let mut headers = spec.headers.clone();
        if !headers.iter().any(|(n, _)| n == USER_AGENT) {
            headers.push((
                USER_AGENT,
                HeaderValue::from_static(concat!("opsdeck/", env!("CARGO_PKG_VERSION"))),
            ));
        }
        Ok(Arc::new(Connector {
            endpoint: e.clone(),
            tls,
            http2: spec.http2,
            template: Template {
                method: spec.method.clone(),
                uri,
                host,
                headers,
                body: Bytes::from(spec.body.clone()),
            },
            shared: tokio::sync::Mutex::new(None),
        }))
    }

    pub fn sender(&self) -> Sender {
        if self.http2 {
            Sender::H2
        } else {
            Sender::H1(None)
        }
    }

    fn request(&self) -> Request<Body> {
        let t = &self.template;
        let mut req = Request::new(Full::new(t.body.clone()));
        *req.method_mut() = t.method.clone();
        *req.uri_mut() = t.uri.clone();
        let h = req.headers_mut();
        if !self.http2 {
            h.insert(HOST, t.host.clone());
        }
        for (n, v) in &t.headers {
            h.append(n.clone(), v.clone());
        }
        req
    }

    async fn stream(&self) -> Result<TokioIo<Stream>, ErrorKind> {
        let tcp = TcpStream::connect((self.endpoint.host.as_str(), self.endpoint.port))
            .await
            .map_err(|e| classify(Stage::Connect, &e))?;
        let _ = tcp.set_nodelay(true);
        let stream = match &self.tls {
            None => Stream::Plain(tcp),
            Some((connector, name)) => Stream::Tls(Box::new(
                connector
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(|e| classify(Stage::Tls, &e))?,
            )),
        };
        Ok(TokioIo::new(stream))
    }

    async fn open_h1(&self) -> Result<http1::SendRequest<Body>, ErrorKind> {
        let io = self.stream().await?;
        let (sender, conn) = http1::handshake(io)
            .await
            .map_err(|e| classify(Stage::Exchange, &e))?;
        tokio::spawn(conn);
        Ok(sender)
    }

    async fn shared_h2(&self) -> Result<http2::SendRequest<Body>, ErrorKind> {
        let mut slot = self.shared.lock().await;
        if let Some(s) = slot.as_ref().filter(|s| !s.is_closed()) {
            return Ok(s.clone());
        }
        let io = self.stream().await?;
        let (sender, conn) = http2::handshake(TokioExecutor::new(), io)
            .await
            .map_err(|e| classify(Stage::Exchange, &e))?;
        tokio::spawn(conn);
        *slot = Some(sender.clone());
        Ok(sender)
    }

    /// Sends one request on `sender` (connecting first when needed), reads
    /// the whole answer and returns its status.
    pub async fn send(&self, sender: &mut Sender) -> Result<u16, ErrorKind> {
        self.exchange(sender, self.request(), None).await
    }

    /// A request of a scenario: its own method, path, headers and body on
    /// this endpoint (the run's `-H` headers first).
    pub fn build(
        &self,
        method: &Method,
        path: &str,
        headers: &[(HeaderName, HeaderValue)],
        body: Bytes,
    ) -> Result<Request<Body>, ErrorKind> {
        let uri: Uri = if self.http2 {
            let scheme = if self.endpoint.https { "https" } else { "http" };
            format!("{scheme}://{}{path}", self.endpoint.authority()).parse()
        } else {
            path.parse()
        }
        .map_err(|_| ErrorKind::Other)?;
        let mut req = self.request();
        *req.body_mut() = Full::new(body);
        *req.method_mut() = method.clone();
        *req.uri_mut() = uri;
        for (n, v) in headers {
            req.headers_mut().insert(n.clone(), v.clone());
        }
        Ok(req)
    }

    /// Sends `req` on `sender`, reads the whole answer (into `keep` when
    /// given, for a scenario's body check) and returns its status.
    pub async fn exchange(
        &self,
        sender: &mut Sender,
        req: Request<Body>,
        mut keep: Option<&mut Vec<u8>>,
    ) -> Result<u16, ErrorKind> {
        let response = match sender {
            Sender::H1(slot) => {
                if slot.as_ref().is_none_or(|s| s.is_closed()) {
                    *slot = Some(self.open_h1().await?);
                }
                let s = slot.as_mut().expect("connected above");
                let sent = async {
                    s.ready().await?;
                    s.send_request(req).await
                }
                .await;
                if sent.is_err() {
                    *slot = None;
                }
                sent
            }
            Sender::H2 => {
                let mut s = self.shared_h2().await?;
                s.send_request(req).await
            }
        }
        .map_err(|e| classify(Stage::Exchange, &e))?;
        let status = response.status().as_u16();
        let mut body = response.into_body();
        while let Some(frame) = body.frame().await {
            match frame {
                Err(e) => {
                    if let Sender::H1(slot) = sender {
                        *slot = None;
                    }
                    return Err(classify(Stage::Exchange, &e));
                }
                Ok(f) => {
                    if let (Some(keep), Some(data)) = (keep.as_deref_mut(), f.data_ref()) {
                        keep.extend_from_slice(data);
                    }
                }
            }
        }
        Ok(status)
    }
}

/// A TCP connection, with TLS or without.
enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => std::pin::Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => std::pin::Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => std::pin::Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => std::pin::Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => std::pin::Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => std::pin::Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => std::pin::Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => std::pin::Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
