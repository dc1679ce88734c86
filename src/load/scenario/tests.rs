use super::*;

const SHOP: &str = r#"
base_url = "http://127.0.0.1:8080"

[[request]]
name = "work"
url = "/work?ms={{ row.ms }}&n={{ seq }}"
headers = { "X-User" = "{{ user }}" }
weight = 3
expect_status = 200
expect_body = "worked"

[[request]]
name = "cart"
method = "post"
url = "/cart"
body = '{"sku": {{ row.sku }}}'
think = "50ms"
"#;

fn parse(text: &str, rows: Vec<BTreeMap<String, String>>) -> Result<Scenario, String> {
    let path = Path::new("shop.toml");
    let raw: RawScenario = parse_toml(path, text).map_err(|e| e.to_string())?;
    Scenario::from_raw(path, text, raw, rows)
}

fn rows() -> Vec<BTreeMap<String, String>> {
    csv::rows("ms,sku\n5,42\n7,43\n").unwrap()
}

#[test]
fn requests_are_drawn_by_weight_and_templated_from_rows_seq_and_user() {
    let s = parse(SHOP, rows()).unwrap();
    assert_eq!(s.total_weight(), 4);
    assert_eq!(s.pick(0).name, "work");
    assert_eq!(s.pick(2).name, "work");
    assert_eq!(s.pick(3).name, "cart");
    assert_eq!(s.requests[1].method, hyper::Method::POST);
    assert_eq!(s.requests[1].think, Duration::from_millis(50));
    let r = s.requests[0]
        .render(&scope(Some(&s.rows[1]), 9, 4))
        .unwrap();
    assert_eq!(r.path, "/work?ms=7&n=9");
    assert_eq!(r.headers[0].1, "4");
    let r = s.requests[1]
        .render(&scope(Some(&s.rows[0]), 0, 0))
        .unwrap();
    assert_eq!(r.body, r#"{"sku": 42}"#);
    assert_eq!(
        s.describe(),
        "scenario: work GET ×3, cart POST ×1, 2 data rows"
    );
}

#[test]
fn checks_count_a_wrong_status_or_a_missing_body_text() {
    let s = parse(SHOP, rows()).unwrap();
    let work = &s.requests[0];
    assert!(work.reads_body());
    assert!(work.passes(200, b"worked 5 ms\n"));
    assert!(!work.passes(200, b"injected error\n"));
    assert!(!work.passes(500, b"worked"));
    // No checks: any answer passes (transport errors are counted elsewhere).
    assert!(s.requests[1].passes(503, b""));
}

#[test]
fn mistakes_are_reported_at_their_line() {
    let e = parse(&SHOP.replace("{{ row.ms }}", "{{ row.nope }}"), rows()).unwrap_err();
    assert!(e.starts_with("shop.toml:4:"), "{e}");
    assert!(e.contains("url"), "{e}");
    let e = parse(&SHOP.replace("weight = 3", "weight = 0"), rows()).unwrap_err();
    assert!(e.starts_with("shop.toml:4:") && e.contains("weight"), "{e}");
    let e = parse(&SHOP.replace("url = \"/cart\"", "url = \"cart\""), rows()).unwrap_err();
    assert!(
        e.starts_with("shop.toml:12:") && e.contains("starting with /"),
        "{e}"
    );
    let e = parse(&SHOP.replace("weight = 3", "wieght = 3"), rows()).unwrap_err();
    assert!(e.contains("wieght"), "{e}");
    assert!(parse("base_url = \"http://x\"\nrequest = []\n", vec![])
        .unwrap_err()
        .contains("no [[request]]"));
}
