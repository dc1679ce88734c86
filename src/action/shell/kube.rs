//! A session in a pod's container through the `exec` subresource over a
//! WebSocket (kube's `ws`: `v5.channel.k8s.io`, else `v4`), as `kubectl
//! exec` does: a TTY sized to the terminal and resized with it, or pipes;
//! the exit code from the Status the server sends when the command ends.

use super::local::Local;
use super::Ended;
use crate::action::shown_command;
use futures::{FutureExt as _, SinkExt as _};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::api::{Api, AttachParams, TerminalSize};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::signal::unix::{signal, SignalKind};

/// The pod `name` in `namespace`, which must exist; its phase when it is not running.
pub async fn check_pod(client: &kube::Client, namespace: &str, name: &str) -> Result<(), String> {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    match api.get_opt(name).await {
        Ok(Some(pod)) => {
            let phase = pod.status.and_then(|s| s.phase).unwrap_or_default();
            if phase == "Running" || phase.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "pod {namespace}/{name} is {phase}: a command can only run in a running pod"
                ))
            }
        }
        Ok(None) => Err(format!("no pod {namespace}/{name}")),
        Err(e) => Err(format!("reading pod {namespace}/{name}: {e}")),
    }
}

pub async fn session(
    client: &kube::Client,
    namespace: &str,
    pod: &str,
    container: Option<&str>,
    command: &[String],
    local: &mut Local,
) -> Result<Ended, String> {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let size = local.size();
    let mut params = match size {
        Some(_) => AttachParams::interactive_tty(),
        None => AttachParams::default().stdin(true).stderr(true),
    };
    if let Some(c) = container {
        params = params.container(c);
    }
    let mut attached = api
        .exec(pod, command.to_vec(), &params)
        .await
        .map_err(|e| {
            format!(
                "exec {} in pod {namespace}/{pod}: {e}",
                shown_command(command)
            )
        })?;
    let mut stdin = attached.stdin();
    let mut stdout = attached.stdout();
    let mut stderr = attached.stderr();
    let mut sizes = attached.terminal_size();
    // kube's message loop ends its output streams only when it ends well;
    // when the connection breaks (a reset after the server's Status, say)
    // it drops them unclosed and a read would wait for ever, so the status
    // (None when the loop ended without one) is watched beside them.
    let mut status = Box::pin(
        attached
            .take_status()
            .ok_or("the exec status was already taken")?,
    );
    let mut got: Option<Option<Status>> = None;
    if let (Some(tx), Some((width, height))) = (sizes.as_mut(), size) {
        let _ = tx.send(TerminalSize { width, height }).await;
    }
    let mut resized = match size {
        Some(_) => Some(signal(SignalKind::window_change()).map_err(|e| format!("SIGWINCH: {e}"))?),
        None => None,
    };
    let (mut out_buf, mut err_buf) = (vec![0u8; 4096], vec![0u8; 4096]);
    while stdout.is_some() || stderr.is_some() {
        tokio::select! {
            n = async { stdout.as_mut()?.read(&mut out_buf).await.ok() }, if stdout.is_some() => match n {
                Some(n) if n > 0 => local.stdout(&out_buf[..n])?,
                _ => stdout = None,
            },
            n = async { stderr.as_mut()?.read(&mut err_buf).await.ok() }, if stderr.is_some() => match n {
                Some(n) if n > 0 => local.stderr(&err_buf[..n])?,
                _ => stderr = None,
            },
            ended = &mut status, if got.is_none() => {
                let broke = ended.is_none();
                got = Some(ended);
                // With a Status the loop closes the streams next, after the
                // output it already took; without one nothing more comes,
                // so what it took is shown and the wait ends.
                if broke {
                    drain(&mut stdout, &mut out_buf, |b| local.stdout(b))?;
                    drain(&mut stderr, &mut err_buf, |b| local.stderr(b))?;
                    break;
                }
            }
            typed = local.input.recv(), if stdin.is_some() => {
                let Some(writer) = stdin.as_mut() else { continue };
                match typed {
                    Some(bytes) => {
                        if writer.write_all(&bytes).await.is_err() {
                            stdin = None;
                        }
                    }
                    None => {
                        let _ = writer.shutdown().await;
                        stdin = None;
                    }
                }
            }
            Some(()) = async { resized.as_mut()?.recv().await } => {
                if let (Some(tx), Ok((width, height))) = (sizes.as_mut(), crossterm::terminal::size()) {
                    let _ = tx.send(TerminalSize { width, height }).await;
                }
            }
        }
    }
    let status = match got {
        Some(s) => s,
        None => status.await,
    };
    let shown = shown_command(command);
    match ended(status) {
        Some(e) => Ok(e),
        None => Err(match attached.join().await {
            Err(e) => format!("the session for {shown} in pod {namespace}/{pod} broke: {e}"),
            Ok(()) => format!("the server sent no status for {shown} in pod {namespace}/{pod}"),
        }),
    }
}

/// What a stream already holds, without waiting for more.
fn drain(
    stream: &mut Option<impl tokio::io::AsyncRead + Unpin>,
    buf: &mut [u8],
    mut show: impl FnMut(&[u8]) -> Result<(), String>,
) -> Result<(), String> {
    let Some(reader) = stream.as_mut() else {
        return Ok(());
    };
    while let Some(Ok(n)) = reader.read(buf).now_or_never() {
        if n == 0 {
            break;
        }
        show(&buf[..n])?;
    }
    Ok(())
}

/// The Status the server ends a session with: success, a non-zero exit
/// code (`NonZeroExitCode` with an `ExitCode` cause), or a command that
/// could not run at all.
pub fn ended(status: Option<Status>) -> Option<Ended> {
    let status = status?;
    if status.status.as_deref() == Some("Success") {
        return Some(Ended::Exited(0));
    }
    let code = status
        .details
        .as_ref()
        .and_then(|d| d.causes.as_ref())
        .and_then(|causes| {
            causes
                .iter()
                .find(|c| c.reason.as_deref() == Some("ExitCode"))
        })
        .and_then(|c| c.message.as_ref()?.parse::<i64>().ok());
    match (status.reason.as_deref(), code) {
        (Some("NonZeroExitCode"), Some(code)) => Some(Ended::Exited(code)),
        _ => Some(Ended::NotStarted(
            status
                .message
                .unwrap_or_else(|| "the server refused it".into()),
            None,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(json: &str) -> Option<Status> {
        Some(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn the_servers_status_says_how_the_command_ended() {
        assert_eq!(
            ended(status(r#"{"metadata":{},"status":"Success"}"#)),
            Some(Ended::Exited(0))
        );
        let three = r#"{"metadata":{},"status":"Failure","reason":"NonZeroExitCode",
            "details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#;
        assert_eq!(ended(status(three)), Some(Ended::Exited(3)));
        let missing = r#"{"metadata":{},"status":"Failure","reason":"InternalError",
            "message":"exec: \"nope\": not found"}"#;
        assert_eq!(
            ended(status(missing)),
            Some(Ended::NotStarted("exec: \"nope\": not found".into(), None))
        );
        assert_eq!(ended(None), None);
    }
}
