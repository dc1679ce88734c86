//! A real Alertmanager (Debian's `prometheus-alertmanager`) on a loopback
//! port, with no clustering and a receiver that sends nothing; killed when
//! dropped. A missing binary fails the test: it never skips.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Alertmanager {
    pub url: String,
    child: Child,
    dir: tempfile::TempDir,
}

impl Alertmanager {
    pub fn start() -> Alertmanager {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("alertmanager.yml");
        std::fs::write(
            &config,
            "route:\n  receiver: none\nreceivers:\n  - name: none\n",
        )
        .unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let log = std::fs::File::create(dir.path().join("alertmanager.log")).unwrap();
        let child = Command::new("prometheus-alertmanager")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            // An empty address turns clustering (gossip on 0.0.0.0:9094) off.
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("Alertmanager (Debian package `prometheus-alertmanager`) is needed: {e}")
            });
        let am = Alertmanager {
            url: format!("http://127.0.0.1:{port}"),
            child,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "Alertmanager did not start:\n{}",
                std::fs::read_to_string(am.dir.path().join("alertmanager.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        am
    }
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
