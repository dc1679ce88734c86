//! A load run's figures as text: the one-line live progress and the
//! end-of-run summary with its latency histogram.

use super::errors::ErrorKind;
use super::stats::LoadFigures;
use std::fmt::Write as _;

pub fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.2} ms")
    }
}

/// One line for the terminal while the run goes on.
pub fn progress_line(s: &LoadFigures) -> String {
    format!(
        "{:>6.1}s  {} requests  {:.0}/s now  p50 {}  p99 {}  errors {}",
        s.elapsed_s,
        s.requests,
        s.current_rps,
        ms(s.latency.p50),
        ms(s.latency.p99),
        s.errors
    )
}

/// One line for the audit log's outcome and the console's status line.
pub fn outcome_line(s: &LoadFigures) -> String {
    format!(
        "{} requests in {:.1}s ({:.1}/s), p50 {}, p99 {}, max {}, {} errors",
        s.requests,
        s.elapsed_s,
        s.rps,
        ms(s.latency.p50),
        ms(s.latency.p99),
        ms(s.latency.max),
        s.errors
    )
}

/// The summary printed at the end; `open` when latency was measured from
/// the schedule (then service time is shown beside it).
pub fn summary(s: &LoadFigures, open: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "requests  {} in {:.2}s, {:.1}/s ({} answers, {} errors)",
        s.requests, s.elapsed_s, s.rps, s.answers, s.errors
    );
    if s.answers == 0 {
        out.push_str("latency   none: nothing answered\n");
    } else {
        latency_lines(&mut out, s, open);
    }
    if !s.statuses.is_empty() {
        let codes: Vec<String> = s
            .statuses
            .iter()
            .map(|(c, n)| format!("{c}: {n}"))
            .collect();
        let _ = writeln!(out, "status    {}", codes.join("  "));
    }
    let kinds: Vec<String> = ErrorKind::ALL
        .iter()
        .filter_map(|k| s.error_kinds.get(k).map(|n| format!("{}: {n}", k.label())))
        .collect();
    if !kinds.is_empty() {
        let _ = writeln!(out, "errors    {}", kinds.join("  "));
    }
    out.push_str(&histogram(s, 40));
    out
}

fn latency_lines(out: &mut String, s: &LoadFigures, open: bool) {
    let p = &s.latency;
    let _ = writeln!(
        out,
        "latency   p50 {}  p90 {}  p95 {}  p99 {}  p99.9 {}  max {}  mean {}",
        ms(p.p50),
        ms(p.p90),
        ms(p.p95),
        ms(p.p99),
        ms(p.p999),
        ms(p.max),
        ms(p.mean)
    );
    if open {
        let q = &s.service;
        let _ = writeln!(
            out,
            "          (from each request's scheduled send; from its actual send: p50 {}  p99 {}  max {})",
            ms(q.p50),
            ms(q.p99),
            ms(q.max)
        );
    }
}

/// Bars scaled to the fullest bucket, `width` characters at most.
pub fn histogram(s: &LoadFigures, width: usize) -> String {
    let mut out = String::new();
    let top = s.histogram.iter().map(|b| b.count).max().unwrap_or(0);
    if top == 0 {
        return out;
    }
    out.push_str("latency histogram\n");
    for b in &s.histogram {
        let len = ((b.count as f64 / top as f64) * width as f64).ceil() as usize;
        let _ = writeln!(
            out,
            "  ≤ {:>10} │{:<width$} {}",
            ms(b.upto_ms),
            "■".repeat(len),
            b.count
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::stats::{Sample, Stats};
    use std::time::Duration;

    #[test]
    fn the_summary_names_every_figure_and_scales_the_bars() {
        let mut stats = Stats::new();
        for i in 0..100u64 {
            stats.record(&Sample {
                done_at: Duration::from_millis(i * 10),
                latency: Duration::from_millis(1 + i % 10),
                service: Duration::from_millis(1),
                result: if i < 95 {
                    Ok(200)
                } else {
                    Err(ErrorKind::Reset)
                },
            });
        }
        let snap = stats.snapshot(Duration::from_secs(1), 5);
        let text = summary(&snap, true);
        for want in [
            "100 in 1.00s",
            "p99.9",
            "200: 95",
            "reset: 5",
            "actual send",
            "■",
        ] {
            assert!(text.contains(want), "{want} missing from\n{text}");
        }
        let bars: usize = text.lines().filter(|l| l.contains('│')).count();
        assert_eq!(bars, snap.histogram.len());
        assert!(outcome_line(&snap).contains("5 errors"));
    }
}
