//! The demo service in `FROM scratch` images on the real Docker engine:
//! the images the metrics, alerts, runbooks and deploy tests build on.

#[path = "support/images.rs"]
mod images;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use images::*;

const START: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, PartialEq)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// A strict reader of the text exposition format: every sample must
/// belong to a family declared by `# TYPE`, and every line must parse.
fn parse_exposition(text: &str) -> Vec<Sample> {
    let mut types = BTreeMap::new();
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
            types.insert(name.to_owned(), kind.to_owned());
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let sample = parse_sample(line);
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .filter_map(|s| sample.name.strip_suffix(s))
            .find(|base| types.get(*base).map(String::as_str) == Some("histogram"))
            .unwrap_or(&sample.name);
        assert!(types.contains_key(family), "no # TYPE for {line}");
        samples.push(sample);
    }
    samples
}

fn parse_sample(line: &str) -> Sample {
    let (series, value) = line
        .rsplit_once(' ')
        .unwrap_or_else(|| panic!("no value: {line}"));
    let value = match value {
        "+Inf" => f64::INFINITY,
        v => v.parse().unwrap_or_else(|_| panic!("bad value: {line}")),
    };
    let Some((name, rest)) = series.split_once('{') else {
        return Sample {
            name: series.to_owned(),
            labels: BTreeMap::new(),
            value,
        };
    };
    let body = rest
        .strip_suffix('}')
        .unwrap_or_else(|| panic!("unclosed labels: {line}"));
    let mut labels = BTreeMap::new();
    let mut chars = body.chars().peekable();
    while chars.peek().is_some() {
        let key: String = chars.by_ref().take_while(|&c| c != '=').collect();
        assert_eq!(
            chars.next(),
            Some('"'),
            "label value must be quoted: {line}"
        );
        let mut val = String::new();
        loop {
            match chars.next() {
                Some('\\') => match chars.next() {
                    Some('n') => val.push('\n'),
                    Some(c) => val.push(c),
                    None => panic!("dangling escape: {line}"),
                },
                Some('"') => break,
                Some(c) => val.push(c),
                None => panic!("unterminated label value: {line}"),
            }
        }
        labels.insert(key, val);
        if chars.peek() == Some(&',') {
            chars.next();
        }
    }
    Sample {
        name: name.to_owned(),
        labels,
        value,
    }
}

fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && s.labels.len() == labels.len()
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
}

fn scrape(container: &DemoContainer) -> Vec<Sample> {
    let r = http(&container.url("/metrics"), None).expect("scraping /metrics");
    assert_eq!(r.status, 200, "{}", r.body);
    parse_exposition(&r.body)
}

fn binary() -> PathBuf {
    opsdeck_binary()
}

#[test]
fn ldd_listings_are_parsed() {
    let listing = "\tlinux-vdso.so.1 (0x00007ffd)\n\
                   \tlibgcc_s.so.1 => /lib/x86_64-linux-gnu/libgcc_s.so.1 (0x7f1)\n\
                   \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x7f2)\n\
                   \t/lib64/ld-linux-x86-64.so.2 (0x7f3)\n";
    let libs = parse_ldd(listing).unwrap();
    let want = [
        "/lib/x86_64-linux-gnu/libgcc_s.so.1",
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/lib64/ld-linux-x86-64.so.2",
    ];
    assert_eq!(libs, want.map(PathBuf::from));
    assert_eq!(
        parse_ldd("\tstatically linked\n").unwrap(),
        Vec::<PathBuf>::new()
    );
    let err = parse_ldd("\tlibfoo.so.1 => not found\n").unwrap_err();
    assert_eq!(err, "libfoo.so.1 not found");
}

#[test]
fn dockerfile_is_scratch_with_entrypoint_env_and_healthcheck() {
    let spec = ImageSpec::demo(&binary(), "t:1", "1.2.3").with_env("DEMO_FAULT_SLOW_MS", "5$x\"");
    let text = spec
        .dockerfile("abc", &["/lib/x86_64-linux-gnu".to_owned()])
        .unwrap();
    assert!(text.starts_with("FROM scratch\n"), "{text}");
    assert!(text.contains("ENV DEMO_VERSION=\"1.2.3\"\n"), "{text}");
    assert!(
        text.contains("ENV DEMO_FAULT_SLOW_MS=\"5\\$x\\\"\"\n"),
        "{text}"
    );
    assert!(
        text.contains("ENV LD_LIBRARY_PATH=\"/lib/x86_64-linux-gnu\"\n"),
        "{text}"
    );
    assert!(text.contains("LABEL opsdeck.binary.sha256=abc"), "{text}");
    assert!(text.contains("ENTRYPOINT [\"/usr/local/bin/opsdeck\",\"demo\",\"serve\"]\n"));
    assert!(text.contains(
        "HEALTHCHECK --interval=1000ms --timeout=2000ms --retries=3 \
         CMD [\"/usr/local/bin/opsdeck\",\"demo\",\"check\",\"http://127.0.0.1:8080/health\",\"--timeout\",\"1s\"]\n"
    ), "{text}");
    let bare = ImageSpec {
        healthcheck_args: None,
        ..spec
    };
    assert!(!bare.dockerfile("abc", &[]).unwrap().contains("HEALTHCHECK"));
    assert!(!bare
        .dockerfile("abc", &[])
        .unwrap()
        .contains("LD_LIBRARY_PATH"));
}

#[test]
fn image_build_is_idempotent_and_labelled() {
    let bin = binary();
    let tag = build_demo_v1(&bin);
    let id = docker(&["image", "inspect", "--format", "{{.Id}}", &tag]);
    // Same binary, same image: the id must not change (speed is a benchmark's job).
    assert_eq!(build_demo_v1(&bin), tag);
    assert_eq!(
        docker(&["image", "inspect", "--format", "{{.Id}}", &tag]),
        id
    );

    let sha = file_sha256(&bin);
    assert_eq!(
        image_label(&tag, BINARY_LABEL).as_deref(),
        Some(sha.as_str())
    );
    // FROM scratch plus one COPY: a single layer, and nothing pulled.
    assert_eq!(
        docker(&[
            "image",
            "inspect",
            "--format",
            "{{len .RootFS.Layers}}",
            &tag
        ]),
        "1"
    );
    assert_eq!(
        docker(&["image", "inspect", "--format", "{{.Config.User}}", &tag]),
        "65534:65534"
    );
    assert_eq!(
        docker(&[
            "image",
            "inspect",
            "--format",
            "{{json .Config.Entrypoint}}",
            &tag
        ]),
        r#"["/usr/local/bin/opsdeck","demo","serve"]"#
    );
}

fn file_sha256(path: &std::path::Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn v1_serves_metrics_and_takes_faults_at_run_time() {
    let v1 = build_demo_v1(&binary());
    let c = DemoContainer::start(&v1, "v1-faults", &[]);
    let health = wait_for_status(&c.url("/health"), 200, START);
    assert_eq!(health.body, "ok\n");
    assert_eq!(
        http(&c.url("/"), None).unwrap().body,
        "opsdeck demo 1.0.0\n"
    );

    for _ in 0..5 {
        assert_eq!(http(&c.url("/work"), None).unwrap().status, 200);
    }
    assert_eq!(http(&c.url("/work?ms=60"), None).unwrap().status, 200);
    let m = scrape(&c);
    let work = [("route", "/work")];
    assert_eq!(
        value(
            &m,
            "demo_http_requests_total",
            &[("route", "/work"), ("status", "200")]
        ),
        Some(6.0)
    );
    assert_eq!(
        value(&m, "demo_http_request_duration_seconds_count", &work),
        Some(6.0)
    );
    assert!(value(&m, "demo_http_request_duration_seconds_sum", &work).unwrap() >= 0.06);
    let mut last = 0.0;
    for le in [
        "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf",
    ] {
        let b = value(
            &m,
            "demo_http_request_duration_seconds_bucket",
            &[("route", "/work"), ("le", le)],
        )
        .unwrap_or_else(|| panic!("no bucket {le}"));
        assert!(b >= last, "buckets must be cumulative at {le}");
        last = b;
    }
    assert_eq!(last, 6.0);
    assert_eq!(
        value(&m, "demo_build_info", &[("version", "1.0.0")]),
        Some(1.0)
    );
    assert_eq!(value(&m, "demo_up", &[]), Some(1.0));

    let r = http(&c.url("/fault"), Some(r#"{"error_ratio": 1.0}"#)).unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(http(&c.url("/work"), None).unwrap().status, 500);
    let shown: serde_json::Value =
        serde_json::from_str(&http(&c.url("/fault"), None).unwrap().body).unwrap();
    assert_eq!(shown["error_ratio"], 1.0);
    let m = scrape(&c);
    assert_eq!(
        value(
            &m,
            "demo_http_requests_total",
            &[("route", "/work"), ("status", "500")]
        ),
        Some(1.0)
    );
    assert_eq!(value(&m, "demo_fault_error_ratio", &[]), Some(1.0));

    http(&c.url("/fault"), Some(r#"{"unhealthy": true}"#)).unwrap();
    assert_eq!(http(&c.url("/health"), None).unwrap().status, 503);
    http(&c.url("/fault"), Some(r#"{"reset": true}"#)).unwrap();
    assert_eq!(http(&c.url("/health"), None).unwrap().status, 200);
    assert_eq!(http(&c.url("/work"), None).unwrap().status, 200);
}

#[test]
fn v1_turns_healthy_and_stops_cleanly_on_sigterm() {
    let v1 = build_demo_v1(&binary());
    let c = DemoContainer::start(&v1, "v1-health", &[]);
    c.wait_for_health("healthy", START);
    // PID 1 ignores SIGTERM unless it handles it; a kill after the grace
    // period would take 8 s and exit 137.
    let took = c.stop(Duration::from_secs(8));
    assert!(took < Duration::from_secs(5), "stop took {took:?}");
    assert_eq!(c.exit_code(), 0, "{}", c.logs());
    assert!(c.logs().contains("stopped"), "{}", c.logs());
}

#[test]
fn v2_broken_serves_but_turns_unhealthy() {
    let v2 = build_demo_v2_broken(&binary());
    let c = DemoContainer::start(&v2, "v2-broken", &[]);
    c.wait_for_health("unhealthy", Duration::from_secs(30));
    assert_eq!(http(&c.url("/health"), None).unwrap().status, 503);
    assert_eq!(http(&c.url("/work"), None).unwrap().status, 200);
    let m = scrape(&c);
    assert_eq!(
        value(&m, "demo_build_info", &[("version", "2.0.0")]),
        Some(1.0)
    );
    assert_eq!(value(&m, "demo_up", &[]), Some(0.0));
}

#[test]
fn crash_fault_exits_the_container_with_code_1() {
    let crash = build_demo_v2_crash(&binary());
    let c = DemoContainer::start(&crash, "v2-crash", &[]);
    assert_eq!(c.wait_for_exit(START), 1, "{}", c.logs());
    assert!(c.logs().contains("crash fault fired"), "{}", c.logs());
}
