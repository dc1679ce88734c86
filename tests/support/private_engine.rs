//! A private Docker engine for tests that stop and start one: its own data
//! root, exec root, pid file and socket in a temporary directory, so the
//! shared engine is never touched.
//!
//! It runs in a network namespace of its own (`unshare --net`): with
//! `--bridge none` dockerd deletes any `docker0` interface it can see, which
//! in the host's namespace would be the shared engine's default bridge.
//! Tests run as root; a missing dockerd or unshare panics, never skips.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starting dockerd (and its containerd) on a busy two-core machine.
const READY_WITHIN: Duration = Duration::from_secs(90);
const STARTS: u32 = 3;

pub struct PrivateEngine {
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl PrivateEngine {
    /// Starts the engine and waits until it answers `/_ping`.
    pub fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("opsdeck-test-source-engine-")
            .tempdir_in("/tmp")
            .expect("temporary directory");
        std::fs::write(dir.path().join("daemon.json"), "{}\n").expect("daemon.json");
        let mut engine = PrivateEngine { dir, child: None };
        engine.start_again();
        engine
    }

    /// `unix://…/docker.sock`, for an `Endpoint`.
    pub fn host(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("docker.sock")
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// Starts dockerd after `kill` (or the first time) and waits until it answers.
    /// On a loaded machine dockerd can give up waiting for its containerd and
    /// exit; that is retried a few times before the test fails.
    pub fn start_again(&mut self) {
        assert!(
            self.child.is_none(),
            "the private engine is running already"
        );
        for attempt in 1..=STARTS {
            match self.spawn_and_wait() {
                Ok(()) => return,
                Err(why) if attempt < STARTS => eprintln!("private dockerd: {why}; retrying"),
                Err(why) => panic!("private dockerd {why}:\n{}", self.log()),
            }
        }
    }

    fn spawn_and_wait(&mut self) -> Result<(), String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("dockerd.log"))
            .expect("dockerd log");
        let host = self.host();
        let args = [
            "--net",
            "dockerd",
            // The machine's /etc/docker/daemon.json names the shared data root.
            "--config-file",
            &self.path("daemon.json"),
            "--data-root",
            &self.path("data"),
            "--exec-root",
            &self.path("exec"),
            "--pidfile",
            &self.path("docker.pid"),
            "-H",
            &host,
            "--bridge",
            "none",
            "--iptables=false",
            "--ip6tables=false",
        ];
        let child = Command::new("unshare")
            .args(args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run `unshare --net dockerd` (root needed): {e}"));
        self.child = Some(child);
        let deadline = Instant::now() + READY_WITHIN;
        while !ping(&self.socket()) {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                return Err(format!("exited with {status}"));
            }
            if Instant::now() > deadline {
                return Err(format!("did not answer within {READY_WITHIN:?}"));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(())
    }

    /// SIGKILL, as a crash would; waits until the process is gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        // A killed dockerd leaves its socket file; a client must still fail.
        assert!(!ping(&self.socket()), "the engine still answers after kill");
    }

    /// SIGSTOP: the engine hangs, connections are accepted and never answered.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// SIGCONT after `freeze`.
    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, sig: &str) {
        let child = self.child.as_ref().expect("the private engine is running");
        let ok = Command::new("kill")
            .args([sig, &child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill {sig} dockerd failed");
    }

    /// The docker CLI against this engine; a failure panics with its stderr.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("docker")
            .args(["-H", &self.host()])
            .args(args)
            .output()
            .expect("the docker CLI");
        assert!(
            out.status.success(),
            "docker {args:?} on the private engine failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Copies an image from the shared engine (`docker save | docker load`):
    /// nothing can be pulled here.
    pub fn load_image(&self, tag: &str) {
        let mut save = Command::new("docker")
            .args(["save", tag])
            .stdout(Stdio::piped())
            .spawn()
            .expect("docker save");
        let load = Command::new("docker")
            .args(["-H", &self.host(), "load", "--quiet"])
            .stdin(save.stdout.take().expect("piped"))
            .output()
            .expect("docker load");
        assert!(
            save.wait().is_ok_and(|s| s.success()),
            "docker save {tag} failed"
        );
        assert!(
            load.status.success(),
            "docker load failed: {}",
            String::from_utf8_lossy(&load.stderr)
        );
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dockerd.log")).unwrap_or_default()
    }

    /// The containerd that dockerd started, by the pid file it writes.
    fn containerd_pid(&self) -> Option<i32> {
        let file = self.dir.path().join("exec/containerd/containerd.pid");
        std::fs::read_to_string(file).ok()?.trim().parse().ok()
    }
}

impl Drop for PrivateEngine {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // A frozen engine would not hear SIGTERM.
            let _ = Command::new("kill")
                .args(["-CONT", &child.id().to_string()])
                .status();
            // SIGTERM lets dockerd stop its containerd and unmount what it mounted.
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(pid) = self.containerd_pid() {
            // Only if it is still the containerd of this directory.
            let cmdline =
                std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            if cmdline.contains(self.dir.path().to_str().unwrap_or("\0")) {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        }
        // dockerd bind-mounts its data root onto itself; a killed one leaves that behind.
        let data = self.dir.path().join("data");
        for _ in 0..STARTS + 1 {
            let mounted = std::fs::read_to_string("/proc/self/mounts")
                .unwrap_or_default()
                .contains(data.to_str().unwrap_or("\0"));
            if !mounted
                || !Command::new("umount")
                    .arg(&data)
                    .status()
                    .is_ok_and(|s| s.success())
            {
                break;
            }
        }
    }
}

/// True when the engine behind `socket` answers `GET /_ping` with OK.
pub fn ping(socket: &Path) -> bool {
    let Ok(mut s) = UnixStream::connect(socket) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.") && answer.ends_with("OK")
}
