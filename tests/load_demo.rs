//! The load runner against the demo service in-process, whose faults the test
//! sets: percentiles match a server-side delay, latency counts from each
//! request's scheduled time (coordinated omission), status codes and error
//! kinds (connect, timeout, reset) are told apart.

#[path = "support/demo_local.rs"]
mod demo_local;
#[path = "support/load_spec.rs"]
mod load_spec;

use opsdeck::load::{ErrorKind, Profile, Stop};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn percentiles_match_the_delay_the_server_adds() {
    let demo = demo_local::Demo::start().await;
    demo.fault(r#"{"slow_ms": 80, "slow_jitter": 0}"#).await;
    let spec = load_spec::spec(
        &format!("{}/work", demo.base),
        10,
        Stop::After(Duration::from_secs(2)),
        Profile::Constant { rate: 40.0 },
    );
    let s = load_spec::run(&spec).await;
    assert_eq!(s.requests, 80);
    assert_eq!(s.statuses.get(&200), Some(&80));
    // Never faster than the delay; not much slower on an idle loopback.
    assert!(
        s.latency.p50 >= 79.0 && s.latency.p50 < 130.0,
        "{:?}",
        s.latency
    );
    assert!(
        s.latency.p99 >= 79.0 && s.latency.p99 < 250.0,
        "{:?}",
        s.latency
    );
    assert!(s.latency.max >= s.latency.p99);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_sender_does_not_hide_latency() {
    let demo = demo_local::Demo::start().await;
    demo.fault(r#"{"slow_ms": 200, "slow_jitter": 0}"#).await;
    // One connection can answer 5/s; the schedule asks 20/s, so requests
    // queue behind each other and wait far longer than the server takes.
    let spec = load_spec::spec(
        &format!("{}/work", demo.base),
        1,
        Stop::Count(12),
        Profile::Constant { rate: 20.0 },
    );
    let s = load_spec::run(&spec).await;
    assert_eq!(s.requests, 12);
    assert!(s.service.p99 < 400.0, "{:?}", s.service);
    // The last request was due at 0.55 s and answered after 12 × 200 ms.
    assert!(s.latency.max > 1500.0, "{:?}", s.latency);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_answers_are_counted_by_status() {
    let demo = demo_local::Demo::start().await;
    demo.fault(r#"{"error_ratio": 0.3}"#).await;
    let spec = load_spec::spec(
        &format!("{}/work", demo.base),
        4,
        Stop::Count(600),
        Profile::Max,
    );
    let s = load_spec::run(&spec).await;
    let ok = s.statuses.get(&200).copied().unwrap_or(0);
    let failed = s.statuses.get(&500).copied().unwrap_or(0);
    assert_eq!(ok + failed, 600, "{:?}", s.statuses);
    assert!((120..=240).contains(&failed), "{:?}", s.statuses);
    assert_eq!(s.errors, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connections_are_connect_errors() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let spec = load_spec::spec(
        &format!("http://127.0.0.1:{port}/"),
        2,
        Stop::Count(20),
        Profile::Max,
    );
    let s = load_spec::run(&spec).await;
    assert_eq!(s.requests, 20);
    assert_eq!(s.error_kinds.get(&ErrorKind::Connect), Some(&20), "{s:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_answers_past_the_timeout_are_timeouts() {
    let demo = demo_local::Demo::start().await;
    demo.fault(r#"{"slow_ms": 3000, "slow_jitter": 0}"#).await;
    let mut spec = load_spec::spec(
        &format!("{}/work", demo.base),
        3,
        Stop::Count(6),
        Profile::Max,
    );
    spec.timeout = Duration::from_millis(200);
    let s = load_spec::run(&spec).await;
    assert_eq!(s.requests, 6);
    assert_eq!(s.error_kinds.get(&ErrorKind::Timeout), Some(&6), "{s:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_closed_without_an_answer_are_resets() {
    let demo = demo_local::Demo::start().await;
    demo.fault(r#"{"down": "close"}"#).await;
    let spec = load_spec::spec(
        &format!("{}/work", demo.base),
        2,
        Stop::Count(10),
        Profile::Max,
    );
    let s = load_spec::run(&spec).await;
    assert_eq!(s.requests, 10);
    assert_eq!(s.error_kinds.get(&ErrorKind::Reset), Some(&10), "{s:?}");
}
