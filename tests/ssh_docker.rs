//! ssh:// Docker targets against a real sshd (Debian's openssh-server) on a
//! loopback port, reaching this machine's Docker engine through it: the port
//! in the URL is honoured, the inventory, logs and a scale go through one SSH
//! connection, an unknown host key or a refused key is a degraded target in
//! ssh's own words, and every way out of opsdeck (a CLI command ending, q,
//! SIGHUP, SIGTERM, a panic) leaves no ssh process, no remote session and no
//! private directory behind.

#[path = "support/images.rs"]
mod images;
#[path = "support/run_bin.rs"]
mod run_bin;

#[path = "support/actions.rs"]
mod actions;
#[path = "support/shell_image.rs"]
mod shell_image;
#[path = "support/sshd.rs"]
mod sshd;
mod support;

use actions::*;
use images::{docker, DemoContainer, TEST_LABEL};
use sshd::{ssh_clients, Sshd};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");

fn ssh_target(sshd: &Sshd, name: &str, ssh_config: &Path) -> String {
    format!(
        "[[docker]]\nname = \"{name}\"\nhost = \"{}\"\nssh_config = \"{}\"\n",
        sshd.url(),
        ssh_config.display()
    )
}

/// The real binary with `TMPDIR` set to `tmp`, where its private ssh
/// directory goes, so the test can see that it is gone afterwards.
fn opsdeck(config: &Path, data: &Path, tmp: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .env("OPSDECK_CONFIG", config)
        .env("OPSDECK_DATA_DIR", data)
        .env("TMPDIR", tmp)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run opsdeck")
}

/// Waits (a readiness check, not a timed assertion) until no ssh process and
/// no remote session is left, then checks the private directory is gone.
#[track_caller]
fn assert_nothing_left(sshd: &Sshd, tmp: &Path, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while (ssh_clients(sshd.port) > 0 || sshd.sessions() > 0) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(ssh_clients(sshd.port), 0, "{what}: an ssh process is left");
    assert_eq!(sshd.sessions(), 0, "{what}: a remote session is left");
    let left: Vec<_> = std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{what}: left in TMPDIR: {left:?}");
}

#[test]
fn inventory_logs_and_a_scale_through_ssh_on_its_own_port() {
    let sshd = Sshd::start();
    let (_tags, v1, _, _) = images("ssh");
    let p = Project::up("ssh", &v1, 1);
    std::fs::write(&p.config, ssh_target(&sshd, "local", &sshd.good_config)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(ssh_clients(sshd.port), 0);

    let out = opsdeck(&p.config, &p.data, tmp.path(), &["workloads", "--json"]);
    let text = run_bin::text(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&p.workload()), "{text}");
    assert_nothing_left(&sshd, tmp.path(), "workloads");

    let out = opsdeck(
        &p.config,
        &p.data,
        tmp.path(),
        &["logs", &p.workload(), "-n", "5"],
    );
    assert!(out.status.success(), "{}", run_bin::text(&out));
    // The demo's first line, from the container's stderr through ssh.
    assert!(
        run_bin::text(&out).contains("listening on"),
        "{}",
        run_bin::text(&out)
    );
    assert_nothing_left(&sshd, tmp.path(), "logs");

    let out = opsdeck(
        &p.config,
        &p.data,
        tmp.path(),
        &["scale", &p.workload(), "2", "--yes"],
    );
    assert!(out.status.success(), "{}", run_bin::text(&out));
    assert_eq!(p.ids().len(), 2, "scaled through ssh");
    assert_nothing_left(&sshd, tmp.path(), "scale");
    assert!(p.audit_text().contains("scale"), "{}", p.audit_text());
}

#[test]
fn exec_runs_in_a_container_through_ssh_and_leaves_nothing() {
    let sshd = Sshd::start();
    let c = DemoContainer::start_with(&shell_image::build_shell_image(), "ssh-exec", &[], &[]);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("opsdeck.toml");
    std::fs::write(&config, ssh_target(&sshd, "far", &sshd.good_config)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let address = format!("far/{}", c.name);
    let out = opsdeck(
        &config,
        &dir.path().join("data"),
        tmp.path(),
        &[
            "exec",
            &address,
            "--",
            "sh",
            "-c",
            "echo hi-$((6*7)); exit 5",
        ],
    );
    assert_eq!(out.status.code(), Some(5), "{}", run_bin::text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hi-42\n");
    assert_nothing_left(&sshd, tmp.path(), "exec");
}

/// On a bastion: opsdeck runs in an SSH session (`ssh -t`), so the TTY
/// the shell in the container follows is the one sshd made, resized when
/// the engineer's window is.
#[test]
fn exec_in_an_ssh_session_follows_the_engineers_window() {
    let sshd = Sshd::start();
    let c = DemoContainer::start_with(&shell_image::build_shell_image(), "ssh-tty", &[], &[]);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("opsdeck.toml");
    std::fs::write(&config, "").unwrap();
    let remote = format!(
        "env OPSDECK_CONFIG={} OPSDECK_DATA_DIR={} {BIN} exec local/{}",
        config.display(),
        dir.path().join("data").display(),
        c.name
    );
    let command = format!(
        "ssh -F {} -t -p {} {}@127.0.0.1 '{remote}'",
        sshd.good_config.display(),
        sshd.port,
        sshd.user
    );
    let t = Tmux::start("ssh-exec-tty", 100, 30, &command, &[]);
    t.wait_for("the shell's prompt", Duration::from_secs(30), |s| {
        s.lines().any(|l| l.trim_end() == "/ #")
    });
    t.keys(&["echo hi-$((6*7)); stty size", "Enter"]);
    t.wait_for("the output and the size", Duration::from_secs(10), |s| {
        s.contains("\nhi-42") && s.contains("30 100")
    });
    t.resize(120, 40);
    t.retype_until(
        "the new size through ssh",
        Duration::from_secs(10),
        &["stty size", "Enter"],
        |s| s.contains("40 120"),
    );
    t.keys(&["exit 6", "Enter"]);
    t.wait_for("the exit code through ssh", Duration::from_secs(10), |s| {
        s.contains("EXITED 6")
    });
}

#[test]
fn an_unknown_host_key_or_a_refused_key_is_degraded_in_ssh_words() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let shown = format!("ssh to {}@127.0.0.1:{}", sshd.user, sshd.port);
    for (ssh_config, words) in [
        (&sshd.unknown_host_config, "Host key verification failed."),
        (&sshd.wrong_key_config, "Permission denied (publickey)."),
    ] {
        let config = dir.path().join("opsdeck.toml");
        std::fs::write(&config, ssh_target(&sshd, "far", ssh_config)).unwrap();
        let out = opsdeck(&config, &dir.path().join("data"), tmp.path(), &["status"]);
        let text = run_bin::text(&out);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(text.contains(&format!("{shown}: {words}")), "{text}");
        assert!(!text.contains("hyper"), "{text}");
        assert_nothing_left(&sshd, tmp.path(), words);
    }
}

/// The console over ssh until it ends by `how`, then nothing is left.
fn console_ends_cleanly(name: &str, how: &str) {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let config = dir.path().join("opsdeck.toml");
    std::fs::write(&config, ssh_target(&sshd, "far", &sshd.good_config)).unwrap();
    let data = dir.path().join("data");
    let panic_after = if how == "panic" {
        "OPSDECK_TEST_PANIC_AFTER_MS=8000 "
    } else {
        ""
    };
    let t = Tmux::start(
        name,
        160,
        30,
        &format!("TMPDIR={} {panic_after}{BIN}", tmp.path().display()),
        &[("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)],
    );
    t.wait_for("the ssh target read", Duration::from_secs(30), |s| {
        s.contains("● far")
    });
    // The collector's reads all share one connection.
    assert_eq!(ssh_clients(sshd.port), 1);
    assert_eq!(sshd.sessions(), 1);
    let pid = String::from_utf8_lossy(
        &Command::new("pgrep")
            .args(["-P", &t.pane_pid().to_string(), "-x", "opsdeck"])
            .output()
            .unwrap()
            .stdout,
    )
    .trim()
    .to_string();
    let code = match how {
        // The connection drops (the far side ends it): the target is
        // degraded, then read again through a new login, the old ssh gone.
        "drop" => {
            let first = sshd.session_pids();
            for pid in &first {
                assert!(Command::new("kill").arg(pid).status().unwrap().success());
            }
            let screen = t.wait_for("the target degraded", Duration::from_secs(30), |s| {
                s.contains("▲ far")
            });
            assert!(!screen.contains("hyper"), "{screen}");
            t.wait_for("the target read again", Duration::from_secs(60), |s| {
                s.contains("● far")
            });
            assert_eq!(ssh_clients(sshd.port), 1, "one ssh, the new one");
            let now = sshd.session_pids();
            assert_eq!(now.len(), 1, "{now:?}");
            assert!(!first.contains(&now[0]), "a new session");
            t.keys(&["q"]);
            "0"
        }
        "q" => {
            t.keys(&["q"]);
            "0"
        }
        "panic" => "101",
        signal => {
            assert!(Command::new("kill")
                .args([&format!("-{signal}"), &pid])
                .status()
                .unwrap()
                .success());
            "0"
        }
    };
    let screen = t.wait_for("the console to end", Duration::from_secs(30), |s| {
        s.contains("EXITED")
    });
    assert!(screen.contains(&format!("EXITED {code}")), "{screen}");
    assert_nothing_left(&sshd, tmp.path(), how);
}

#[test]
fn the_console_quit_with_q_leaves_nothing() {
    console_ends_cleanly("ssh-q", "q");
}

#[test]
fn the_console_on_sighup_leaves_nothing() {
    console_ends_cleanly("ssh-hup", "HUP");
}

#[test]
fn the_console_on_sigterm_leaves_nothing() {
    console_ends_cleanly("ssh-term", "TERM");
}

#[test]
fn the_console_after_a_panic_leaves_nothing() {
    console_ends_cleanly("ssh-panic", "panic");
}

#[test]
fn a_dropped_connection_is_logged_in_again_and_still_leaves_nothing() {
    console_ends_cleanly("ssh-drop", "drop");
}
