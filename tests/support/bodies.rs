//! An HTTP server on a loopback port that answers each path with a fixed
//! body and Content-Type: what a `[[scrape]]` pointed at the wrong thing
//! gets (a login page, a binary file, a page half garbage). Stops on drop.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub struct Bodies {
    pub base: String,
    stop: Arc<AtomicBool>,
}

impl Bodies {
    /// `routes`: (path, content type, body).
    pub fn start(routes: Vec<(&'static str, &'static str, Vec<u8>)>) -> Bodies {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                let Ok((mut s, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    continue;
                };
                let _ = s.set_nonblocking(false);
                let mut req = [0u8; 4096];
                let n = s.read(&mut req).unwrap_or(0);
                let head = String::from_utf8_lossy(&req[..n]);
                let path = head.split_whitespace().nth(1).unwrap_or("/");
                let (status, ct, body) = routes
                    .iter()
                    .find(|(p, ..)| *p == path)
                    .map(|(_, ct, b)| ("200 OK", *ct, b.clone()))
                    .unwrap_or(("404 Not Found", "text/plain", b"not found".to_vec()));
                let _ = write!(
                    s,
                    "HTTP/1.1 {status}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(&body);
            }
        });
        Bodies { base, stop }
    }
}

impl Drop for Bodies {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
