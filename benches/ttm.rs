//! Time to mitigate: the incident loop of tests/e2e_incident.rs, timed.
//! `cargo bench --bench ttm` (needs Docker, tmux, and the debug binary the
//! tests use: run `cargo test --no-run` first, or `cargo build`).

#[path = "../tests/support/free_port.rs"]
mod free_port;
#[path = "../tests/support/images.rs"]
mod images;
#[path = "../tests/support/run_bin.rs"]
mod run_bin;
#[allow(dead_code)] // the other tests use the rest
#[path = "../tests/support/tmux.rs"]
mod tmux;
#[path = "../tests/support/ttm.rs"]
mod ttm;

fn main() {
    let runs: usize = std::env::var("TTM_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    for n in 1..=runs {
        let dir = tempfile::tempdir().unwrap();
        let t = ttm::run(dir.path());
        println!(
            "run {n}: {} keys ({}); launch → report {:.1}s; firing → report {:.1}s; beyond the alert's for ({}s, counted from the fault or the launch): {:.1}s; {}",
            t.keys.len(),
            t.keys.join(" "),
            t.launch_to_report.as_secs_f64(),
            t.firing_to_report.as_secs_f64(),
            ttm::FOR_SECS,
            t.beyond_for.as_secs_f64(),
            t.outcome_line
        );
    }
}
