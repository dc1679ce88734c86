//! A session in a Docker container through the Engine's exec API: create an
//! exec (with a TTY when the person is on a terminal), start it attached,
//! pump the local end both ways, resize it with the window, and read its
//! exit code back once the stream ends.

use super::local::Local;
use super::Ended;
use crate::action::docker::{compose_replicas, Replica};
use crate::action::shown_command;
use crate::model::{WorkloadAddr, NO_GROUP};
use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, ResizeExecOptions, StartExecOptions, StartExecResults};
use bollard::Docker;
use futures::StreamExt as _;
use tokio::io::AsyncWriteExt as _;
use tokio::signal::unix::{signal, SignalKind};

/// The running container `addr` names: `TARGET/_/CONTAINER` (a name or an
/// id), or a Compose service's lowest-numbered running replica, or the
/// replica `container` names.
pub async fn resolve(
    docker: &Docker,
    addr: &WorkloadAddr,
    container: Option<&str>,
) -> Result<Replica, String> {
    if addr.group == NO_GROUP || container.is_some() {
        let name = container.unwrap_or(&addr.name);
        let found = match docker.inspect_container(name, None).await {
            Ok(c) => Replica::from_inspect(c),
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => {
                return Err(format!(
                    "no container named `{name}` on target {}",
                    addr.target
                ))
            }
            Err(e) => return Err(format!("inspecting {name}: {e}")),
        };
        return running(found);
    }
    let mut replicas = compose_replicas(docker, &addr.group, &addr.name).await?;
    if replicas.is_empty() {
        return Err(format!(
            "{addr}: no container of Compose service `{}` in project `{}` on target {}",
            addr.name, addr.group, addr.target
        ));
    }
    match replicas.iter().position(|r| r.running) {
        Some(i) => Ok(replicas.swap_remove(i)),
        None => Err(format!("{addr}: none of its containers is running")),
    }
}

fn running(found: Replica) -> Result<Replica, String> {
    if found.running {
        Ok(found)
    } else {
        Err(format!(
            "container {} is not running: a command can only run in a running container",
            found.name
        ))
    }
}

/// Runs `command` in `container` with `local` as its terminal (or pipes)
/// until it exits.
pub async fn session(
    docker: &Docker,
    container: &Replica,
    command: &[String],
    local: &mut Local,
) -> Result<Ended, String> {
    let size = local.size();
    let tty = size.is_some();
    let term = std::env::var("TERM").ok().filter(|_| tty);
    let options = CreateExecOptions {
        attach_stdin: Some(true),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        tty: Some(tty),
        cmd: Some(command.to_vec()),
        env: term.map(|t| vec![format!("TERM={t}")]),
        ..Default::default()
    };
    let exec = docker
        .create_exec(&container.id, options)
        .await
        .map_err(|e| format!("creating an exec in {}: {e}", container.name))?;
    let started = docker
        .start_exec(
            &exec.id,
            Some(StartExecOptions {
                detach: false,
                tty,
                output_capacity: None,
            }),
        )
        .await
        .map_err(|e| {
            format!(
                "starting {} in {}: {e}",
                shown_command(command),
                container.name
            )
        })?;
    let StartExecResults::Attached {
        mut output,
        mut input,
    } = started
    else {
        return Err(format!(
            "the engine did not attach to the exec in {}",
            container.name
        ));
    };
    if let Some((w, h)) = size {
        resize(docker, &exec.id, w, h).await;
    }
    let mut resized = match tty {
        true => Some(signal(SignalKind::window_change()).map_err(|e| format!("SIGWINCH: {e}"))?),
        false => None,
    };
    let mut first = true;
    let mut not_started = None;
    let mut typing = true;
    loop {
        tokio::select! {
            chunk = output.next() => match chunk {
                None => break,
                Some(Err(e)) => return Err(format!("the session with {}: {e}", container.name)),
                Some(Ok(LogOutput::StdErr { message })) => local.stderr(&message)?,
                Some(Ok(LogOutput::StdIn { .. })) => {}
                Some(Ok(LogOutput::StdOut { message } | LogOutput::Console { message })) => {
                    // The engine says it could not start the command in the
                    // stream itself; that line is held back for the error.
                    if first && start_failure(&message).is_some() {
                        not_started = start_failure(&message);
                    } else {
                        local.stdout(&message)?;
                    }
                    first = false;
                }
            },
            typed = local.input.recv(), if typing => match typed {
                Some(bytes) => {
                    if input.write_all(&bytes).await.is_err() {
                        typing = false;
                    }
                }
                None => {
                    // End of input: the command sees its stdin close.
                    let _ = input.shutdown().await;
                    typing = false;
                }
            },
            Some(()) = async { resized.as_mut()?.recv().await } => {
                if let Ok((w, h)) = crossterm::terminal::size() {
                    resize(docker, &exec.id, w, h).await;
                }
            }
        }
    }
    let code = docker
        .inspect_exec(&exec.id)
        .await
        .map_err(|e| format!("reading how the command in {} ended: {e}", container.name))?
        .exit_code;
    match (not_started, code) {
        (Some(why), code) => Ok(Ended::NotStarted(why, code)),
        (None, Some(code)) => Ok(Ended::Exited(code)),
        (None, None) => Err(format!(
            "the engine gave no exit code for {} in {}",
            shown_command(command),
            container.name
        )),
    }
}

async fn resize(docker: &Docker, exec: &str, width: u16, height: u16) {
    // A resize that fails (the process just exited) changes nothing worth reporting.
    let _ = docker
        .resize_exec(exec, ResizeExecOptions { height, width })
        .await;
}

/// The engine's own report that the command could not start, as it writes
/// it into the stream: `OCI runtime exec failed: exec failed: ...: exec:
/// "/bin/sh": stat /bin/sh: no such file or directory: unknown`. Returns
/// the part that says why.
pub fn start_failure(first_output: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(first_output);
    let line = text.trim();
    if !line.starts_with("OCI runtime exec failed") {
        return None;
    }
    let why = line
        .rsplit_once("exec: ")
        .map_or(line, |(_, why)| why)
        .trim_end_matches(": unknown");
    Some(why.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engines_start_failure_is_recognised_and_shortened() {
        let line = b"OCI runtime exec failed: exec failed: container_linux.go:380: starting container process caused: exec: \"/bin/sh\": stat /bin/sh: no such file or directory: unknown\r\n";
        assert_eq!(
            start_failure(line).as_deref(),
            Some("\"/bin/sh\": stat /bin/sh: no such file or directory")
        );
        assert_eq!(start_failure(b"/ # "), None);
        assert_eq!(start_failure(b"hi-42\r\n"), None);
    }
}
