//! Probes that check caching headers, against a real nginx caching proxy
//! (`proxy_cache`, `X-Cache-Status`) in front of an origin serving a file
//! with an ETag and `Cache-Control: max-age=3600`: the first answer is a
//! MISS and the second a HIT (`probe:NAME:cache_hit`); an answer without
//! the headers fails the probe saying what it saw; the CLI shows the same.

#[path = "support/nginx.rs"]
mod nginx;
#[path = "support/run_bin.rs"]
mod run_bin;

use opsdeck::model::cache::http::{CacheHeaders, ExpectCache};
use opsdeck::model::Health;
use opsdeck::source::probe::Expect;
use opsdeck::source::{poll_once, ProbeSource, Update};
use std::collections::HashMap;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(5);

fn probe(url: &str) -> ProbeSource {
    let http =
        opsdeck::connect::http::Http::new(TIMEOUT, &opsdeck::config::HttpAuth::default()).unwrap();
    let expect = Expect {
        cache: Some(ExpectCache {
            max_age_at_least: Some(Duration::from_secs(3600)),
            etag: true,
        }),
        ..Default::default()
    };
    ProbeSource::new("edge", url, expect, http, TIMEOUT)
}

async fn poll(p: &mut ProbeSource) -> (HashMap<String, f64>, Health, CacheHeaders) {
    match poll_once(p, TIMEOUT).await.unwrap().as_slice() {
        [Update::Series { series, health, .. }, Update::CacheHeaders { headers, .. }] => (
            series.iter().cloned().collect(),
            health.clone(),
            headers.clone(),
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cdn_in_front_is_seen_missing_then_hitting_and_bad_headers_fail() {
    let server = nginx::Nginx::start();
    let mut edge = probe(&format!("{}/index.html", server.cache_url));
    let (s, health, seen) = poll(&mut edge).await;
    assert_eq!(health, Health::Ok);
    assert_eq!(s["probe:edge:up"], 1.0);
    assert_eq!(
        s["probe:edge:cache_hit"], 0.0,
        "the first answer fills the cache"
    );
    assert_eq!(seen.cache_control.as_deref(), Some("max-age=3600"));
    assert!(seen.etag.is_some(), "{seen:?}");
    assert_eq!(
        seen.hit_header,
        Some(("x-cache-status".to_string(), "MISS".to_string()))
    );
    let (s, _, seen) = poll(&mut edge).await;
    assert_eq!(s["probe:edge:cache_hit"], 1.0, "{seen:?}");

    // The origin's /plain carries no caching headers: the probe fails and says what it saw.
    let mut plain = probe(&format!("{}/plain", server.cache_url));
    let (s, health, _) = poll(&mut plain).await;
    assert_eq!(s["probe:edge:up"], 0.0);
    match health {
        Health::Degraded { reason, .. } => assert!(
            reason.contains(
                "cache headers: no max-age in Cache-Control, no ETag \
                 (saw Cache-Control: none · ETag: none · Age: none · x-cache-status: MISS)"
            ),
            "{reason}"
        ),
        other => panic!("{other:?}"),
    }

    // The config and the CLI: too short a max-age is a failed probe and a non-zero exit.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[probe]]\nname = \"edge\"\nurl = \"{}/index.html\"\n\
             expect_cache = {{ max_age_at_least = \"2h\", etag = true }}\n",
            server.cache_url
        ),
    )
    .unwrap();
    let out = run_bin::opsdeck(&config, dir.path(), &["status", "--json", "--window", "0"]);
    let text = run_bin::text(&out);
    assert_ne!(out.status.code(), Some(0), "{text}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["series"]["probe:edge:up"], 0.0, "{text}");
    assert_eq!(
        json["probe_cache"]["edge"]["cache_control"], "max-age=3600",
        "{text}"
    );
    let edge = json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "edge")
        .unwrap();
    assert!(
        edge["health"]["reason"]
            .as_str()
            .unwrap()
            .contains("max-age 3600s is under 7200s"),
        "{edge}"
    );

    // A mistyped key is refused at its line.
    std::fs::write(
        &config,
        "[[probe]]\nname = \"edge\"\nurl = \"http://127.0.0.1:1/\"\n\
         expect_cache = { maxage = \"1h\" }\n",
    )
    .unwrap();
    let out = run_bin::opsdeck(&config, dir.path(), &["config", "check"]);
    let text = run_bin::text(&out);
    assert_ne!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("config.toml:4"), "{text}");
    assert!(text.contains("maxage"), "{text}");
}
