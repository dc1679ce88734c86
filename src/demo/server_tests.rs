//! The server on a real loopback socket, driven by the crate's own client.

use super::*;
use crate::demo::client::{get, post_json};
use crate::demo::faults::{DownMode, FaultSettings};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const T: Duration = Duration::from_secs(5);

struct Running {
    base: String,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<io::Result<()>>,
    app: Arc<App>,
}

impl Running {
    async fn start(faults: FaultSettings) -> Self {
        let config = DemoConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            version: "test".to_owned(),
            faults,
            faults_after: None,
        };
        let server = DemoServer::bind(config).await.unwrap();
        let base = format!("http://{}", server.local_addr().unwrap());
        let app = Arc::clone(&server.app);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        Self {
            base,
            stop: Some(stop),
            task,
            app,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn stop(mut self) -> io::Result<()> {
        self.stop.take().unwrap().send(()).unwrap();
        tokio::time::timeout(T, self.task).await.unwrap().unwrap()
    }
}

#[tokio::test]
async fn serves_health_and_stops_on_shutdown() {
    let server = Running::start(FaultSettings::default()).await;
    let r = get(&server.url("/health"), T).await.unwrap();
    assert_eq!((r.status, r.body.as_str()), (200, "ok\n"));
    let url = server.url("/health");
    server.stop().await.unwrap();
    assert!(
        get(&url, T).await.is_err(),
        "listener closed after shutdown"
    );
}

#[tokio::test]
async fn shutdown_lets_in_flight_requests_finish() {
    let server = Running::start(FaultSettings::default()).await;
    let url = server.url("/work?ms=300");
    let slow = tokio::spawn(async move { get(&url, T).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    server.stop().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
    let answer = slow.await.unwrap().unwrap();
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (200, "worked 300 ms\n")
    );
}

#[tokio::test]
async fn idle_connections_do_not_hold_up_shutdown() {
    let server = Running::start(FaultSettings::default()).await;
    let authority = server.base.trim_start_matches("http://").to_owned();
    let _idle = tokio::net::TcpStream::connect(&authority).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    // Waiting on the idle connection would hang until the client left.
    tokio::time::timeout(Duration::from_secs(10), server.stop())
        .await
        .expect("shutdown waited on an idle keep-alive connection")
        .unwrap();
}

#[tokio::test]
async fn crash_from_start_returns_crash_error() {
    let server = Running::start(FaultSettings {
        crash_after: Some(Duration::ZERO),
        ..FaultSettings::default()
    })
    .await;
    let err = tokio::time::timeout(T, server.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert!(is_crash(&err), "{err}");
    assert_eq!(err.to_string(), "crash fault fired");
}

#[tokio::test]
async fn crash_armed_at_run_time_fires_after_its_delay() {
    let mut server = Running::start(FaultSettings::default()).await;
    let armed = Instant::now();
    let r = post_json(&server.url("/fault"), r#"{"crash_after_ms":200}"#, T)
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    let err = tokio::time::timeout(T, &mut server.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert!(is_crash(&err));
    assert!(armed.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn crash_can_be_cancelled_by_reset() {
    let server = Running::start(FaultSettings {
        crash_after: Some(Duration::from_millis(300)),
        ..FaultSettings::default()
    })
    .await;
    let r = post_json(&server.url("/fault"), r#"{"reset":true}"#, T)
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!server.task.is_finished());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn down_close_drops_connections_until_lifted() {
    let server = Running::start(FaultSettings {
        down: DownMode::Close,
        ..FaultSettings::default()
    })
    .await;
    assert!(get(&server.url("/health"), T).await.is_err());
    let r = get(&server.url("/fault"), T).await.unwrap();
    assert!(r.body.contains("\"down\":\"close\""), "{}", r.body);
    post_json(&server.url("/fault"), r#"{"down":"off"}"#, T)
        .await
        .unwrap();
    assert_eq!(get(&server.url("/health"), T).await.unwrap().status, 200);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn metrics_over_http_count_requests() {
    let server = Running::start(FaultSettings::default()).await;
    for _ in 0..4 {
        get(&server.url("/work"), T).await.unwrap();
    }
    let text = get(&server.url("/metrics"), T).await.unwrap().body;
    assert!(
        text.contains("demo_http_requests_total{route=\"/work\",status=\"200\"} 4\n"),
        "{text}"
    );
    assert!(text.contains("demo_build_info{version=\"test\"} 1\n"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn burn_threads_stop_with_the_server() {
    let server = Running::start(FaultSettings {
        burn_threads: 1,
        ..FaultSettings::default()
    })
    .await;
    let view = get(&server.url("/fault"), T).await.unwrap().body;
    assert!(view.contains("\"burn_threads\":1"), "{view}");
    let app = Arc::clone(&server.app);
    server.stop().await.unwrap();
    assert_eq!(app.faults.view().burn_threads, 0);
}

#[tokio::test]
async fn bind_refuses_invalid_faults() {
    let config = DemoConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        faults: FaultSettings {
            error_ratio: 2.0,
            ..FaultSettings::default()
        },
        ..DemoConfig::default()
    };
    let err = DemoServer::bind(config).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(!is_crash(&err));
}

#[tokio::test]
async fn serve_runs_until_shutdown() {
    let config = DemoConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..DemoConfig::default()
    };
    serve(config, async {}).await.unwrap();
}
