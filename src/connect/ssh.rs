//! ssh:// Docker hosts. One `ssh` process per host, owned by opsdeck, forwards
//! a local socket in a private temporary directory to the engine's socket; the
//! collector and every action talk to that socket, so all their requests share
//! one SSH connection. The user's ssh config, keys and agent apply; the host key
//! is always checked; nothing is left behind: `close_all` ends every `ssh` and
//! removes the directory, and every way out of opsdeck calls it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The engine's socket on the remote host when the URL names none.
const REMOTE_SOCKET: &str = "/var/run/docker.sock";
/// How long logging in and setting up the forward may take.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// `ssh://[user@]host[:port][/remote/socket]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshAddr {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    pub socket: String,
}

impl SshAddr {
    pub fn parse(url: &str) -> Result<SshAddr, String> {
        let expected = "expected ssh://[USER@]HOST[:PORT][/REMOTE/SOCKET]";
        let rest = url
            .strip_prefix("ssh://")
            .ok_or_else(|| format!("`{url}`: {expected}"))?;
        let (authority, socket) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let (user, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u.to_string()), h),
            None => (None, authority),
        };
        // [::1]:2222 keeps its colons inside the brackets.
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or_else(|| format!("`{url}`: unclosed [ in the host; {expected}"))?;
            (h, after.strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            }
        };
        let port = port
            .map(|p| {
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| format!("`{url}`: port {p:?} is not a number 1-65535"))
            })
            .transpose()?;
        if host.is_empty() || user.as_deref() == Some("") {
            return Err(format!("`{url}`: {expected}"));
        }
        let socket = match socket.trim_end_matches('/') {
            "" => REMOTE_SOCKET.to_string(),
            s => s.to_string(),
        };
        Ok(SshAddr {
            user,
            host: host.to_string(),
            port,
            socket,
        })
    }

    /// `user@host:port` as the user wrote it, for messages.
    pub fn shown(&self) -> String {
        let user = self
            .user
            .as_ref()
            .map_or(String::new(), |u| format!("{u}@"));
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let port = self.port.map_or(String::new(), |p| format!(":{p}"));
        format!("{user}{host}{port}")
    }

    /// The `ssh` arguments naming the host (its port and user included).
    fn args(&self) -> Vec<String> {
        let mut a = Vec::new();
        if let Some(p) = self.port {
            a.extend(["-p".to_string(), p.to_string()]);
        }
        if let Some(u) = &self.user {
            a.extend(["-l".to_string(), u.clone()]);
        }
        // `--` so a host can never be read as an option.
        a.extend(["--".to_string(), self.host.clone()]);
        a
    }
}

struct Forward {
    child: Child,
    local: PathBuf,
}

struct Registry {
    dir: Option<tempfile::TempDir>,
    next: usize,
    /// By URL and ssh config; a handful at most.
    forwards: Vec<(String, Forward)>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    dir: None,
    next: 0,
    forwards: Vec::new(),
});

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    // A panic while holding the lock leaves nothing half-done that matters
    // here: the map only ever holds running or finished children.
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// One login at a time; the registry itself is only ever held for a moment,
/// so `close_all` (a signal, a panic) never waits behind a slow login.
static LOGIN: Mutex<()> = Mutex::new(());

/// The local socket that reaches `url`'s Docker engine, logging in the first
/// time (blocking: call it off the async runtime). `ssh_config` is an ssh
/// config file used instead of the user's (`-F`).
pub fn forward(url: &str, ssh_config: Option<&Path>) -> Result<PathBuf, String> {
    let addr = SshAddr::parse(url)?;
    let key = format!(
        "{url}\0{}",
        ssh_config.map_or("".into(), |p| p.display().to_string())
    );
    let _login = LOGIN.lock().unwrap_or_else(|p| p.into_inner());
    let errors = {
        let mut reg = registry();
        if let Some(i) = reg.forwards.iter().position(|(k, _)| *k == key) {
            match reg.forwards[i].1.child.try_wait() {
                Ok(None) => return Ok(reg.forwards[i].1.local.clone()),
                // The connection dropped (the host went away, a network
                // change): log in again.
                _ => {
                    let (_, gone) = reg.forwards.swap_remove(i);
                    let _ = std::fs::remove_file(&gone.local);
                }
            }
        }
        if reg.dir.is_none() {
            let dir = tempfile::Builder::new()
                .prefix("opsdeck-ssh-")
                .tempdir()
                .map_err(|e| {
                    format!(
                        "ssh to {}: cannot make a private directory: {e}",
                        addr.shown()
                    )
                })?;
            reg.dir = Some(dir);
        }
        let dir = reg.dir.as_ref().expect("made above").path().to_path_buf();
        let n = reg.next;
        reg.next += 1;
        let local = dir.join(format!("{n}.sock"));
        let errors = dir.join(format!("{n}.err"));
        let child = spawn(&addr, ssh_config, &local, &errors)?;
        reg.forwards.push((key.clone(), Forward { child, local }));
        errors
    };
    wait_ready(&addr, &key, &errors)
}

fn spawn(
    addr: &SshAddr,
    ssh_config: Option<&Path>,
    local: &Path,
    errors: &Path,
) -> Result<Child, String> {
    let stderr = std::fs::File::create(errors)
        .map_err(|e| format!("ssh to {}: {}: {e}", addr.shown(), errors.display()))?;
    let mut cmd = Command::new("ssh");
    if let Some(f) = ssh_config {
        cmd.arg("-F").arg(f);
    }
    cmd.args(["-N", "-T"])
        // Never prompt: a passphrase or a host key to confirm fails with
        // ssh's own message instead of hanging the console.
        .args(["-o", "BatchMode=yes"])
        // An unknown or changed host key is refused, whatever the config says.
        .args(["-o", "StrictHostKeyChecking=yes"])
        // Not a client of someone else's master, and no master of our own:
        // this process is the one connection.
        .args(["-o", "ControlMaster=no", "-o", "ControlPath=none"])
        .args(["-o", "ExitOnForwardFailure=yes"])
        .args(["-o", "ConnectTimeout=10"])
        .args([
            "-o",
            "ServerAliveInterval=15",
            "-o",
            "ServerAliveCountMax=3",
        ])
        .arg("-L")
        .arg(format!("{}:{}", local.display(), addr.socket))
        .args(addr.args())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    cmd.spawn()
        .map_err(|e| format!("ssh to {}: cannot run ssh: {e}", addr.shown()))
}

/// Until the forward's socket exists (ssh makes it only once logged in) or ssh
/// gives up, whose last words are then the error.
fn wait_ready(addr: &SshAddr, key: &str, errors: &Path) -> Result<PathBuf, String> {
    let start = Instant::now();
    loop {
        {
            let mut reg = registry();
            let Some(i) = reg.forwards.iter().position(|(k, _)| k == key) else {
                return Err(format!("ssh to {}: closed while logging in", addr.shown()));
            };
            let f = &mut reg.forwards[i].1;
            if let Ok(Some(status)) = f.child.try_wait() {
                reg.forwards.swap_remove(i);
                let said = std::fs::read_to_string(errors).unwrap_or_default();
                return Err(format!(
                    "ssh to {}: {}",
                    addr.shown(),
                    ssh_words(addr, &said, status)
                ));
            }
            if f.local.exists() {
                return Ok(f.local.clone());
            }
            if start.elapsed() > READY_WITHIN {
                let (_, mut f) = reg.forwards.swap_remove(i);
                drop(reg);
                stop(&mut f.child);
                return Err(format!(
                    "ssh to {}: no connection within {}s",
                    addr.shown(),
                    READY_WITHIN.as_secs()
                ));
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// ssh's last message, without the `user@host: ` it puts in front.
fn ssh_words(addr: &SshAddr, said: &str, status: std::process::ExitStatus) -> String {
    let lines: Vec<&str> = said
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let Some(last) = lines.last() else {
        return format!("ssh exited ({status}) and said nothing");
    };
    // A changed host key's warning is many lines; the last says it failed.
    let prefix = format!(
        "{}{}: ",
        addr.user
            .as_ref()
            .map_or(String::new(), |u| format!("{u}@")),
        addr.host
    );
    last.strip_prefix(&prefix).unwrap_or(last).to_string()
}

fn stop(child: &mut Child) {
    // SIGTERM lets ssh close the session on the remote side; it is given a
    // moment before SIGKILL.
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: signalling our own child, whose pid we hold.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Ends every ssh connection and removes the private directory. Called on every
/// way out (quit, signals, a panic, the end of a CLI command); safe to call twice.
pub fn close_all() {
    let (forwards, dir) = {
        let mut reg = registry();
        (std::mem::take(&mut reg.forwards), reg.dir.take())
    };
    for (_, mut f) in forwards {
        stop(&mut f.child);
    }
    drop(dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_with_port_user_and_socket() {
        let a = SshAddr::parse("ssh://root@10.1.2.3:2222").unwrap();
        assert_eq!(
            (a.user.as_deref(), a.host.as_str(), a.port),
            (Some("root"), "10.1.2.3", Some(2222))
        );
        assert_eq!(a.socket, REMOTE_SOCKET);
        assert_eq!(a.shown(), "root@10.1.2.3:2222");
        assert_eq!(
            a.args(),
            ["-p", "2222", "-l", "root", "--", "10.1.2.3"].map(String::from)
        );
        let a = SshAddr::parse("ssh://bastion").unwrap();
        assert_eq!(
            (a.user.clone(), a.port, a.shown()),
            (None, None, "bastion".into())
        );
        let a = SshAddr::parse("ssh://me@[::1]:22/run/user/1000/docker.sock/").unwrap();
        assert_eq!((a.host.as_str(), a.port), ("::1", Some(22)));
        assert_eq!(a.socket, "/run/user/1000/docker.sock");
        assert_eq!(a.shown(), "me@[::1]:22");
    }

    #[test]
    fn bad_addresses_say_what_is_expected() {
        for bad in ["ssh://", "ssh://@h", "ssh://h:0", "ssh://h:http", "tcp://h"] {
            let e = SshAddr::parse(bad).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
        let e = SshAddr::parse("ssh://h:99999").unwrap_err();
        assert!(e.contains("1-65535"), "{e}");
    }

    #[test]
    fn ssh_words_drop_its_prefix() {
        let a = SshAddr::parse("ssh://root@10.1.2.3:2222").unwrap();
        let status = std::process::Command::new("false").status().unwrap();
        assert_eq!(
            ssh_words(
                &a,
                "root@10.1.2.3: Permission denied (publickey).\n",
                status
            ),
            "Permission denied (publickey)."
        );
        assert_eq!(
            ssh_words(&a, "@@@\nWARNING\nHost key verification failed.\n", status),
            "Host key verification failed."
        );
    }
}
