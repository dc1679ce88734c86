//! Unit and fixture tests for the exposition parser.

use std::collections::HashMap;

use super::Bucket;
use super::*;

const NODE_EXPORTER: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/exposition/node_exporter.prom"
));
const OPENMETRICS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/exposition/openmetrics.txt"
));
const PROM_TYPES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/exposition/prometheus_types.prom"
));
const BAD_LINES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/exposition/bad_lines.prom"
));
const INVALID_UTF8: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/exposition/invalid_utf8.prom"
));

fn labels_of(s: &Sample<'_>) -> Vec<(String, String)> {
    s.labels()
        .map(|l| (l.name.into_owned(), l.value.into_owned()))
        .collect()
}

fn one(line: &str) -> Sample<'_> {
    let s = parse(line, Format::Prometheus);
    assert!(s.errors.is_empty(), "{line:?}: {:?}", s.errors);
    assert_eq!(s.samples.len(), 1);
    s.samples.into_iter().next().unwrap()
}

fn err(line: &str, format: Format) -> LineError {
    let s = parse(line, format);
    assert!(s.samples.is_empty(), "{line:?} parsed: {:?}", s.samples);
    s.errors[0]
}

#[test]
fn simple_sample() {
    let s = one("http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000");
    assert_eq!(s.name, "http_requests_total");
    assert_eq!(
        labels_of(&s),
        [
            ("method".into(), "post".into()),
            ("code".into(), "200".into())
        ]
    );
    assert_eq!(s.value, 1027.0);
    assert_eq!(s.timestamp_ms, Some(1395066363000));
    assert_eq!(s.line, 1);
    assert!(matches!(s.name, std::borrow::Cow::Borrowed(_)));
}

#[test]
fn special_values() {
    assert!(one("a NaN").value.is_nan());
    assert_eq!(one("a +Inf").value, f64::INFINITY);
    assert_eq!(one("a -Inf").value, f64::NEG_INFINITY);
    assert_eq!(one("a -0.5e-3").value, -0.0005);
    assert_eq!(one("a{} 7").value, 7.0);
}

#[test]
fn label_escapes() {
    let s = one(r#"m{path="C:\\DIR\\F.TXT",error="Cannot find:\n\"F\"",odd="a\tb\q"} 1"#);
    let l = labels_of(&s);
    assert_eq!(l[0].1, "C:\\DIR\\F.TXT");
    assert_eq!(l[1].1, "Cannot find:\n\"F\"");
    assert_eq!(l[2].1, "a\\tb\\q"); // unknown escapes kept as written
    assert_eq!(s.label("error").as_deref(), Some("Cannot find:\n\"F\""));
    assert_eq!(s.label("nope"), None);
}

#[test]
fn whitespace_and_trailing_comma() {
    let s = one("  m { a = \"1\" ,\tb=\"2\", } 3 \r");
    assert_eq!(labels_of(&s).len(), 2);
    assert_eq!(s.value, 3.0);
    let s = one("m{a=\"x\"}4");
    assert_eq!(s.value, 4.0);
}

#[test]
fn utf8_quoted_names() {
    let s = one(r#"{"my.metric", "service.name"="x", plain="y"} 1"#);
    assert_eq!(s.name, "my.metric");
    assert_eq!(
        labels_of(&s),
        [
            ("service.name".into(), "x".into()),
            ("plain".into(), "y".into())
        ]
    );
    let s = one(r#"{"only.name"} 2"#);
    assert_eq!(s.name, "only.name");
    assert_eq!(s.labels().count(), 0);
    let m = parse("# TYPE \"a.b\" gauge\n", Format::Prometheus);
    assert_eq!(m.metadata[0].name, "a.b");
    assert_eq!(
        err(r#"x{"y"} 1"#, Format::Prometheus).reason,
        Reason::DuplicateMetricName
    );
}

#[test]
fn metadata_and_comments() {
    let text = "# HELP a Some \\\\ help\\n more \\\"q\\\"\n# TYPE a counter\n# just a comment\n#\n# HELPER x\n# UNIT a seconds\n# EOF\na 1\n";
    let s = parse(text, Format::Prometheus);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(
        s.samples.len(),
        1,
        "# EOF is a comment in the Prometheus format"
    );
    assert_eq!(s.metadata.len(), 3);
    assert_eq!(
        s.metadata[0].kind,
        MetadataKind::Help("Some \\ help\n more \\\"q\\\"".into())
    );
    assert_eq!(s.metadata[1].kind, MetadataKind::Type(MetricType::Counter));
    assert_eq!(s.metadata[2].kind, MetadataKind::Unit("seconds".into()));
    let om = parse("# HELP a x \\\"q\\\"\n# EOF\n", Format::OpenMetrics);
    assert_eq!(om.metadata[0].kind, MetadataKind::Help("x \"q\"".into()));
    let empty = parse("# HELP a\n", Format::Prometheus);
    assert_eq!(empty.metadata[0].kind, MetadataKind::Help("".into()));
}

#[test]
fn openmetrics_timestamps_and_exemplars() {
    let s = parse(
        "a_total 1 1520879607.789 # {trace_id=\"x\"} 0.5 1520879602.1\n# EOF\n",
        Format::OpenMetrics,
    );
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.samples[0].timestamp_ms, Some(1520879607789));
    assert_eq!(s.samples[0].value, 1.0);
    let s = parse(
        "a_total 1 # {trace_id=\"x\"} 0.5\n# EOF",
        Format::OpenMetrics,
    );
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.samples[0].timestamp_ms, None);
    for bad in [
        "a 1 # nope",
        "a 1 # {x=\"1\"}",
        "a 1 # {x=\"1\"} 1 2 3",
        "a 1 # {x=1} 1",
        "a 1 # {x=\"1\"} 1 NaN",
    ] {
        let e = err(&format!("{bad}\n# EOF\n"), Format::OpenMetrics);
        assert_eq!(e.reason, Reason::InvalidExemplar, "{bad}");
    }
}

#[test]
fn openmetrics_eof_rules() {
    let s = parse("a 1\n", Format::OpenMetrics);
    assert_eq!(
        s.errors,
        [LineError {
            line: 2,
            column: 1,
            reason: Reason::MissingEof
        }]
    );
    let s = parse("a 1\n# EOF\nb 2\nc 3\n", Format::OpenMetrics);
    assert_eq!(s.samples.len(), 1);
    assert_eq!(
        s.errors,
        [LineError {
            line: 3,
            column: 1,
            reason: Reason::ContentAfterEof
        }]
    );
    assert!(parse("# EOF", Format::OpenMetrics).errors.is_empty());
}

#[test]
fn format_detection() {
    assert_eq!(
        Format::from_content_type("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        Format::OpenMetrics
    );
    assert_eq!(
        Format::from_content_type("text/plain; version=0.0.4"),
        Format::Prometheus
    );
    assert_eq!(Format::detect(None, b"a 1\n# EOF\n"), Format::OpenMetrics);
    assert_eq!(Format::detect(None, b"a 1\n"), Format::Prometheus);
    assert_eq!(
        Format::detect(Some("text/plain"), b"# EOF"),
        Format::Prometheus
    );
}

#[test]
fn bad_lines_are_reported_and_the_rest_kept() {
    let s = parse(BAD_LINES, Format::Prometheus);
    let got: Vec<(u32, Reason)> = s.errors.iter().map(|e| (e.line, e.reason)).collect();
    use Reason::*;
    assert_eq!(
        got,
        [
            (4, InvalidMetricName),
            (6, MissingValue),
            (7, InvalidValue),
            (8, UnterminatedLabelValue),
            (9, ExpectedEquals),
            (10, DuplicateLabel),
            (11, InvalidTimestamp),
            (12, TrailingCharacters),
            (13, UnknownType),
            (14, MalformedMetadata),
            (15, MissingMetricName),
            (16, ExpectedCommaOrBrace),
            (17, InvalidLabelName),
        ]
    );
    assert_eq!(s.errors[0].column, 4);
    assert_eq!(
        s.errors[0].to_string(),
        "line 4, column 4: invalid metric name"
    );
    let lines: Vec<u32> = s.samples.iter().map(|x| x.line).collect();
    assert_eq!(lines, [3, 5, 18, 20, 21, 22, 23, 24, 26, 27, 28]);

    let g = s.group();
    let got: Vec<(u32, Reason)> = g.errors.iter().map(|e| (e.line, e.reason)).collect();
    assert_eq!(
        got,
        [
            (21, MissingBucketBound),
            (22, InvalidBucketBound),
            (24, DuplicateSample),
            (26, MissingQuantile),
            (27, UnexpectedSample),
        ]
    );
    let good = g.get("good_total").unwrap();
    assert_eq!(good.series.len(), 3);
    let h = g.get("h").unwrap();
    let SeriesValue::Histogram(hd) = &h.series[0].value else {
        panic!()
    };
    assert_eq!(
        hd.buckets,
        [Bucket::new(0.1, 1.0), Bucket::new(f64::INFINITY, 4.0)]
    );
}

#[test]
fn invalid_utf8_only_loses_its_line() {
    let s = parse_bytes(INVALID_UTF8, Format::Prometheus);
    assert_eq!(s.samples.len(), 2);
    assert_eq!(
        s.errors,
        [LineError {
            line: 2,
            column: 1,
            reason: Reason::InvalidUtf8
        }]
    );
    assert_eq!(s.samples[1].label("x").as_deref(), Some("é"));
}

#[test]
fn node_exporter_fixture_parses_cleanly() {
    let s = parse(NODE_EXPORTER, Format::Prometheus);
    assert!(
        s.errors.is_empty(),
        "{:?}",
        &s.errors[..s.errors.len().min(5)]
    );
    let sample_lines = NODE_EXPORTER
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .count();
    assert_eq!(s.samples.len(), sample_lines);
    let g = s.group();
    assert!(g.errors.is_empty(), "{:?}", g.errors);
    let gc = g.get("go_gc_duration_seconds").unwrap();
    assert_eq!(gc.kind, MetricType::Summary);
    let SeriesValue::Summary(sd) = &gc.series[0].value else {
        panic!()
    };
    assert_eq!(sd.quantiles.len(), 5);
    assert!(sd.count.is_some() && sd.sum.is_some());
    let cpu = g.get("node_cpu_seconds_total").unwrap();
    assert_eq!(cpu.kind, MetricType::Counter);
    assert!(cpu
        .series
        .iter()
        .all(|s| matches!(s.value, SeriesValue::Counter { total: Some(_), .. })));
    assert!(cpu.series[0].label("mode").is_some());
}

/// Differential check against the prometheus-parse crate: every plain
/// sample it reads, we read with the same value.
#[test]
fn agrees_with_prometheus_parse_on_node_exporter() {
    let theirs =
        prometheus_parse::Scrape::parse(NODE_EXPORTER.lines().map(|l| Ok(l.to_owned()))).unwrap();
    let ours = parse(NODE_EXPORTER, Format::Prometheus);
    let mut index: HashMap<(String, Vec<(String, String)>), f64> = HashMap::new();
    for s in &ours.samples {
        let mut l = labels_of(s);
        l.sort();
        index.insert((s.name.to_string(), l), s.value);
    }
    let mut compared = 0;
    for s in &theirs.samples {
        let v = match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => continue,
        };
        let mut l: Vec<(String, String)> = s
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        l.sort();
        let mine = index.get(&(s.metric.clone(), l)).copied();
        assert!(
            mine.is_some_and(|m| m == v || (m.is_nan() && v.is_nan())),
            "{} {:?}",
            s.metric,
            mine
        );
        compared += 1;
    }
    assert!(compared > 400, "compared {compared}");
}

#[test]
fn groups_prometheus_types() {
    let s = parse(PROM_TYPES, Format::Prometheus);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let g = s.group();
    assert!(g.errors.is_empty(), "{:?}", g.errors);
    let names: Vec<&str> = g.families.iter().map(|f| f.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "http_requests_total",
            "msdos_file_access_time_seconds",
            "metric_without_timestamp_and_labels",
            "something_weird",
            "http_request_duration_seconds",
            "rpc_duration_seconds",
            "temperature_celsius",
            "legacy"
        ]
    );
    let req = g.get("http_requests_total").unwrap();
    assert_eq!(
        req.help.as_deref(),
        Some("The total number of HTTP requests.")
    );
    assert_eq!(
        req.series[1].value,
        SeriesValue::Counter {
            total: Some(3.0),
            created: None
        }
    );
    assert_eq!(req.series[1].timestamp_ms, Some(1395066363000));
    assert_eq!(req.series[0].label("code"), Some("200"));

    let h = g.get("http_request_duration_seconds").unwrap();
    assert_eq!(h.kind, MetricType::Histogram);
    let SeriesValue::Histogram(hd) = &h.series[0].value else {
        panic!()
    };
    let les: Vec<f64> = hd.buckets.iter().map(|b| b.le).collect();
    assert_eq!(les, [0.05, 0.1, 0.2, 0.5, 1.0, f64::INFINITY]);
    assert_eq!((hd.sum, hd.count), (Some(53423.0), Some(144320.0)));
    // Cumulative, as metrics::histogram::histogram_quantile expects them.
    let counts: Vec<f64> = hd.buckets.iter().map(|b| b.count).collect();
    assert_eq!(
        counts,
        [24054.0, 33444.0, 100392.0, 129389.0, 133988.0, 144320.0]
    );

    let sm = g.get("rpc_duration_seconds").unwrap();
    let SeriesValue::Summary(sd) = &sm.series[0].value else {
        panic!()
    };
    assert_eq!(sd.quantiles.len(), 5);
    assert_eq!(
        sd.quantiles[4],
        Quantile {
            quantile: 0.99,
            value: 76656.0
        }
    );
    let t = g.get("temperature_celsius").unwrap();
    assert_eq!(t.series.len(), 2);
    assert_eq!(t.series[1].value, SeriesValue::Gauge(21.0));
    let w = g.get("something_weird").unwrap();
    assert_eq!(w.series[0].timestamp_ms, Some(-3982045));
    assert_eq!(w.kind, MetricType::Unknown);
    assert!(
        matches!(g.get("legacy").unwrap().series[0].value, SeriesValue::Unknown(v) if v.is_nan())
    );
}

#[test]
fn groups_openmetrics_types() {
    let s = parse(OPENMETRICS, Format::OpenMetrics);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let g = s.group();
    assert!(g.errors.is_empty(), "{:?}", g.errors);
    let h = g.get("acme_http_router_request_seconds").unwrap();
    assert_eq!(h.unit.as_deref(), Some("seconds"));
    assert_eq!(h.series.len(), 1);
    assert_eq!(h.series[0].label("method"), Some("GET"));
    assert_eq!(h.series[0].timestamp_ms, Some(1520879607789));
    let SeriesValue::Histogram(hd) = &h.series[0].value else {
        panic!()
    };
    assert_eq!(hd.buckets.len(), 4);
    assert_eq!(hd.created, Some(1520430000.123));

    let c = g.get("acme_http_requests").unwrap();
    assert_eq!(c.kind, MetricType::Counter);
    assert_eq!(
        c.help.as_deref(),
        Some("Requests served, by \"code\".\nSecond line \\ backslash.")
    );
    assert_eq!(c.series.len(), 2);
    assert_eq!(c.series[0].label("path"), Some("C:\\dir\\"));
    assert_eq!(
        c.series[0].value,
        SeriesValue::Counter {
            total: Some(1027.0),
            created: Some(1520430000.123)
        }
    );
    assert_eq!(c.series[1].label("path"), Some("say \"hi\"\nbye"));

    let gh = g.get("queue_wait_seconds").unwrap();
    let SeriesValue::Histogram(ghd) = &gh.series[0].value else {
        panic!()
    };
    assert_eq!(
        (ghd.sum, ghd.count, ghd.buckets.len()),
        (Some(2.0), Some(6.0), 2)
    );
    let info = g.get("build").unwrap();
    assert_eq!(info.series[0].label("version"), Some("1.2.3"));
    assert_eq!(info.series[0].value, SeriesValue::Gauge(1.0));
    assert_eq!(g.get("feature_flags").unwrap().series.len(), 2);
    let summary = g.get("rpc_duration_seconds").unwrap();
    let SeriesValue::Summary(sd) = &summary.series[0].value else {
        panic!()
    };
    assert_eq!(sd.quantiles[0].quantile, 0.5);
    let mystery = g.get("mystery").unwrap();
    assert_eq!(mystery.series.len(), 2);
    let dotted = g.get("my.dotted.metric").unwrap();
    assert_eq!(dotted.series[0].label("service.name"), Some("checkout"));
}

#[test]
fn families_without_samples_are_kept() {
    let g = parse(
        "# HELP x_total Nothing yet.\n# TYPE x_total counter\n",
        Format::Prometheus,
    )
    .group();
    assert_eq!(g.families.len(), 1);
    assert!(g.families[0].series.is_empty());
}

#[test]
fn series_match_regardless_of_label_order() {
    let text = "# TYPE h histogram\nh_bucket{a=\"1\",b=\"2\",le=\"1\"} 1\nh_bucket{le=\"+Inf\",b=\"2\",a=\"1\"} 2\nh_count{b=\"2\",a=\"1\"} 2\n";
    let g = parse(text, Format::Prometheus).group();
    let h = g.get("h").unwrap();
    assert_eq!(h.series.len(), 1);
    let SeriesValue::Histogram(hd) = &h.series[0].value else {
        panic!()
    };
    assert_eq!(hd.buckets.len(), 2);
    assert_eq!(hd.count, Some(2.0));
}

#[test]
fn writer_output_parses_back() {
    let mut out = String::new();
    write_help(&mut out, Format::Prometheus, "m", "help \\ with\nnewline");
    write_type(&mut out, Format::Prometheus, "m", MetricType::Unknown);
    write_sample(
        &mut out,
        Format::Prometheus,
        "m",
        &[("a", "q\"\\\n")],
        1e-300,
        Some(-5),
    );
    write_sample(
        &mut out,
        Format::Prometheus,
        "weird.name",
        &[],
        f64::NAN,
        None,
    );
    assert_eq!(
        out,
        "# HELP m help \\\\ with\\nnewline\n# TYPE m untyped\nm{a=\"q\\\"\\\\\\n\"} 1e-300 -5\n{\"weird.name\"} NaN\n"
    );
    let s = parse(&out, Format::Prometheus);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.samples[0].label("a").as_deref(), Some("q\"\\\n"));
    assert_eq!(s.samples[0].value, 1e-300);
    assert_eq!(s.samples[1].name, "weird.name");
    let mut om = String::new();
    write_sample(&mut om, Format::OpenMetrics, "t", &[], 1.0, Some(-1500));
    write_unit(&mut om, "t", "seconds");
    write_eof(&mut om);
    assert_eq!(om, "t 1 -1.500\n# UNIT t seconds\n# EOF\n");
    assert_eq!(
        parse(&om, Format::OpenMetrics).samples[0].timestamp_ms,
        Some(-1500)
    );
}
