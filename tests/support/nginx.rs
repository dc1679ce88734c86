//! A real nginx (Debian's `nginx-light`) on a free loopback port, one worker,
//! serving `return 200` (and HTTP/2 by prior knowledge on a second port);
//! killed when dropped. A missing binary fails the test: it never skips.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Nginx {
    /// `http://127.0.0.1:PORT`, HTTP/1.1.
    pub url: String,
    /// `http://127.0.0.1:PORT`, HTTP/2 with prior knowledge (h2c).
    pub h2_url: String,
    /// `https://127.0.0.1:PORT` with a self-signed certificate no client trusts.
    pub tls_url: String,
    /// `http://127.0.0.1:PORT` behind `auth_basic`: [`BASIC_USER`] with [`BASIC_PASSWORD`] only.
    pub auth_url: String,
    /// `http://127.0.0.1:PORT`: a caching proxy (`proxy_cache`, `X-Cache-Status`)
    /// in front of an origin whose `/` is a file with an ETag and
    /// `Cache-Control: max-age=3600`, and whose `/plain` has no caching headers.
    pub cache_url: String,
    child: Child,
    dir: tempfile::TempDir,
}

#[path = "free_port.rs"]
mod free_port;
use free_port::free_port;

pub const BASIC_USER: &str = "ops";
/// Spaces, non-ASCII and base64's own characters; nginx's password file
/// cannot hold a `:`.
pub const BASIC_PASSWORD: &str = "s3cret wörd+/=&%";

impl Nginx {
    pub fn start() -> Nginx {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        let (port, h2_port, tls_port, auth_port) =
            (free_port(), free_port(), free_port(), free_port());
        let (origin_port, cache_port) = (free_port(), free_port());
        std::fs::write(
            dir.path().join("htpasswd"),
            format!("{BASIC_USER}:{{PLAIN}}{BASIC_PASSWORD}\n"),
        )
        .unwrap();
        // A file, not `return`: `return` answers before the access phase
        // where auth_basic checks.
        std::fs::create_dir(dir.path().join("www")).unwrap();
        std::fs::write(dir.path().join("www/index.html"), "ok\n").unwrap();
        let made = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            ])
            .args(["-subj", "/CN=127.0.0.1", "-keyout"])
            .arg(dir.path().join("key.pem"))
            .arg("-out")
            .arg(dir.path().join("cert.pem"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl (Debian package `openssl`) makes the test certificate");
        assert!(made.success(), "openssl could not make a certificate");
        // Run as root, the master switches workers to `nobody` unless told
        // otherwise; every path it writes is in the temp dir it owns.
        let user = if is_root() { "user root;\n" } else { "" };
        let config = format!(
            "{user}worker_processes 1;\ndaemon off;\nmaster_process on;\npid {d}/nginx.pid;\n\
             error_log {d}/error.log warn;\nevents {{ worker_connections 4096; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             \x20 fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             \x20 keepalive_requests 1000000;\n\
             \x20 server {{ listen 127.0.0.1:{port}; location / {{ return 200 \"ok\\n\"; }} }}\n\
             \x20 server {{ listen 127.0.0.1:{h2_port} http2; location / {{ return 200 \"ok\\n\"; }} }}\n\
             \x20 server {{ listen 127.0.0.1:{tls_port} ssl; ssl_certificate {d}/cert.pem; \
             ssl_certificate_key {d}/key.pem; location / {{ return 200 \"ok\\n\"; }} }}\n\
             \x20 server {{ listen 127.0.0.1:{auth_port}; auth_basic \"opsdeck\"; \
             auth_basic_user_file {d}/htpasswd; location / {{ root {d}/www; }} }}\n\
             \x20 server {{ listen 127.0.0.1:{origin_port}; location = /plain {{ return 200 \"ok\\n\"; }} \
             location / {{ root {d}/www; expires 1h; }} }}\n\
             \x20 proxy_cache_path {d}/cache keys_zone=edge:1m;\n\
             \x20 server {{ listen 127.0.0.1:{cache_port}; location / {{ \
             proxy_pass http://127.0.0.1:{origin_port}; proxy_cache edge; proxy_cache_valid 200 1h; \
             add_header X-Cache-Status $upstream_cache_status always; }} }}\n}}\n"
        );
        let path = dir.path().join("nginx.conf");
        std::fs::write(&path, config).unwrap();
        let child = Command::new("nginx")
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("nginx is needed (apt-get install nginx-light): cannot start it: {e}")
            });
        let n = Nginx {
            url: format!("http://127.0.0.1:{port}"),
            h2_url: format!("http://127.0.0.1:{h2_port}"),
            tls_url: format!("https://127.0.0.1:{tls_port}"),
            auth_url: format!("http://127.0.0.1:{auth_port}"),
            cache_url: format!("http://127.0.0.1:{cache_port}"),
            child,
            dir,
        };
        n.wait_ready(port);
        n.wait_ready(auth_port);
        n.wait_ready(cache_port);
        n
    }

    fn wait_ready(&self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "nginx did not start listening:\n{}",
            std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
        );
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its worker; SIGKILL would orphan it.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
