//! The demo service bound on loopback inside the test process: a real HTTP
//! server whose faults the test switches at run time.
#![allow(dead_code)] // each test crate uses a different part

use opsdeck::config::HttpAuth;
use opsdeck::connect::http::Http;
use opsdeck::demo::{DemoConfig, DemoServer};
use std::time::Duration;
use tokio::sync::oneshot;

pub const TIMEOUT: Duration = Duration::from_secs(5);

pub fn http() -> Http {
    Http::new(Duration::from_secs(3), &HttpAuth::default()).unwrap()
}

pub struct Demo {
    pub base: String,
    stop: Option<oneshot::Sender<()>>,
    http: Http,
}

impl Demo {
    pub async fn start() -> Demo {
        Self::start_at("127.0.0.1:0".parse().unwrap()).await
    }

    /// On a given address: a stopped service started again where its probe looks.
    pub async fn start_at(listen: std::net::SocketAddr) -> Demo {
        let config = DemoConfig {
            listen,
            ..DemoConfig::default()
        };
        let server = DemoServer::bind(config)
            .await
            .expect("bind the demo service");
        let base = format!("http://{}", server.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(server.run(async move {
            let _ = rx.await;
        }));
        Demo {
            base,
            stop: Some(tx),
            http: http(),
        }
    }

    /// Stops serving: the listener closes and idle connections are dropped.
    pub fn stop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }

    pub async fn fault(&self, json: &str) {
        let r = opsdeck::demo::client::post_json(&format!("{}/fault", self.base), json, TIMEOUT)
            .await
            .expect("POST /fault");
        assert_eq!(r.status, 200, "{}", r.body);
    }

    pub async fn traffic(&self, n: usize) {
        for _ in 0..n {
            self.http
                .get(&format!("{}/work", self.base))
                .await
                .expect("GET /work");
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
