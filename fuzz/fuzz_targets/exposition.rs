//! Fuzz the exposition parser: any bytes, both formats. Nothing may panic,
//! every reported line number must exist, and grouping and label iteration
//! must cope with whatever the parser accepted.
//!
//! cargo +nightly fuzz run exposition

#![no_main]

use libfuzzer_sys::fuzz_target;
use opsdeck::exposition::{parse_bytes, Format};

fuzz_target!(|data: &[u8]| {
    let lines = data.split(|&c| c == b'\n').count() as u32;
    for format in [Format::Prometheus, Format::OpenMetrics] {
        let scrape = parse_bytes(data, format);
        for e in &scrape.errors {
            // MissingEof points one past the last line.
            assert!(e.line >= 1 && e.line <= lines + 1, "{e:?} with {lines} lines");
        }
        for sample in &scrape.samples {
            assert!(sample.line >= 1 && sample.line <= lines);
            for label in sample.labels() {
                std::hint::black_box(label);
            }
        }
        let families = scrape.group();
        for family in &families.families {
            for series in &family.series {
                if let opsdeck::exposition::SeriesValue::Histogram(h) = &series.value {
                    assert!(h.buckets.windows(2).all(|w| w[0].le <= w[1].le));
                    std::hint::black_box(opsdeck::metrics::histogram::histogram_quantile(
                        0.95, &h.buckets,
                    ));
                }
            }
        }
    }
});
