//! Load specs for the load tests, and a way to run one in-process.
#![allow(dead_code)]

use opsdeck::load::{Endpoint, LoadFigures, LoadSpec, Profile, Stop};
use std::time::Duration;

pub fn spec(url: &str, connections: usize, stop: Stop, profile: Profile) -> LoadSpec {
    LoadSpec {
        url: url.to_string(),
        endpoint: Endpoint::parse(url).expect("a valid URL"),
        method: hyper::Method::GET,
        headers: Vec::new(),
        body: Vec::new(),
        connections,
        stop,
        profile,
        http2: false,
        timeout: Duration::from_secs(10),
    }
}

/// Runs `spec` to its end through the runner the CLI and console use.
pub async fn run(spec: &LoadSpec) -> LoadFigures {
    let (live, _figures) = tokio::sync::watch::channel(None);
    let (_abort, abort_rx) = tokio::sync::watch::channel(false);
    opsdeck::load::runner::run(spec, &live, abort_rx)
        .await
        .expect("the load run starts")
}
