//! A real Redis server (Debian's `redis-server`) in a temp dir on a loopback
//! port, with a password, a small `maxmemory` (allkeys-lru), the slow log
//! and latency monitor at 10 ms and DEBUG enabled (for `DEBUG SLEEP`);
//! killed when dropped. A missing package fails the test.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "free_port.rs"]
mod free_port;
use free_port::free_port;

/// Distinctive, so a test can look for it in any output.
pub const PASSWORD: &str = "pw-Cache-5e2b81";
/// Small enough that a few thousand keys fill it.
pub const MAXMEMORY: u64 = 2 * 1024 * 1024;

pub struct Redis {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Redis {
    pub fn start() -> Redis {
        let dir = tempfile::Builder::new()
            .prefix("opsdeck-test-redis-")
            .tempdir()
            .unwrap();
        let port = free_port();
        let conf = format!(
            "bind 127.0.0.1\nport {port}\nrequirepass {PASSWORD}\nmaxmemory {MAXMEMORY}\n\
             maxmemory-policy allkeys-lru\nenable-debug-command yes\nsave \"\"\n\
             appendonly no\ndir {}\nslowlog-log-slower-than 10000\n\
             latency-monitor-threshold 10\nlogfile {}\n",
            dir.path().display(),
            dir.path().join("server.log").display()
        );
        std::fs::write(dir.path().join("redis.conf"), conf).unwrap();
        let mut r = Redis {
            port,
            dir,
            child: None,
        };
        r.resume();
        r
    }

    /// Starts the server (again, after `stop`), waiting until it answers PING.
    pub fn resume(&mut self) {
        let child = Command::new("redis-server")
            .arg(self.dir.path().join("redis.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("redis-server is needed for this test: install Debian's `redis-server` package ({e})")
            });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.ping() {
                return;
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("redis-server exited ({status}):\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer PING within 20 s:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the server at once, as in a crash.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("redis://:{PASSWORD}@127.0.0.1:{}/0", self.port)
    }

    /// A test's own connection, for the workload and to read INFO itself.
    pub fn client(&self) -> redis::Client {
        redis::Client::open(self.url()).unwrap()
    }

    fn ping(&self) -> bool {
        let Ok(mut conn) = self
            .client()
            .get_connection_with_timeout(Duration::from_millis(500))
        else {
            return false;
        };
        redis::cmd("PING")
            .query::<String>(&mut conn)
            .is_ok_and(|p| p == "PONG")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}
