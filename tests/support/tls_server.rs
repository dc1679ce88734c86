//! A real TLS server on loopback: OpenSSL's own `s_server -www`, with a
//! certificate signed by a throwaway CA, valid for a number of days the test
//! chooses. OpenSSL is in every Debian; a missing one fails the test.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "test_ca.rs"]
mod test_ca;

pub struct TlsServer {
    pub url: String,
    /// The CA that signed the server's certificate (PEM).
    pub ca_file: PathBuf,
    /// The server's certificate (PEM), to read its dates back with openssl.
    pub cert_file: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl TlsServer {
    pub fn start(valid_days: u32) -> TlsServer {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let issued = test_ca::issue(d, valid_days);
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("openssl")
            .args([
                "s_server",
                "-accept",
                &format!("127.0.0.1:{port}"),
                "-cert",
                "server.pem",
                "-key",
                "server.key",
                "-www",
                "-quiet",
            ])
            .current_dir(d)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_server");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "openssl s_server did not listen on {addr}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        TlsServer {
            url: format!("https://127.0.0.1:{port}/"),
            ca_file: issued.ca,
            cert_file: issued.cert,
            child,
            _dir: dir,
        }
    }

    /// `notAfter` of the server's certificate as openssl reads it, in unix seconds.
    pub fn not_after(&self) -> i64 {
        let out = Command::new("openssl")
            .args(["x509", "-noout", "-enddate", "-dateopt", "iso_8601", "-in"])
            .arg(&self.cert_file)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        // notAfter=2026-12-03 20:10:41Z
        let when = text
            .trim()
            .trim_start_matches("notAfter=")
            .replace(' ', "T");
        time::OffsetDateTime::parse(&when, &time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .unix_timestamp()
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
