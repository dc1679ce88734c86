//! Debian's node_exporter (`prometheus-node-exporter`) on a loopback port;
//! killed when dropped. A missing binary fails the test: it never skips.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct NodeExporter {
    /// `127.0.0.1:PORT`, as a Prometheus target.
    pub addr: String,
    child: Child,
}

impl NodeExporter {
    pub fn start() -> NodeExporter {
        // Not support/free_port.rs: prometheus.rs includes it, and a test uses both.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new("prometheus-node-exporter")
            .arg(format!("--web.listen-address={addr}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("node_exporter (Debian package `prometheus-node-exporter`) is needed: {e}")
            });
        let n = NodeExporter { addr, child };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(&n.addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "node_exporter did not listen on {}",
                n.addr
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        n
    }

    pub fn url(&self) -> String {
        format!("http://{}/metrics", self.addr)
    }
}

impl Drop for NodeExporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
