//! A terminal behind a slow link: the binary runs on a pseudo-terminal whose
//! output a relay reads at a fixed byte rate (the kernel here has no netem),
//! into a small screen model that keeps the text of each cell.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct SlowPty {
    master: File,
    child: Child,
    screen: Arc<Mutex<Screen>>,
    relayed: Arc<AtomicU64>,
}

impl SlowPty {
    /// Starts `bin` on a `cols`×`rows` pty whose output reaches the screen at
    /// `bytes_per_sec`.
    pub fn start(
        bin: &str,
        env: &[(&str, &str)],
        cols: u16,
        rows: u16,
        bytes_per_sec: u64,
    ) -> Self {
        let (master, slave) = open_pty(cols, rows);
        let mut cmd = Command::new(bin);
        cmd.env("TERM", "xterm-256color").env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // The pty becomes the child's controlling terminal, as a login's is.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start the binary on the pty");
        drop(cmd);
        let master = File::from(master);
        let screen = Arc::new(Mutex::new(Screen::new(cols, rows)));
        let relayed = Arc::new(AtomicU64::new(0));
        let mut reader = master.try_clone().unwrap();
        let (to_screen, count) = (Arc::clone(&screen), Arc::clone(&relayed));
        std::thread::spawn(move || {
            let mut total = 0u64;
            let mut buf = [0u8; 64];
            let mut next = Instant::now();
            // Small reads, each followed by the time it takes on the link
            // (quiet time earns no credit): what the kernel buffers beyond
            // them waits, and the writer behind the pty is held back.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                total += n as u64;
                to_screen.lock().unwrap().feed(&buf[..n]);
                count.store(total, Ordering::SeqCst);
                next = next.max(Instant::now())
                    + Duration::from_secs_f64(n as f64 / bytes_per_sec as f64);
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            }
        });
        SlowPty {
            master,
            child,
            screen,
            relayed,
        }
    }

    pub fn keys(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).unwrap();
    }

    /// Bytes the relay has put on the screen so far.
    pub fn relayed(&self) -> u64 {
        self.relayed.load(Ordering::SeqCst)
    }

    pub fn text(&self) -> String {
        self.screen.lock().unwrap().text()
    }

    pub fn alternate(&self) -> bool {
        self.screen.lock().unwrap().alternate
    }

    /// The screen once `ready` holds; fails naming `what` if it never does
    /// (the limit only stops a hung test, it measures nothing).
    pub fn wait_for(&self, what: &str, limit: Duration, ready: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + limit;
        loop {
            let text = self.text();
            if ready(&text) {
                return text;
            }
            assert!(Instant::now() < end, "never saw {what}; screen:\n{text}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let end = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < end,
                "the console did not exit; screen:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SlowPty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn open_pty(cols: u16, rows: u16) -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// Enough of a terminal for a full-screen console: cursor moves, clears,
/// printed text and the alternate-screen switch; colours are ignored.
pub struct Screen {
    cols: usize,
    cells: Vec<Vec<char>>,
    row: usize,
    col: usize,
    alternate: bool,
    pending: Vec<u8>,
}

impl Screen {
    fn new(cols: u16, rows: u16) -> Self {
        Screen {
            cols: cols as usize,
            cells: vec![vec![' '; cols as usize]; rows as usize],
            row: 0,
            col: 0,
            alternate: false,
            pending: Vec::new(),
        }
    }

    fn text(&self) -> String {
        let lines: Vec<String> = self.cells.iter().map(|r| r.iter().collect()).collect();
        lines.join("\n")
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        let mut i = 0;
        let p = std::mem::take(&mut self.pending);
        while i < p.len() {
            let Some(used) = self.step(&p[i..]) else {
                break; // an incomplete sequence: wait for the rest
            };
            i += used;
        }
        self.pending = p[i..].to_vec();
    }

    /// Consumes one character or sequence; `None` when it is cut off.
    fn step(&mut self, b: &[u8]) -> Option<usize> {
        match b[0] {
            0x1b => {
                let kind = *b.get(1)?;
                if kind == b'[' {
                    let end = b[2..].iter().position(|c| (0x40..=0x7e).contains(c))? + 2;
                    self.csi(&b[2..end], b[end]);
                    Some(end + 1)
                } else if kind == b']' {
                    let end = b.iter().position(|c| *c == 0x07)?;
                    Some(end + 1)
                } else {
                    Some(2)
                }
            }
            b'\r' => {
                self.col = 0;
                Some(1)
            }
            b'\n' => {
                self.row = (self.row + 1).min(self.cells.len() - 1);
                Some(1)
            }
            c if c < 0x20 => Some(1),
            c => {
                let len = match c {
                    0xf0.. => 4,
                    0xe0.. => 3,
                    0xc0.. => 2,
                    _ => 1,
                };
                let s =
                    std::str::from_utf8(b.get(..len)?).map_or('?', |s| s.chars().next().unwrap());
                if self.col < self.cols {
                    self.cells[self.row][self.col] = s;
                }
                self.col += 1;
                Some(len)
            }
        }
    }

    fn csi(&mut self, params: &[u8], final_byte: u8) {
        let text = String::from_utf8_lossy(params);
        let nums: Vec<usize> = text
            .trim_start_matches('?')
            .split(';')
            .map(|n| n.parse().unwrap_or(0))
            .collect();
        match final_byte {
            b'H' => {
                self.row = nums.first().copied().unwrap_or(1).max(1) - 1;
                self.col = nums.get(1).copied().unwrap_or(1).max(1) - 1;
                self.row = self.row.min(self.cells.len() - 1);
            }
            b'J' if nums.first() == Some(&2) => {
                for r in &mut self.cells {
                    r.fill(' ');
                }
            }
            b'h' | b'l' if text == "?1049" => {
                self.alternate = final_byte == b'h';
                for r in &mut self.cells {
                    r.fill(' ');
                }
            }
            _ => {}
        }
    }
}
