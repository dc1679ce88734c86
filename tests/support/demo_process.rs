//! The demo service as its own process (`opsdeck demo serve`) on a free
//! loopback port, for tests that drive the real binary; killed when dropped.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "free_port.rs"]
mod free_port;

pub struct DemoProcess {
    child: Child,
    pub port: u16,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl DemoProcess {
    pub fn start() -> DemoProcess {
        let port = free_port::free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .args(["demo", "serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the demo service");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the demo service never listened");
            std::thread::sleep(Duration::from_millis(50));
        }
        DemoProcess {
            child,
            port,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for DemoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
