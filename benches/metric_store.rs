//! MetricStore ingest rate (goal >= 10 M samples/s) and memory with 1,000 series
//! after 48 h of 1 s samples (goal < 50 MB, flat once the rings are full).
//! `cargo bench --bench metric_store`

use criterion::{criterion_group, Criterion, Throughput};
use opsdeck::metrics::{MetricStore, SeriesId};
use std::hint::black_box;

const SERIES: usize = 1000;

fn store() -> (MetricStore, Vec<SeriesId>) {
    let mut m = MetricStore::new();
    let ids = (0..SERIES)
        .map(|i| m.intern(&format!("bench:series:{i}")))
        .collect();
    (m, ids)
}

fn ingest(c: &mut Criterion) {
    let mut g = c.benchmark_group("ingest");
    // One second of samples for every series per iteration, as a collector delivers them.
    g.throughput(Throughput::Elements(SERIES as u64));
    g.bench_function("1000 series, one 1 s tick", |b| {
        let (mut m, ids) = store();
        let mut t = 0i64;
        b.iter(|| {
            t += 1;
            for (i, id) in ids.iter().enumerate() {
                m.push(*id, t, black_box((t as f64 + i as f64) * 0.5));
            }
        })
    });
    g.finish();
}

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// Not a criterion bench: 48 hours of 1 s samples into 1,000 series, printing
/// the process RSS as it goes so "flat after the rings fill" can be seen.
fn memory() {
    let base = rss_bytes();
    let (mut m, ids) = store();
    let ring_bytes: usize = opsdeck::metrics::TIERS
        .iter()
        .map(|(_, len)| len * 4)
        .sum::<usize>()
        * SERIES;
    println!(
        "\nmemory: 1000 series, 1 s samples for 48 h; ring payload {:.1} MB, RSS before: {:.1} MB",
        ring_bytes as f64 / 1e6,
        base as f64 / 1e6
    );
    let start = std::time::Instant::now();
    let hours = 48;
    for t in 0..(hours * 3600) as i64 {
        for (i, id) in ids.iter().enumerate() {
            m.push(*id, t, (t as f64 * 0.001 + i as f64).sin());
        }
        if (t + 1) % (6 * 3600) == 0 {
            let rss = rss_bytes();
            // Absolute RSS: the criterion run before this already grew the heap,
            // so a difference from `base` would understate the store.
            println!(
                "  after {:>2} h: process RSS {:6.1} MB",
                (t + 1) / 3600,
                rss as f64 / 1e6
            );
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let samples = (hours * 3600 * SERIES) as f64;
    println!(
        "  {samples:.0} samples in {secs:.1} s: {:.1} M samples/s end to end",
        samples / secs / 1e6
    );
    black_box(&m);
}

criterion_group!(benches, ingest);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    memory();
}
