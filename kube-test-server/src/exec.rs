//! `pods/exec` over a WebSocket, as the API server streams it to kubectl
//! and client libraries: the `v5.channel.k8s.io` or `v4.channel.k8s.io`
//! protocol, each binary message a channel byte (0 stdin, 1 stdout, 2
//! stderr, 3 the final Status, 4 a resize; v5's 255 closes a channel)
//! and its data. The "container" is a real process on this machine, on a
//! pseudo-terminal when `tty=true` (sized by the resize channel) or on pipes.

use crate::resources;
use crate::status::ApiError;
use crate::Cluster;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::Stdio;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

pub const PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
const STDIN: u8 = 0;
const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const ERROR: u8 = 3;
const RESIZE: u8 = 4;
const CLOSE: u8 = 255;

/// What the query asks for: `command` repeated, one per word.
struct Asked {
    command: Vec<String>,
    tty: bool,
    stdin: bool,
}

fn asked(uri: &Uri) -> Asked {
    let mut command = Vec::new();
    let (mut tty, mut stdin) = (false, false);
    for pair in uri.query().unwrap_or_default().split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = crate::query::decode(v);
        match k {
            "command" => command.push(v),
            "tty" => tty = v == "true" || v == "1",
            "stdin" => stdin = v == "true" || v == "1",
            _ => {}
        }
    }
    Asked {
        command,
        tty,
        stdin,
    }
}

/// `GET /api/v1/namespaces/NS/pods/NAME/exec?command=...` with an Upgrade.
pub async fn exec(
    State(cluster): State<Cluster>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let params = crate::query::Params::parse(uri.query());
    if let Err(e) = crate::api::check_access(&cluster, &method, &uri, &headers, &params) {
        return e.into_response();
    }
    let parts: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    let (ns, pod) = match parts.as_slice() {
        ["api", "v1", "namespaces", ns, "pods", pod, "exec"] => (*ns, *pod),
        _ => return ApiError::path_not_found(uri.path()).into_response(),
    };
    let pods = resources::find("", "v1", "pods").expect("pods are served");
    if let Err(e) = cluster.lock().store.require(pods, ns, pod) {
        return e.into_response();
    }
    let Ok(ws) = ws else {
        return ApiError::bad_request(
            "exec needs a WebSocket upgrade (v5.channel.k8s.io or v4.channel.k8s.io); SPDY is not served",
        )
        .into_response();
    };
    let asked = asked(&uri);
    if asked.command.is_empty() {
        return ApiError::bad_request("you must specify at least 1 command").into_response();
    }
    ws.protocols(PROTOCOLS)
        .on_upgrade(move |socket| session(socket, asked))
}

async fn session(socket: WebSocket, asked: Asked) {
    let (mut to_client, mut from_client) = socket.split();
    let (out_tx, mut out_rx) = mpsc::channel::<(u8, Vec<u8>)>(64);
    let process = match Process::start(&asked, out_tx) {
        Ok(p) => p,
        Err(e) => {
            let status = failure(&format!(
                "error executing command in container: exec: {:?}: {e}",
                asked.command[0]
            ));
            let _ = to_client
                .send(frame(ERROR, status.to_string().as_bytes()))
                .await;
            close(to_client, from_client).await;
            return;
        }
    };
    let Process {
        mut child,
        mut input,
        resize,
    } = process;
    let mut exit = None;
    let mut outputs_open = true;
    while exit.is_none() || outputs_open {
        tokio::select! {
            out = out_rx.recv(), if outputs_open => match out {
                Some((channel, data)) => {
                    if to_client.send(frame(channel, &data)).await.is_err() {
                        break;
                    }
                }
                None => outputs_open = false,
            },
            status = child.wait(), if exit.is_none() => {
                exit = Some(status.ok().and_then(|s| s.code()).unwrap_or(1));
            }
            msg = from_client.next() => match msg {
                Some(Ok(Message::Binary(data))) if !data.is_empty() => match data[0] {
                    STDIN => input.write(&data[1..]).await,
                    RESIZE => {
                        if let (Some(fd), Ok(size)) = (&resize, serde_json::from_slice::<Value>(&data[1..])) {
                            set_size(fd, &size);
                        }
                    }
                    CLOSE if data.get(1) == Some(&STDIN) => input.close(),
                    _ => {}
                },
                Some(Ok(_)) => {}
                // The client went away: end the process with it.
                Some(Err(_)) | None => {
                    let _ = child.start_kill();
                    return;
                }
            },
        }
    }
    let code = exit.unwrap_or(1);
    let status = if code == 0 {
        json!({"metadata": {}, "status": "Success"})
    } else {
        json!({
            "metadata": {},
            "status": "Failure",
            "message": format!("command terminated with non-zero exit code: exit status {code}"),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]}
        })
    };
    let _ = to_client
        .send(frame(ERROR, status.to_string().as_bytes()))
        .await;
    close(to_client, from_client).await;
}

/// Ends the session with a close handshake, as the API server's WebSocket
/// does: the client's answer is awaited (a little while) before the
/// connection goes, so what the client sends meanwhile (its stdin's close)
/// does not reset a connection whose Status it has not read yet.
async fn close(
    mut to_client: futures::stream::SplitSink<WebSocket, Message>,
    mut from_client: futures::stream::SplitStream<WebSocket>,
) {
    if to_client.send(normal_close()).await.is_err() {
        return;
    }
    let answered = async {
        while let Some(Ok(msg)) = from_client.next().await {
            if matches!(msg, Message::Close(_)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), answered).await;
}

fn frame(channel: u8, data: &[u8]) -> Message {
    let mut bytes = Vec::with_capacity(data.len() + 1);
    bytes.push(channel);
    bytes.extend_from_slice(data);
    Message::Binary(bytes.into())
}

fn failure(message: &str) -> Value {
    json!({
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": "InternalError",
        "code": 500
    })
}

/// The command running, its input, and (with a TTY) the terminal to resize.
struct Process {
    child: tokio::process::Child,
    input: Input,
    resize: Option<OwnedFd>,
}

enum Input {
    Pipe(Option<tokio::process::ChildStdin>),
    Tty(std::sync::mpsc::Sender<Vec<u8>>),
    None,
}

impl Input {
    async fn write(&mut self, data: &[u8]) {
        match self {
            Input::Pipe(Some(stdin)) => {
                let _ = stdin.write_all(data).await;
            }
            Input::Tty(tx) => {
                let _ = tx.send(data.to_vec());
            }
            Input::Pipe(None) | Input::None => {}
        }
    }

    fn close(&mut self) {
        if let Input::Pipe(stdin) = self {
            stdin.take();
        }
    }
}

impl Process {
    fn start(asked: &Asked, out: mpsc::Sender<(u8, Vec<u8>)>) -> std::io::Result<Process> {
        let mut command = tokio::process::Command::new(&asked.command[0]);
        command.args(&asked.command[1..]).kill_on_drop(true);
        if asked.tty {
            return Self::on_tty(command, out);
        }
        command
            .stdin(if asked.stdin {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn()?;
        let stdin = child.stdin.take();
        for (channel, reader) in [
            (
                STDOUT,
                child
                    .stdout
                    .take()
                    .map(|r| Box::new(r) as Box<dyn tokio::io::AsyncRead + Send + Unpin>),
            ),
            (
                STDERR,
                child
                    .stderr
                    .take()
                    .map(|r| Box::new(r) as Box<dyn tokio::io::AsyncRead + Send + Unpin>),
            ),
        ] {
            let (Some(mut reader), out) = (reader, out.clone()) else {
                continue;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                while let Ok(n) = reader.read(&mut buf).await {
                    if n == 0 || out.send((channel, buf[..n].to_vec())).await.is_err() {
                        break;
                    }
                }
            });
        }
        Ok(Process {
            child,
            input: if asked.stdin {
                Input::Pipe(stdin)
            } else {
                Input::None
            },
            resize: None,
        })
    }

    /// The command on a new pseudo-terminal, as its session leader with the
    /// terminal as its controlling one, so a shell does job control and
    /// Ctrl-C reaches it as a signal.
    fn on_tty(
        mut command: tokio::process::Command,
        out: mpsc::Sender<(u8, Vec<u8>)>,
    ) -> std::io::Result<Process> {
        let (mut master, mut slave) = (0, 0);
        // SAFETY: openpty writes two descriptors; the other arguments may be null.
        let made = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        if made != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: both were just opened and belong to nothing else.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        command
            .stdin(Stdio::from(slave.try_clone()?))
            .stdout(Stdio::from(slave.try_clone()?))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn()?;
        // The parent's copies of the terminal end went with `command`.
        drop(command);
        let mut reader = std::fs::File::from(master.try_clone()?);
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 4096];
            // EIO once the last process on the terminal has closed it.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || out.blocking_send((STDOUT, buf[..n].to_vec())).is_err() {
                    break;
                }
            }
        });
        let mut writer = std::fs::File::from(master.try_clone()?);
        let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || {
            while let Ok(data) = rx.recv() {
                if writer.write_all(&data).is_err() {
                    break;
                }
            }
        });
        Ok(Process {
            child,
            input: Input::Tty(tx),
            resize: Some(master),
        })
    }
}

/// `{"Width": W, "Height": H}` on the resize channel.
fn set_size(master: &OwnedFd, size: &Value) {
    let dim = |k: &str| size[k].as_u64().and_then(|v| u16::try_from(v).ok());
    let (Some(cols), Some(rows)) = (dim("Width"), dim("Height")) else {
        return;
    };
    let ws = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads one winsize from the pointer given.
    unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
}

/// A close frame with code 1000: client-go takes any other (a bare close is
/// 1005) as the stream breaking, not ending.
fn normal_close() -> Message {
    Message::Close(Some(axum::extract::ws::CloseFrame {
        code: axum::extract::ws::close_code::NORMAL,
        reason: "".into(),
    }))
}
