//! The local end of a session: the terminal (or pipes) opsdeck runs on. On a
//! terminal it is put in raw mode for the session, so every key (Ctrl-C,
//! arrows, Tab) goes to the remote TTY as typed; its size goes with the
//! window's. Standard input is read by one thread that waits on it and on
//! a stop pipe together: when the session ends the thread leaves without
//! reading, so no key meant for the console is swallowed after a shell.

use std::io::Write as _;
use std::os::fd::{AsRawFd as _, FromRawFd as _, OwnedFd};
use tokio::sync::mpsc;

/// Bytes read at a time; a paste arrives in a few pieces.
const READ_SIZE: usize = 4096;
/// Pieces queued before the reader waits for the session to take them.
const QUEUED: usize = 16;

pub struct Local {
    raw: bool,
    stop: OwnedFd,
    reader: Option<std::thread::JoinHandle<()>>,
    /// What was typed (or piped in), in pieces; closed at end of input.
    pub input: mpsc::Receiver<Vec<u8>>,
}

impl Local {
    /// Starts reading standard input; `raw` puts the terminal in raw mode
    /// until the session is dropped.
    pub fn open(raw: bool) -> Result<Self, String> {
        let mut fds = [0; 2];
        // SAFETY: pipe2 writes two descriptors into the array it is given.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(format!("a pipe: {}", std::io::Error::last_os_error()));
        }
        // SAFETY: both descriptors were just made and are owned by nothing else.
        let (stop_read, stop) =
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        if raw {
            crossterm::terminal::enable_raw_mode()
                .map_err(|e| format!("putting the terminal in raw mode: {e}"))?;
        }
        let (tx, input) = mpsc::channel(QUEUED);
        let reader = std::thread::Builder::new()
            .name("exec-stdin".into())
            .spawn(move || read_input(&stop_read, &tx));
        let reader = match reader {
            Ok(r) => r,
            Err(e) => {
                if raw {
                    let _ = crossterm::terminal::disable_raw_mode();
                }
                return Err(format!("a thread to read the terminal: {e}"));
            }
        };
        Ok(Local {
            raw,
            stop,
            reader: Some(reader),
            input,
        })
    }

    /// The terminal's width and height, when there is one.
    pub fn size(&self) -> Option<(u16, u16)> {
        if !self.raw {
            return None;
        }
        crossterm::terminal::size().ok()
    }

    /// Output of the session on our standard output.
    pub fn stdout(&self, bytes: &[u8]) -> Result<(), String> {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(|e| format!("writing to the terminal: {e}"))
    }

    /// The remote standard error (without a TTY the two stay apart).
    pub fn stderr(&self, bytes: &[u8]) -> Result<(), String> {
        let mut err = std::io::stderr().lock();
        err.write_all(bytes)
            .and_then(|()| err.flush())
            .map_err(|e| format!("writing to stderr: {e}"))
    }
}

impl Drop for Local {
    fn drop(&mut self) {
        // Closing first wakes a reader blocked on a full queue.
        self.input.close();
        // SAFETY: writes one byte from a live buffer to a descriptor we own.
        let _ = unsafe { libc::write(self.stop.as_raw_fd(), [1u8].as_ptr().cast(), 1) };
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        if self.raw {
            let _ = crossterm::terminal::disable_raw_mode();
        }
    }
}

/// Waits for standard input or the stop pipe, whichever comes first; reads
/// only when input is there, so stopping never consumes a key.
fn read_input(stop: &OwnedFd, tx: &mpsc::Sender<Vec<u8>>) {
    let mut buf = vec![0u8; READ_SIZE];
    loop {
        let mut fds = [
            libc::pollfd {
                fd: libc::STDIN_FILENO,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: stop.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: two initialised pollfd structs, and their count.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        if fds[1].revents != 0 {
            return;
        }
        if fds[0].revents == 0 {
            continue;
        }
        // SAFETY: reads at most buf.len() bytes into buf.
        let got = unsafe { libc::read(libc::STDIN_FILENO, buf.as_mut_ptr().cast(), buf.len()) };
        match got {
            0 => return,
            n if n < 0 => {
                let e = std::io::Error::last_os_error();
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::Interrupted | std::io::ErrorKind::WouldBlock
                ) {
                    continue;
                }
                return;
            }
            n => {
                let n = usize::try_from(n).unwrap_or(0);
                if tx.blocking_send(buf[..n].to_vec()).is_err() {
                    return;
                }
            }
        }
    }
}
