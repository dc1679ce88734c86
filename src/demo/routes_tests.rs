//! Handler tests without a socket: requests go straight to `App::handle`.

use super::*;
use crate::demo::faults::{FaultSettings, FaultView};

fn app(settings: FaultSettings) -> App {
    App {
        version: "9.9.9".to_owned(),
        faults: Faults::new(settings),
        metrics: Registry::new(),
    }
}

fn request(method: Method, uri: &str, body: &str) -> Request<Full<Bytes>> {
    Request::builder()
        .method(method)
        .uri(uri)
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap()
}

async fn call(app: &App, method: Method, uri: &str, body: &str) -> (u16, String) {
    let response = app
        .handle(request(method, uri, body))
        .await
        .expect("answered");
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn get(app: &App, uri: &str) -> (u16, String) {
    call(app, Method::GET, uri, "").await
}

fn metric_line(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn routes_map_paths_to_labels() {
    assert_eq!(Route::from_path("/"), Route::Root);
    assert_eq!(Route::from_path("/work"), Route::Work);
    assert_eq!(Route::from_path("/health"), Route::Health);
    assert_eq!(Route::from_path("/metrics"), Route::Metrics);
    assert_eq!(Route::from_path("/fault"), Route::Fault);
    assert_eq!(Route::from_path("/work/"), Route::Other);
    assert_eq!(Route::Other.label(), "other");
}

#[test]
fn requested_delay_reads_ms() {
    assert_eq!(requested_delay(None), Ok(Duration::ZERO));
    assert_eq!(requested_delay(Some("a=1")), Ok(Duration::ZERO));
    assert_eq!(
        requested_delay(Some("a=1&ms=25")),
        Ok(Duration::from_millis(25))
    );
    assert_eq!(requested_delay(Some("ms=99999999")), Ok(MAX_DELAY));
    assert!(requested_delay(Some("ms=-4")).is_err());
}

#[tokio::test]
async fn health_root_and_work_answer() {
    let app = app(FaultSettings::default());
    assert_eq!(get(&app, "/health").await, (200, "ok\n".to_owned()));
    assert_eq!(
        get(&app, "/").await,
        (200, "opsdeck demo 9.9.9\n".to_owned())
    );
    let (status, body) = get(&app, "/work").await;
    assert_eq!(status, 200);
    assert!(body.starts_with("worked "), "{body}");
}

#[tokio::test]
async fn work_waits_for_the_requested_delay() {
    let app = app(FaultSettings::default());
    let started = Instant::now();
    let (status, body) = get(&app, "/work?ms=60").await;
    assert_eq!(status, 200);
    assert!(started.elapsed() >= Duration::from_millis(60));
    assert_eq!(body, "worked 60 ms\n");
    assert_eq!(get(&app, "/work?ms=x").await.0, 400);
}

#[tokio::test]
async fn slow_fault_delays_work_but_not_health() {
    let app = app(FaultSettings {
        slow_ms: 1500,
        slow_jitter: 0.0,
        ..FaultSettings::default()
    });
    // Wide margin: health must not carry the injected delay, even on a busy machine.
    let started = Instant::now();
    assert_eq!(get(&app, "/health").await.0, 200);
    assert!(started.elapsed() < Duration::from_millis(1000));
    let started = Instant::now();
    assert_eq!(get(&app, "/work").await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(1500));
}

#[tokio::test]
async fn error_fault_fails_work_only() {
    let app = app(FaultSettings {
        error_ratio: 1.0,
        ..FaultSettings::default()
    });
    assert_eq!(
        get(&app, "/work").await,
        (500, "injected error\n".to_owned())
    );
    assert_eq!(get(&app, "/").await.0, 500);
    assert_eq!(get(&app, "/health").await.0, 200);
    let metrics = get(&app, "/metrics").await.1;
    let failed = "demo_http_requests_total{route=\"/work\",status=\"500\"}";
    assert_eq!(metric_line(&metrics, failed), Some(1.0));
}

#[tokio::test]
async fn unhealthy_fault_fails_health_only() {
    let app = app(FaultSettings {
        unhealthy: true,
        ..FaultSettings::default()
    });
    assert_eq!(get(&app, "/health").await, (503, "unhealthy\n".to_owned()));
    assert_eq!(get(&app, "/work").await.0, 200);
    let metrics = get(&app, "/metrics").await.1;
    assert_eq!(metric_line(&metrics, "demo_up"), Some(0.0));
}

#[tokio::test]
async fn down_unavailable_answers_503_except_fault() {
    let app = app(FaultSettings {
        down: DownMode::Unavailable,
        ..FaultSettings::default()
    });
    for path in ["/", "/work", "/health", "/metrics", "/nope"] {
        assert_eq!(get(&app, path).await, (503, "down\n".to_owned()), "{path}");
    }
    let (status, _) = call(&app, Method::POST, "/fault", r#"{"down":"off"}"#).await;
    assert_eq!(status, 200);
    assert_eq!(get(&app, "/health").await.0, 200);
}

#[tokio::test]
async fn down_close_refuses_everything_but_fault() {
    let app = app(FaultSettings {
        down: DownMode::Close,
        ..FaultSettings::default()
    });
    let refused = app.handle(request(Method::GET, "/health", "")).await;
    assert!(matches!(refused, Err(Refused)));
    assert_eq!(Refused.to_string(), "refused by the down fault");
    assert_eq!(get(&app, "/fault").await.0, 200);
}

#[tokio::test]
async fn metrics_count_requests_and_describe_build() {
    let app = app(FaultSettings::default());
    for _ in 0..3 {
        get(&app, "/work").await;
    }
    get(&app, "/missing").await;
    let response = app
        .handle(request(Method::GET, "/metrics", ""))
        .await
        .unwrap();
    assert_eq!(response.headers()[CONTENT_TYPE], exposition::CONTENT_TYPE);
    let text = get(&app, "/metrics").await.1;
    let ok = "demo_http_requests_total{route=\"/work\",status=\"200\"}";
    assert_eq!(metric_line(&text, ok), Some(3.0));
    let missing = "demo_http_requests_total{route=\"other\",status=\"404\"}";
    assert_eq!(metric_line(&text, missing), Some(1.0));
    let count = "demo_http_request_duration_seconds_count{route=\"/work\"}";
    assert_eq!(metric_line(&text, count), Some(3.0));
    // The first /metrics request was recorded before the second rendered.
    let scraped = "demo_http_requests_total{route=\"/metrics\",status=\"200\"}";
    assert_eq!(metric_line(&text, scraped), Some(1.0));
    assert_eq!(
        metric_line(&text, "demo_build_info{version=\"9.9.9\"}"),
        Some(1.0)
    );
    assert_eq!(metric_line(&text, "demo_up"), Some(1.0));
}

#[tokio::test]
async fn fault_endpoint_shows_and_changes_state() {
    let app = app(FaultSettings::default());
    let (status, body) = get(&app, "/fault").await;
    assert_eq!(status, 200);
    let view: FaultView = serde_json::from_str(&body).unwrap();
    assert_eq!(view.error_ratio, 0.0);

    let (status, body) = call(
        &app,
        Method::POST,
        "/fault",
        r#"{"error_ratio":0.5,"slow_ms":20}"#,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let view: FaultView = serde_json::from_str(&body).unwrap();
    assert_eq!((view.error_ratio, view.slow_ms), (0.5, 20));
    let shown: FaultView = serde_json::from_str(&get(&app, "/fault").await.1).unwrap();
    assert_eq!(shown.error_ratio, 0.5);
}

#[tokio::test]
async fn fault_endpoint_rejects_bad_patches() {
    let app = app(FaultSettings::default());
    let (status, body) = call(&app, Method::POST, "/fault", "{not json").await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = call(&app, Method::POST, "/fault", r#"{"error_ratio":3}"#).await;
    assert_eq!(status, 400);
    assert!(body.contains("error_ratio"), "{body}");
    let (status, _) = call(&app, Method::POST, "/fault", r#"{"typo":1}"#).await;
    assert_eq!(status, 400);
    let huge = format!(r#"{{"slow_ms":1{}}}"#, "0".repeat(MAX_PATCH_BYTES));
    assert_eq!(call(&app, Method::POST, "/fault", &huge).await.0, 413);
    assert_eq!(app.faults.snapshot(), FaultSettings::default());
}

#[tokio::test]
async fn wrong_methods_get_405_with_allow() {
    let app = app(FaultSettings::default());
    for (method, path, allow) in [
        (Method::POST, "/work", "GET"),
        (Method::DELETE, "/health", "GET"),
        (Method::PUT, "/metrics", "GET"),
        (Method::DELETE, "/fault", "GET, POST"),
    ] {
        let response = app.handle(request(method, path, "")).await.unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert_eq!(response.headers()[ALLOW], allow);
    }
    assert_eq!(call(&app, Method::POST, "/nope", "").await.0, 404);
}
