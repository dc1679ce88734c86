//! The real `opsdeck` binary run with a config and a data dir, and its
//! output shown whole for an assertion message.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

pub fn opsdeck(config: &Path, data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(args)
        .env("OPSDECK_CONFIG", config)
        .env("OPSDECK_DATA_DIR", data)
        .stdin(Stdio::null())
        .output()
        .expect("running opsdeck")
}

pub fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A spawned command's output, or a failed test naming `what` and showing
/// what it printed when it has not ended within `limit`: a hang fails here,
/// with its output, instead of holding the whole run until CI gives up.
pub fn output_within(child: std::process::Child, limit: std::time::Duration, what: &str) -> Output {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.expect("waiting for the command"),
        Err(_) => {
            // SAFETY: a signal to the child we spawned, which has not been reaped.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            let out = rx.recv().expect("the waiting thread").expect("waiting");
            panic!("{what} did not end within {limit:?}\n{}", text(&out));
        }
    }
}
