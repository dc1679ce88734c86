//! A real Prometheus server (Debian's `prometheus` package) on a loopback
//! port, scraping what the test names every second; killed when dropped.
//! A missing binary fails the test: it never skips.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Prometheus {
    pub url: String,
    child: Child,
    dir: tempfile::TempDir,
}

#[path = "free_port.rs"]
mod free_port;
use free_port::free_port;

impl Prometheus {
    /// Starts Prometheus scraping each `host:port` in `targets` every second.
    pub fn start(targets: &[String]) -> Prometheus {
        Self::start_with_rules(targets, None)
    }

    /// As `start`, with a rule file (checked by `promtool check rules` first).
    pub fn start_with_rules(targets: &[String], rules: Option<&str>) -> Prometheus {
        Self::start_full(targets, rules, None)
    }

    /// As `start_with_rules`, sending its alerts to the Alertmanager at `alertmanager`.
    pub fn start_full(
        targets: &[String],
        rules: Option<&str>,
        alertmanager: Option<&str>,
    ) -> Prometheus {
        let dir = tempfile::tempdir().unwrap();
        let rule_files = match rules {
            Some(text) => {
                let path = dir.path().join("rules.yml");
                std::fs::write(&path, text).unwrap();
                let check = Command::new("promtool")
                    .args(["check", "rules"])
                    .arg(&path)
                    .output()
                    .expect("promtool (Debian package `prometheus`) is needed");
                assert!(
                    check.status.success(),
                    "promtool rejects the rule file:\n{}{}",
                    String::from_utf8_lossy(&check.stdout),
                    String::from_utf8_lossy(&check.stderr)
                );
                format!("rule_files: ['{}']\n", path.display())
            }
            None => String::new(),
        };
        let port = free_port();
        let quoted: Vec<String> = targets.iter().map(|t| format!("'{t}'")).collect();
        let alerting = match alertmanager {
            Some(url) => format!(
                "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['{}']\n",
                url.trim_start_matches("http://")
            ),
            None => String::new(),
        };
        let config = format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n{rule_files}{alerting}\
             scrape_configs:\n  - job_name: demo\n    static_configs:\n      - targets: [{}]\n",
            quoted.join(", ")
        );
        let config_path = dir.path().join("prometheus.yml");
        std::fs::write(&config_path, config).unwrap();
        let log = std::fs::File::create(dir.path().join("prometheus.log")).unwrap();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            // A firing alert is sent again only after this delay (1m by
            // default): an Alertmanager found after the first evaluation
            // would otherwise wait a minute for it.
            .arg("--rules.alert.resend-delay=1s")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("Prometheus (Debian package `prometheus`) is needed for this test: {e}")
            });
        let p = Prometheus {
            url: format!("http://127.0.0.1:{port}"),
            child,
            dir,
        };
        p.wait_ready();
        p
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("prometheus.log")
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = self.url.trim_start_matches("http://").to_string();
        while Instant::now() < deadline {
            if ready(&addr) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "Prometheus did not become ready:\n{}",
            std::fs::read_to_string(self.log()).unwrap_or_default()
        );
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET /-/ready` answered 200, over a plain socket so this needs no runtime.
fn ready(addr: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!("GET /-/ready HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.ends_with(b"200")
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        self.stop();
    }
}
