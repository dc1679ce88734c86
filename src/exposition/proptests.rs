//! Property tests: generated well-formed payloads round-trip through the
//! writer and the parser; arbitrary input never panics.

use proptest::prelude::*;

use super::Bucket;
use super::*;

#[derive(Debug, Clone)]
struct GenSample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
    timestamp_ms: Option<i64>,
}

#[derive(Debug, Clone)]
enum Item {
    Sample(GenSample),
    Help(String, String),
    Type(String, MetricType),
    Comment(String),
}

fn metric_name() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => "[a-zA-Z_:][a-zA-Z0-9_:]{0,24}",
        1 => "[a-z][a-z0-9._-]{0,10}\\.[a-z]{1,5}", // needs the quoted form
    ]
}

fn label_name() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => "[a-zA-Z_][a-zA-Z0-9_]{0,12}",
        1 => "[a-z]{1,5}\\.[a-z]{1,5}",
    ]
}

fn label_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 /:._-]{0,16}",
        "[\\\\\"\\n{}=,# a-z]{0,16}",
        any::<String>(),
    ]
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        (-1_000_000i64..1_000_000).prop_map(|v| v as f64),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
    ]
}

fn sample() -> impl Strategy<Value = GenSample> {
    (
        metric_name(),
        prop::collection::btree_map(label_name(), label_value(), 0..5),
        value(),
        prop::option::of(-10_000_000_000_000i64..10_000_000_000_000),
    )
        .prop_map(|(name, labels, value, timestamp_ms)| GenSample {
            name,
            labels: labels.into_iter().collect(),
            value,
            timestamp_ms,
        })
}

fn metric_type() -> impl Strategy<Value = MetricType> {
    prop_oneof![
        Just(MetricType::Counter),
        Just(MetricType::Gauge),
        Just(MetricType::Histogram),
        Just(MetricType::Summary),
        Just(MetricType::Unknown),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        8 => sample().prop_map(Item::Sample),
        // HELP text: any characters but CR, not starting with a blank (the
        // Prometheus format trims leading blanks).
        1 => (metric_name(), "([^ \t\r][^\r]{0,30})?").prop_map(|(n, h)| Item::Help(n, h)),
        1 => (metric_name(), metric_type()).prop_map(|(n, t)| Item::Type(n, t)),
        1 => "[^\n\r]{0,20}".prop_map(Item::Comment),
    ]
}

fn render(items: &[Item], format: Format) -> String {
    let mut out = String::new();
    for it in items {
        match it {
            Item::Sample(s) => {
                let labels: Vec<(&str, &str)> = s
                    .labels
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                write_sample(&mut out, format, &s.name, &labels, s.value, s.timestamp_ms);
            }
            Item::Help(n, h) => write_help(&mut out, format, n, h),
            Item::Type(n, t) => write_type(&mut out, format, n, *t),
            Item::Comment(c) => {
                // Keep it a comment, not HELP/TYPE/UNIT/EOF.
                out.push_str("# c ");
                out.push_str(c);
                out.push('\n');
            }
        }
    }
    if format == Format::OpenMetrics {
        write_eof(&mut out);
    }
    out
}

fn same_value(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn check_roundtrip(items: &[Item], format: Format) -> Result<(), TestCaseError> {
    let text = render(items, format);
    let scrape = parse(&text, format);
    prop_assert!(
        scrape.errors.is_empty(),
        "errors {:?} in\n{}",
        scrape.errors,
        text
    );
    let want: Vec<&GenSample> = items
        .iter()
        .filter_map(|i| {
            if let Item::Sample(s) = i {
                Some(s)
            } else {
                None
            }
        })
        .collect();
    prop_assert_eq!(scrape.samples.len(), want.len());
    for (got, want) in scrape.samples.iter().zip(want) {
        prop_assert_eq!(got.name.as_ref(), want.name.as_str());
        let labels: Vec<(String, String)> = got
            .labels()
            .map(|l| (l.name.into_owned(), l.value.into_owned()))
            .collect();
        prop_assert_eq!(&labels, &want.labels);
        prop_assert!(
            same_value(got.value, want.value),
            "{} vs {}",
            got.value,
            want.value
        );
        prop_assert_eq!(got.timestamp_ms, want.timestamp_ms);
    }
    let mut metadata = scrape.metadata.iter();
    for it in items {
        match it {
            Item::Help(n, h) => {
                let m = metadata.next().unwrap();
                prop_assert_eq!(m.name.as_ref(), n.as_str());
                prop_assert_eq!(&m.kind, &MetadataKind::Help(h.as_str().into()));
            }
            Item::Type(n, t) => {
                let m = metadata.next().unwrap();
                prop_assert_eq!(m.name.as_ref(), n.as_str());
                prop_assert_eq!(&m.kind, &MetadataKind::Type(*t));
            }
            _ => {}
        }
    }
    prop_assert!(metadata.next().is_none());
    // Grouping must not panic on whatever mix was generated.
    let _ = scrape.group();
    Ok(())
}

/// A well-formed histogram family with `series` label sets.
fn histogram() -> impl Strategy<Value = (String, Vec<(String, Vec<Bucket>)>)> {
    let buckets = (
        prop::collection::btree_set(0u32..10_000, 1..12),
        prop::collection::vec(0u32..1000, 12),
    )
        .prop_map(|(bounds, incs)| {
            let mut cum = 0.0;
            let mut out: Vec<Bucket> = bounds
                .into_iter()
                .zip(incs.iter())
                .map(|(b, inc)| {
                    cum += *inc as f64;
                    Bucket::new(b as f64 / 1000.0, cum)
                })
                .collect();
            out.push(Bucket::new(f64::INFINITY, cum + incs[11] as f64));
            out
        });
    (
        "[a-z_]{1,12}",
        prop::collection::btree_map("[a-z0-9]{1,6}", buckets, 1..4),
    )
        .prop_map(|(name, series)| (name, series.into_iter().collect()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn roundtrip_prometheus(items in prop::collection::vec(item(), 0..40)) {
        check_roundtrip(&items, Format::Prometheus)?;
    }

    #[test]
    fn roundtrip_openmetrics(items in prop::collection::vec(item(), 0..40)) {
        check_roundtrip(&items, Format::OpenMetrics)?;
    }

    #[test]
    fn histograms_group_back((name, series) in histogram(), shuffle in any::<bool>()) {
        let mut lines = Vec::new();
        for (inst, buckets) in &series {
            for b in buckets {
                let mut line = String::new();
                let le = if b.le.is_infinite() { "+Inf".to_string() } else { b.le.to_string() };
                write_sample(&mut line, Format::Prometheus, &format!("{name}_bucket"),
                    &[("instance", inst), ("le", &le)], b.count, None);
                lines.push(line);
            }
            let total = buckets.last().unwrap().count;
            let mut line = String::new();
            write_sample(&mut line, Format::Prometheus, &format!("{name}_count"), &[("instance", inst)], total, None);
            lines.push(line);
        }
        if shuffle {
            lines.reverse();
        }
        let text = format!("# TYPE {name} histogram\n{}", lines.concat());
        let scrape = parse(&text, Format::Prometheus);
        prop_assert!(scrape.errors.is_empty());
        let g = scrape.group();
        prop_assert!(g.errors.is_empty(), "{:?}", g.errors);
        let fam = g.get(&name).unwrap();
        prop_assert_eq!(fam.series.len(), series.len());
        for (inst, buckets) in &series {
            let s = fam.series.iter().find(|s| s.label("instance") == Some(inst.as_str())).unwrap();
            let SeriesValue::Histogram(h) = &s.value else { panic!("not a histogram") };
            prop_assert_eq!(&h.buckets, buckets);
            prop_assert_eq!(h.count, Some(buckets.last().unwrap().count));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for format in [Format::Prometheus, Format::OpenMetrics] {
            let s = parse_bytes(&bytes, format);
            for sample in &s.samples {
                let _ = sample.labels().count();
            }
            let _ = s.group();
        }
    }

    #[test]
    fn exposition_like_text_never_panics(
        text in "([a-z_{}=\",# \\\\\n\t.+0-9eIfNa-]|le|quantile|HELP|TYPE|EOF|_bucket|_total){0,200}"
    ) {
        for format in [Format::Prometheus, Format::OpenMetrics] {
            let s = parse(&text, format);
            for sample in &s.samples {
                let _ = sample.labels().count();
            }
            let _ = s.group();
        }
    }

    /// Damage one byte of a valid payload: the other lines still parse.
    #[test]
    fn damage_stays_local(items in prop::collection::vec(sample(), 2..20), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let items: Vec<Item> = items.into_iter().map(Item::Sample).collect();
        let text = render(&items, Format::Prometheus);
        let mut bytes = text.into_bytes();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let damaged_line = bytes[..i].iter().filter(|&&c| c == b'\n').count() as u32 + 1;
        let s = parse_bytes(&bytes, Format::Prometheus);
        for e in &s.errors {
            // a new '\n' may split the damaged line in two
            prop_assert!(e.line == damaged_line || e.line == damaged_line + 1, "{:?}", e);
        }
        // At worst the damaged line and a neighbour it was merged with are lost.
        prop_assert!(s.samples.len() + 2 >= items.len());
        prop_assert!(s.samples.len() <= items.len() + 1);
    }
}
