//! What the benchmarks read off a running console: tmux to give it a real
//! terminal, /proc for its CPU time and resident memory.
#![allow(dead_code)] // each bench uses a different part

use std::process::Command;

pub fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(args)
        .output()
        .expect("tmux is needed for this benchmark");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Starts `command` in a detached tmux session of the given size; returns the pane's pid.
pub fn start_in_tmux(
    session: &str,
    width: u16,
    height: u16,
    env: &[(&str, &str)],
    command: &str,
) -> String {
    let mut args = vec![
        "new-session".to_string(),
        "-d".into(),
        "-s".into(),
        session.into(),
        "-x".into(),
        width.to_string(),
        "-y".into(),
        height.to_string(),
    ];
    for (k, v) in env {
        args.push("-e".into());
        args.push(format!("{k}={v}"));
    }
    args.push(format!("exec {command}"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    tmux(&args);
    tmux(&["display-message", "-p", "-t", session, "#{pane_pid}"])
}

/// User plus system CPU time of `pid` in clock ticks (1/100 s on Linux).
pub fn cpu_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("process is running");
    // Fields after the parenthesised name; utime and stime are the 14th and 15th.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

/// Resident set size of `pid` in bytes.
pub fn rss_bytes(pid: &str) -> u64 {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).expect("process is running");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Percent of one core used over `ticks` clock ticks in `secs` seconds.
pub fn cpu_percent(ticks: u64, secs: f64) -> f64 {
    ticks as f64 / 100.0 / secs * 100.0
}

/// User plus system CPU time, in clock ticks, of this process's children
/// that have been waited for (`cutime` + `cstime`): read before and after
/// waiting for one child, the difference is that child's CPU.
pub fn waited_children_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    f[13].parse::<u64>().unwrap() + f[14].parse::<u64>().unwrap()
}
