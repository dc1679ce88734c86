//! Drives the real opsdeck binary in a detached tmux session, as a person at a
//! terminal would: send keys, read the screen.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub session: String,
}

fn tmux(args: &[&str]) -> std::process::Output {
    Command::new("tmux")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("tmux is required for this test and could not run: {e}"))
}

impl Tmux {
    /// Starts `command` in a new session of the given size. When the command ends
    /// the pane prints `EXITED <code>` and stays open so the test can read it.
    pub fn start(
        name: &str,
        width: u16,
        height: u16,
        command: &str,
        env: &[(&str, &Path)],
    ) -> Tmux {
        let session = format!("opsdeck-{name}-{}", std::process::id());
        let mut args: Vec<String> = vec![
            "new-session".into(),
            "-d".into(),
            "-s".into(),
            session.clone(),
        ];
        args.extend([
            "-x".into(),
            width.to_string(),
            "-y".into(),
            height.to_string(),
        ]);
        for (k, v) in env {
            args.extend(["-e".into(), format!("{k}={}", v.display())]);
        }
        args.push(format!("{command}; echo EXITED $?; sleep 600"));
        let out = Command::new("tmux")
            .args(&args)
            .output()
            .expect("tmux is required for this test");
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmux { session }
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", &self.session]).stdout)
            .into_owned()
    }

    /// The screen plus everything scrolled off it.
    pub fn history(&self) -> String {
        String::from_utf8_lossy(
            &tmux(&["capture-pane", "-p", "-S", "-", "-t", &self.session]).stdout,
        )
        .into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.session];
        args.extend_from_slice(keys);
        assert!(tmux(&args).status.success());
    }

    pub fn resize(&self, width: u16, height: u16) {
        let (w, h) = (width.to_string(), height.to_string());
        assert!(
            tmux(&["resize-window", "-t", &self.session, "-x", &w, "-y", &h])
                .status
                .success()
        );
    }

    /// Whether the pane is showing the alternate screen (a full-screen app).
    pub fn alternate_on(&self) -> bool {
        let out = tmux(&[
            "display-message",
            "-p",
            "-t",
            &self.session,
            "#{alternate_on}",
        ]);
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    pub fn pane_pid(&self) -> u32 {
        let out = tmux(&["display-message", "-p", "-t", &self.session, "#{pane_pid}"]);
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("pane pid")
    }

    /// Types `keys` and waits a second for `pred`, again until `timeout`:
    /// for what follows a change asynchronously (a remote TTY's size after
    /// the window's, which no terminal tool applies before the next key).
    pub fn retype_until(
        &self,
        what: &str,
        timeout: Duration,
        keys: &[&str],
        pred: impl Fn(&str) -> bool,
    ) -> String {
        let start = Instant::now();
        loop {
            self.keys(keys);
            let typed = Instant::now();
            while typed.elapsed() < Duration::from_secs(1) {
                let screen = self.screen();
                if pred(&screen) {
                    return screen;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            if start.elapsed() > timeout {
                panic!("timed out waiting for {what}; screen:\n{}", self.screen());
            }
        }
    }

    /// Waits until the screen satisfies `pred`, panicking with the screen if it never does.
    pub fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if start.elapsed() > timeout {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        tmux(&["kill-session", "-t", &self.session]);
    }
}
