//! Request handling: routing, the faults' effect on each route, and the
//! bookkeeping of every answer in the metrics.

use std::fmt;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body, Bytes};
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};

use super::exposition;
use super::faults::{DownMode, FaultPatch, Faults, MAX_DELAY};
use super::metrics::{Registry, ServiceStatus};

/// A `POST /fault` body is a few fields; anything bigger is a mistake.
const MAX_PATCH_BYTES: usize = 16 * 1024;

/// The routes the service knows; also the `route` label of its metrics,
/// which therefore has a fixed, small set of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Root,
    Work,
    Health,
    Metrics,
    Fault,
    Other,
}

impl Route {
    pub fn from_path(path: &str) -> Self {
        match path {
            "/" => Route::Root,
            "/work" => Route::Work,
            "/health" => Route::Health,
            "/metrics" => Route::Metrics,
            "/fault" => Route::Fault,
            _ => Route::Other,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Route::Root => "/",
            Route::Work => "/work",
            Route::Health => "/health",
            Route::Metrics => "/metrics",
            Route::Fault => "/fault",
            Route::Other => "other",
        }
    }
}

/// Returned instead of a response while the service is down in `close`
/// mode: hyper then drops the connection without answering.
#[derive(Debug)]
pub struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("refused by the down fault")
    }
}

impl std::error::Error for Refused {}

/// State shared by every connection of one server.
#[derive(Debug)]
pub struct App {
    pub version: String,
    pub faults: Faults,
    pub metrics: Registry,
}

pub type DemoResponse = Response<Full<Bytes>>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl App {
    /// Answers one request and records it. `/fault` stays reachable while
    /// down, so a test or an operator can bring the service back.
    pub async fn handle<B>(&self, req: Request<B>) -> Result<DemoResponse, Refused>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let started = Instant::now();
        let route = Route::from_path(req.uri().path());
        let down = self.faults.snapshot().down;
        let response = match (down, route) {
            (DownMode::Close, r) if r != Route::Fault => return Err(Refused),
            (DownMode::Unavailable, r) if r != Route::Fault => {
                text(StatusCode::SERVICE_UNAVAILABLE, "down\n")
            }
            _ => self.route(route, req).await,
        };
        self.metrics
            .observe(route, response.status().as_u16(), started.elapsed());
        Ok(response)
    }

    async fn route<B>(&self, route: Route, req: Request<B>) -> DemoResponse
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let method = req.method().clone();
        match (route, &method) {
            (Route::Root | Route::Work, &Method::GET) => self.work(route, req.uri().query()).await,
            (Route::Health, &Method::GET) => self.health(),
            (Route::Metrics, &Method::GET) => self.metrics_page(),
            (Route::Fault, &Method::GET) => json(StatusCode::OK, &self.faults.view()),
            (Route::Fault, &Method::POST) => self.patch_faults(req.into_body()).await,
            (Route::Fault, _) => not_allowed("GET, POST"),
            (Route::Other, _) => text(StatusCode::NOT_FOUND, "not found\n"),
            _ => not_allowed("GET"),
        }
    }

    /// The handler the slow and errors faults act on.
    async fn work(&self, route: Route, query: Option<&str>) -> DemoResponse {
        let asked = match requested_delay(query) {
            Ok(d) => d,
            Err(message) => return text(StatusCode::BAD_REQUEST, &message),
        };
        let faults = self.faults.snapshot();
        let delay = (asked + faults.slow_delay(fastrand::f64())).min(MAX_DELAY);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        if faults.fails(fastrand::f64()) {
            return text(StatusCode::INTERNAL_SERVER_ERROR, "injected error\n");
        }
        let body = match route {
            Route::Root => format!("opsdeck demo {}\n", self.version),
            _ => format!("worked {} ms\n", delay.as_millis()),
        };
        text(StatusCode::OK, &body)
    }

    fn health(&self) -> DemoResponse {
        if self.faults.snapshot().unhealthy {
            text(StatusCode::SERVICE_UNAVAILABLE, "unhealthy\n")
        } else {
            text(StatusCode::OK, "ok\n")
        }
    }

    fn metrics_page(&self) -> DemoResponse {
        let faults = self.faults.view();
        let body = self.metrics.render(&ServiceStatus {
            version: &self.version,
            healthy: !faults.unhealthy,
            faults: &faults,
        });
        with_type(StatusCode::OK, body, exposition::CONTENT_TYPE)
    }

    async fn patch_faults<B>(&self, body: B) -> DemoResponse
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let bytes = match Limited::new(body, MAX_PATCH_BYTES).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(err) if err.is::<http_body_util::LengthLimitError>() => {
                return text(StatusCode::PAYLOAD_TOO_LARGE, "fault patch too large\n")
            }
            Err(err) => return text(StatusCode::BAD_REQUEST, &format!("reading body: {err}\n")),
        };
        let patch: FaultPatch = match serde_json::from_slice(&bytes) {
            Ok(p) => p,
            Err(err) => return text(StatusCode::BAD_REQUEST, &format!("{err}\n")),
        };
        match self.faults.apply(&patch) {
            Ok(view) => json(StatusCode::OK, &view),
            Err(message) => text(StatusCode::BAD_REQUEST, &format!("{message}\n")),
        }
    }
}

/// Reads `?ms=N`, the extra delay a caller asks `/work` for.
fn requested_delay(query: Option<&str>) -> Result<Duration, String> {
    let Some(query) = query else {
        return Ok(Duration::ZERO);
    };
    for pair in query.split('&') {
        if let Some(value) = pair.strip_prefix("ms=") {
            return value
                .parse::<u64>()
                .map(|ms| Duration::from_millis(ms).min(MAX_DELAY))
                .map_err(|_| {
                    format!("ms must be a whole number of milliseconds, not {value:?}\n")
                });
        }
    }
    Ok(Duration::ZERO)
}

fn text(status: StatusCode, body: &str) -> DemoResponse {
    with_type(status, body.to_owned(), "text/plain; charset=utf-8")
}

fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> DemoResponse {
    let body = serde_json::to_string(value).expect("fault view serialises");
    with_type(status, body, "application/json")
}

fn not_allowed(allow: &'static str) -> DemoResponse {
    let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    response
}

fn with_type(status: StatusCode, body: String, content_type: &'static str) -> DemoResponse {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[cfg(test)]
#[path = "routes_tests.rs"]
mod tests;
