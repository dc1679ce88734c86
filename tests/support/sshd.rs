//! A real sshd (Debian's `openssh-server`) on a free loopback port, with a
//! throwaway host key and a throwaway client key, started in the foreground
//! from its own config (not the system's service) and killed when dropped.
//! Client configs for opsdeck's `ssh_config` come with it: one that trusts the
//! host and holds the key, one that does not know the host, one with a key the
//! server refuses. A missing sshd fails the test: it never skips.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "free_port.rs"]
mod free_port;

pub struct Sshd {
    pub port: u16,
    pub user: String,
    /// Trusts this server's host key and offers the authorised key.
    pub good_config: PathBuf,
    /// Offers the authorised key but knows no host keys.
    pub unknown_host_config: PathBuf,
    /// Trusts the host but offers a key the server does not accept.
    pub wrong_key_config: PathBuf,
    child: Child,
    dir: tempfile::TempDir,
}

fn keygen(path: &Path) {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "opsdeck-test", "-f"])
        .arg(path)
        .stdout(Stdio::null())
        .status()
        .expect("ssh-keygen (Debian package openssh-client) makes the test keys");
    assert!(ok.success(), "ssh-keygen failed");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

impl Sshd {
    pub fn start() -> Sshd {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let port = free_port::free_port();
        let user = whoami();
        for key in ["host_key", "client_key", "other_key"] {
            keygen(&d.join(key));
        }
        std::fs::write(d.join("authorized_keys"), read(&d.join("client_key.pub"))).unwrap();
        std::fs::write(
            d.join("known_hosts"),
            format!("[127.0.0.1]:{port} {}", read(&d.join("host_key.pub"))),
        )
        .unwrap();
        std::fs::write(d.join("empty_known_hosts"), "").unwrap();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile none\n\
             AuthorizedKeysFile {}\nPubkeyAuthentication yes\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n\
             PermitRootLogin prohibit-password\nAllowStreamLocalForwarding yes\n\
             X11Forwarding no\nLogLevel ERROR\n",
            d.join("host_key").display(),
            d.join("authorized_keys").display(),
        );
        std::fs::write(d.join("sshd_config"), config).unwrap();
        // Run as root, sshd wants its privilege-separation directory.
        if is_root() {
            std::fs::create_dir_all("/run/sshd").unwrap();
        }
        let client = |name: &str, key: &str, known: &str| {
            let path = d.join(name);
            std::fs::write(
                &path,
                format!(
                    "Host *\n  IdentityFile {}\n  IdentitiesOnly yes\n  IdentityAgent none\n  \
                     UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n",
                    d.join(key).display(),
                    d.join(known).display()
                ),
            )
            .unwrap();
            path
        };
        let good_config = client("good.conf", "client_key", "known_hosts");
        let unknown_host_config = client("unknown.conf", "client_key", "empty_known_hosts");
        let wrong_key_config = client("wrong.conf", "other_key", "known_hosts");
        let sshd = ["/usr/sbin/sshd", "/usr/bin/sshd"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("sshd is needed (apt-get install openssh-server)");
        let child = Command::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(d.join("sshd_config"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sshd");
        let mut s = Sshd {
            port,
            user,
            good_config,
            unknown_host_config,
            wrong_key_config,
            child,
            dir,
        };
        s.wait_ready();
        s
    }

    /// Until the server sends its banner; sshd's own words if it exits.
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = self.child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                panic!("sshd exited ({status}): {err}");
            }
            if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                let mut banner = [0u8; 4];
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                if s.read_exact(&mut banner).is_ok() && &banner == b"SSH-" {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("sshd did not answer on 127.0.0.1:{}", self.port);
    }

    /// `ssh://USER@127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("ssh://{}@127.0.0.1:{}", self.user, self.port)
    }

    /// Open SSH connections: sshd forks one child per connection.
    pub fn sessions(&self) -> usize {
        self.session_pids().len()
    }

    /// The processes serving each connection.
    pub fn session_pids(&self) -> Vec<String> {
        let out = Command::new("pgrep")
            .args(["-P", &self.child.id().to_string()])
            .output()
            .expect("pgrep (procps)");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Local `ssh` processes connected to `port` (by their `-p PORT` argument).
pub fn ssh_clients(port: u16) -> usize {
    let port = port.to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
        .filter(|cmd| {
            let args: Vec<&[u8]> = cmd.split(|b| *b == 0).collect();
            args.first().is_some_and(|a| *a == b"ssh")
                && args
                    .windows(2)
                    .any(|w| w[0] == b"-p" && w[1] == port.as_bytes())
        })
        .count()
}

fn whoami() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn is_root() -> bool {
    whoami() == "root"
}
