//! Load generator throughput on loopback, beside oha and hey in the same run:
//! nginx (one worker, `return 200`) is the server; each tool gets the same
//! connections and duration, one after the other. Prints requests/s, p50 and
//! p99 as each tool reports them, and CPU per request from the tool's own
//! CPU time (`cutime`+`cstime` around its wait).
//!
//! `cargo bench --bench load_vs`
//! Environment: LOAD_VS_C (default 50), LOAD_VS_SECS (default 10),
//! OHA (default `oha`, e.g. from `cargo install oha --locked`), HEY (default `hey`, Debian).

#[path = "support/load_tools.rs"]
mod load_tools;
#[path = "../tests/support/nginx.rs"]
mod nginx;
#[path = "support/proc_stats.rs"]
mod proc_stats;

use load_tools::{env_or, measured, oha, opsdeck, print_rows, Figures};
use std::process::Command;
use std::time::Duration;

fn hey(url: &str, c: &str, secs: &str) -> Figures {
    let mut cmd = Command::new(env_or("HEY", "hey"));
    cmd.args(["-c", c, "-z"]).arg(format!("{secs}s")).arg(url);
    let (out, cpu_s) = measured("hey", cmd);
    let field = |prefix: &str| -> f64 {
        out.lines()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("hey printed no `{prefix}`:\n{out}"))
    };
    let rps = field("Requests/sec:");
    let total = field("Total:");
    Figures {
        tool: "hey",
        rps,
        p50_ms: field("50% in") * 1000.0,
        p99_ms: field("99% in") * 1000.0,
        requests: rps * total,
        cpu_s,
    }
}

fn main() {
    let c = env_or("LOAD_VS_C", "50");
    let secs = env_or("LOAD_VS_SECS", "10");
    let server = nginx::Nginx::start();
    let url = format!("{}/", server.url);
    println!("nginx 1 worker `return 200` on loopback; {c} connections, {secs}s each, one tool at a time");
    let mut rows = Vec::new();
    for run in [opsdeck, oha, hey] {
        rows.push(run(&url, &c, &secs));
        std::thread::sleep(Duration::from_secs(2));
    }
    print_rows(&rows);
}
