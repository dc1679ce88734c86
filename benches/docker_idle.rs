//! Idle cost of the console watching a Docker engine with many running
//! containers, beside oxker on the same engine in the same run: CPU of one
//! core and resident memory, each tool at its default refresh, each in its own
//! 160×48 tmux pane, measured over 60 s after a 15 s warm-up.
//!
//! `cargo bench --bench docker_idle`
//! Environment: OPSDECK_BENCH_COUNTS (default `20,200`), OPSDECK_IDLE_SECS
//! (default 60), OXKER (default `oxker` on PATH, e.g. from `cargo install oxker`).

#[path = "../tests/support/images.rs"]
mod images;
#[path = "support/proc_stats.rs"]
mod proc_stats;

use proc_stats::{cpu_percent, cpu_ticks, rss_bytes, start_in_tmux, tmux};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");
const WARM_UP: Duration = Duration::from_secs(15);
const SAMPLE_EVERY: Duration = Duration::from_secs(5);

/// Removes every container this run started, also when the bench panics.
struct Fleet {
    label: String,
    started: usize,
}

impl Fleet {
    fn grow_to(&mut self, n: usize, image: &str) {
        let label = self.label.clone();
        let todo: Vec<usize> = (self.started..n).collect();
        // A few `docker run`s at once; the engine serialises most of the work anyway.
        let chunks: Vec<Vec<usize>> = todo
            .chunks(todo.len().div_ceil(4).max(1))
            .map(<[usize]>::to_vec)
            .collect();
        std::thread::scope(|s| {
            for chunk in chunks {
                let label = &label;
                s.spawn(move || {
                    for i in chunk {
                        let name = format!("{label}-{i}");
                        // A slow health interval: 200 health checks a second would load
                        // the host and blur what the consoles themselves cost.
                        images::docker(&[
                            "run",
                            "--detach",
                            "--name",
                            &name,
                            "--label",
                            label,
                            "--health-interval",
                            "60s",
                            image,
                        ]);
                    }
                });
            }
        });
        self.started = n;
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        let filter = format!("label={}", self.label);
        let ids = images::docker(&["ps", "-aq", "--filter", &filter]);
        let ids: Vec<&str> = ids.split_whitespace().collect();
        for chunk in ids.chunks(50) {
            let mut args = vec!["rm", "-f"];
            args.extend_from_slice(chunk);
            let _ = images::docker_output(&args);
        }
    }
}

struct Reading {
    cpu_pct: f64,
    rss_mean_mb: f64,
    rss_max_mb: f64,
}

/// Samples both processes over the same window.
fn measure(pids: &[&str], secs: u64) -> Vec<Reading> {
    std::thread::sleep(WARM_UP);
    let ticks0: Vec<u64> = pids.iter().map(|p| cpu_ticks(p)).collect();
    let mut rss: Vec<Vec<u64>> = vec![Vec::new(); pids.len()];
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(secs) {
        std::thread::sleep(SAMPLE_EVERY);
        for (i, p) in pids.iter().enumerate() {
            rss[i].push(rss_bytes(p));
        }
    }
    let elapsed = t0.elapsed().as_secs_f64();
    pids.iter()
        .enumerate()
        .map(|(i, p)| {
            let r = &rss[i];
            Reading {
                cpu_pct: cpu_percent(cpu_ticks(p) - ticks0[i], elapsed),
                rss_mean_mb: r.iter().sum::<u64>() as f64 / r.len().max(1) as f64 / 1e6,
                rss_max_mb: r.iter().copied().max().unwrap_or(0) as f64 / 1e6,
            }
        })
        .collect()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let secs: u64 = std::env::var("OPSDECK_IDLE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let counts: Vec<usize> = std::env::var("OPSDECK_BENCH_COUNTS")
        .unwrap_or_else(|_| "20,200".into())
        .split(',')
        .map(|c| {
            c.trim()
                .parse()
                .expect("OPSDECK_BENCH_COUNTS is a list of numbers")
        })
        .collect();
    let oxker = std::env::var("OXKER").unwrap_or_else(|_| "oxker".into());
    let oxker_version = std::process::Command::new(&oxker)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| {
            panic!("{oxker} is needed for this benchmark (cargo install oxker): {e}")
        });
    println!(
        "oxker: {}",
        String::from_utf8_lossy(&oxker_version.stdout).trim()
    );

    let image = images::build_demo_v1(&images::opsdeck_binary());
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[[docker]]\nname = \"local\"\n").unwrap();
    let config_env = config.display().to_string();
    let data_env = dir.path().join("data").display().to_string();
    let mut fleet = Fleet {
        label: format!("opsdeck-bench-{}", std::process::id()),
        started: 0,
    };
    for n in counts {
        fleet.grow_to(n, &image);
        let tag = format!("{}-{n}", std::process::id());
        let ours = format!("opsdeck-bench-ours-{tag}");
        let theirs = format!("opsdeck-bench-oxker-{tag}");
        let env = [
            ("OPSDECK_CONFIG", config_env.as_str()),
            ("OPSDECK_DATA_DIR", data_env.as_str()),
        ];
        let our_pid = start_in_tmux(&ours, 160, 48, &env, BIN);
        let their_pid = start_in_tmux(&theirs, 160, 48, &[], &oxker);
        let readings = measure(&[&our_pid, &their_pid], secs);
        tmux(&["kill-session", "-t", &ours]);
        tmux(&["kill-session", "-t", &theirs]);
        for (who, r) in ["opsdeck", "oxker"].iter().zip(&readings) {
            println!(
                "{n} containers, {who}: CPU {:.2}% of one core, RSS mean {:.1} MB, max {:.1} MB ({secs} s)",
                r.cpu_pct, r.rss_mean_mb, r.rss_max_mb
            );
        }
        println!(
            "{n} containers, opsdeck/oxker: CPU {:.2}, RSS {:.2}",
            readings[0].cpu_pct / readings[1].cpu_pct.max(f64::MIN_POSITIVE),
            readings[0].rss_mean_mb / readings[1].rss_mean_mb.max(f64::MIN_POSITIVE)
        );
    }
}
