//! Exposition parser throughput and allocations per sample, beside the
//! prometheus-parse crate, on a real node_exporter payload
//! (tests/fixtures/exposition/node_exporter.prom, Debian's
//! prometheus-node-exporter 1.5.0).
//!
//! `cargo bench --bench exposition` prints allocations per sample and a
//! quick MB/s comparison first, then criterion's measurements (thrpt in
//! MiB/s). Set `EXPOSITION_BENCH_QUICK=1` to skip criterion.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, Throughput};
use opsdeck::exposition::{parse, Format};

const PAYLOAD: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/exposition/node_exporter.prom"
));

/// Counts allocations while `COUNTING` is on.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Relaxed) {
            ALLOCS.fetch_add(1, Relaxed);
            BYTES.fetch_add(layout.size() as u64, Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Relaxed) {
            ALLOCS.fetch_add(1, Relaxed);
            BYTES.fetch_add(new_size as u64, Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn ours(text: &str) -> usize {
    parse(text, Format::Prometheus).samples.len()
}

fn ours_grouped(text: &str) -> usize {
    parse(text, Format::Prometheus).group().families.len()
}

fn theirs(text: &str) -> usize {
    prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned())))
        .map(|s| s.samples.len())
        .unwrap_or(0)
}

/// (allocations, bytes) made by one call.
fn count_allocs(f: impl FnOnce() -> usize) -> (u64, u64) {
    ALLOCS.store(0, Relaxed);
    BYTES.store(0, Relaxed);
    COUNTING.store(true, Relaxed);
    black_box(f());
    COUNTING.store(false, Relaxed);
    (ALLOCS.load(Relaxed), BYTES.load(Relaxed))
}

/// MB/s (10^6 bytes) over repeated runs for about `budget`.
fn quick_mbps(f: impl Fn(&str) -> usize, budget: Duration) -> f64 {
    for _ in 0..20 {
        black_box(f(black_box(PAYLOAD)));
    }
    let start = Instant::now();
    let mut runs = 0u64;
    while start.elapsed() < budget {
        black_box(f(black_box(PAYLOAD)));
        runs += 1;
    }
    (PAYLOAD.len() as f64 * runs as f64) / start.elapsed().as_secs_f64() / 1e6
}

fn report() {
    let samples = parse(PAYLOAD, Format::Prometheus).samples.len();
    println!(
        "payload: node_exporter.prom, {} bytes, {} lines, {} samples",
        PAYLOAD.len(),
        PAYLOAD.lines().count(),
        samples
    );
    type Parser = fn(&str) -> usize;
    let parsers: [(&str, Parser); 3] = [
        ("opsdeck::exposition::parse", ours),
        ("opsdeck parse + group", ours_grouped),
        ("prometheus-parse 0.2", theirs),
    ];
    let mut speeds = Vec::new();
    for (name, f) in parsers {
        let (allocs, bytes) = count_allocs(|| f(PAYLOAD));
        let mbps = quick_mbps(f, Duration::from_secs(2));
        speeds.push(mbps);
        println!(
            "{name:<28} {mbps:>8.1} MB/s   {:>7.3} allocations/sample   {:>8.1} bytes allocated/sample",
            allocs as f64 / samples as f64,
            bytes as f64 / samples as f64,
        );
    }
    println!(
        "speed-up of parse over prometheus-parse: {:.1}x",
        speeds[0] / speeds[2]
    );
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("exposition/node_exporter");
    g.throughput(Throughput::Bytes(PAYLOAD.len() as u64));
    g.bench_function("opsdeck_parse", |b| b.iter(|| ours(black_box(PAYLOAD))));
    g.bench_function("opsdeck_parse_group", |b| {
        b.iter(|| ours_grouped(black_box(PAYLOAD)))
    });
    g.bench_function("prometheus_parse", |b| {
        b.iter(|| theirs(black_box(PAYLOAD)))
    });
    g.finish();
}

criterion_group!(benches, bench);

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not: then
    // only check that both parsers run.
    if !std::env::args().any(|a| a == "--bench") {
        assert!(ours(PAYLOAD) > 0 && theirs(PAYLOAD) > 0);
        return;
    }
    report();
    if std::env::var_os("EXPOSITION_BENCH_QUICK").is_none() {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
}
