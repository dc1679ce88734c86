//! The Redis collector against a real server (one per binary, in this one
//! flow): filled past `maxmemory` it evicts, and the hit ratio and evictions
//! agree with the server's own INFO counters; a `DEBUG SLEEP` lands in the
//! slow log and the latency monitor; stopped, the target is degraded with
//! `up` 0 and CacheDown pending, and started again it recovers, cold:
//! degraded-performance run headless names it as the likely cause. The
//! password appears in nothing opsdeck says.

#[path = "support/redis.rs"]
mod redis_server;
#[path = "support/run_bin.rs"]
mod run_bin;

use opsdeck::connect::redis::RedisUrl;
use opsdeck::console::Model;
use opsdeck::model::cache::{CacheSnapshot, LatencyMonitor};
use opsdeck::model::{Health, TargetKind};
use opsdeck::source::redis::RedisSource;
use opsdeck::source::targets::poll_updates;
use opsdeck::source::{poll_once, Update};
use redis_server::{Redis, MAXMEMORY, PASSWORD};
use std::time::Duration;

const POLL: Duration = Duration::from_secs(20);

async fn reading(src: &mut RedisSource) -> (CacheSnapshot, Vec<(String, f64)>) {
    let updates = poll_once(src, POLL)
        .await
        .unwrap_or_else(|e| panic!("poll failed: {e}"));
    let said = format!("{updates:?}");
    assert!(!said.contains(PASSWORD), "the password leaked: {said}");
    match updates.as_slice() {
        [Update::Series { series, health, .. }, Update::Cache { snapshot, .. }] => {
            assert_eq!(*health, Health::Ok);
            (*snapshot.clone(), series.clone())
        }
        other => panic!("{other:?}"),
    }
}

fn value(series: &[(String, f64)], name: &str) -> f64 {
    series
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("no series {name} in {series:?}"))
}

/// The server's own counters, read on the test's connection.
fn info_field(conn: &mut redis::Connection, field: &str) -> u64 {
    let info: String = redis::cmd("INFO").query(conn).unwrap();
    info.lines()
        .find_map(|l| l.trim_end().strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in INFO"))
        .parse()
        .unwrap()
}

/// Writes `count` keys of 600 bytes in one pipeline.
fn fill(conn: &mut redis::Connection, from: usize, count: usize) {
    let value = "x".repeat(600);
    let mut pipe = redis::pipe();
    for i in from..from + count {
        pipe.cmd("SET").arg(format!("key:{i}")).arg(&value).ignore();
    }
    pipe.query::<()>(conn).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_cache_filled_slowed_and_stopped() {
    let mut server = Redis::start();
    let mut conn = server.client().get_connection().unwrap();
    let url = RedisUrl::parse(&server.url()).unwrap();
    assert_eq!(
        url.describe(),
        format!("default@127.0.0.1:{}/0", server.port)
    );
    let mut src = RedisSource::new("cache", url);

    let _: () = redis::cmd("SET")
        .arg("hot")
        .arg("1")
        .query(&mut conn)
        .unwrap();
    let (first, series) = reading(&mut src).await;
    assert_eq!(first.info.maxmemory, MAXMEMORY);
    assert_eq!(first.info.maxmemory_policy, "allkeys-lru");
    assert!(first.rates.is_none(), "one reading has no rates");
    assert!(!series.iter().any(|(n, _)| n.contains("hit_ratio")));

    // 30 hits, 10 misses: 75 % between the two readings, and the counters
    // are the server's own.
    for _ in 0..30 {
        let _: Option<String> = redis::cmd("GET").arg("hot").query(&mut conn).unwrap();
    }
    for i in 0..10 {
        let _: Option<String> = redis::cmd("GET")
            .arg(format!("absent:{i}"))
            .query(&mut conn)
            .unwrap();
    }
    let (second, series) = reading(&mut src).await;
    assert_eq!(value(&series, "redis:cache:hit_ratio"), 0.75);
    assert_eq!(second.info.keyspace_hits - first.info.keyspace_hits, 30);
    assert_eq!(
        second.info.keyspace_hits,
        info_field(&mut conn, "keyspace_hits")
    );
    assert_eq!(
        second.info.keyspace_misses,
        info_field(&mut conn, "keyspace_misses")
    );
    assert!(!second.was_warm, "never at 80 % yet");
    assert_eq!(value(&series, "redis:cache:evictions_per_sec"), 0.0);

    // Filled past maxmemory, allkeys-lru evicts. Redis 7 evicts in
    // time-bounded steps that may go on after a write returns, so the
    // collector's count must lie between two INFO readings around it.
    fill(&mut conn, 0, 6000);
    let before = info_field(&mut conn, "evicted_keys");
    let (third, series) = reading(&mut src).await;
    let after = info_field(&mut conn, "evicted_keys");
    assert!(before > 0, "6000 keys of 600 bytes do not fit in 2 MiB");
    assert!(
        (before..=after).contains(&third.info.evicted_keys),
        "{before} <= {} <= {after}",
        third.info.evicted_keys
    );
    let rates = third.rates.unwrap();
    let expected = (third.info.evicted_keys - second.info.evicted_keys) as f64 / rates.secs;
    assert!((value(&series, "redis:cache:evictions_per_sec") - expected).abs() < 1e-6);
    assert!(value(&series, "redis:cache:mem_ratio") >= 0.9, "{series:?}");
    assert_eq!(value(&series, "redis:cache:evicting"), expected);

    // A slow command: the slow log and the latency monitor see it.
    let _: () = redis::cmd("DEBUG")
        .arg("SLEEP")
        .arg("0.05")
        .query(&mut conn)
        .unwrap();
    let (slowed, series) = reading(&mut src).await;
    let entries = slowed.slowlog.clone().unwrap();
    let sleep = entries
        .iter()
        .find(|e| e.command.eq_ignore_ascii_case("debug sleep 0.05"))
        .unwrap_or_else(|| panic!("{entries:?}"));
    assert!(sleep.micros >= 50_000, "{sleep:?}");
    match &slowed.latency {
        LatencyMonitor::On {
            threshold_ms,
            events,
        } => {
            assert_eq!(*threshold_ms, 10);
            assert!(events.iter().any(|e| e.latest_ms >= 50), "{events:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(value(&series, "redis:cache:latency_p95") > 0.0);
    assert!(slowed.info_round_trip.p95.is_some());

    // The CLI twin reads the same server twice and says the same.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[[redis]]\nname = \"cache\"\nurl_env = \"OPSDECK_TEST_CACHE_URL\"\nworkload = \"local/shop/api\"\n\
         max_maxmemory = \"8mb\"\n",
    )
    .unwrap();
    let server_url = server.url();
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .args(args)
            .env("OPSDECK_CONFIG", &config)
            .env("OPSDECK_DATA_DIR", dir.path())
            .env("OPSDECK_TEST_CACHE_URL", &server_url)
            .output()
            .unwrap();
        let text = run_bin::text(&out);
        assert!(!text.contains(PASSWORD), "the password leaked: {text}");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            text,
        )
    };
    let (code, stdout, text) = cli(&["cache", "--json", "--window", "1s"]);
    assert_eq!(code, Some(0), "{text}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let snap = &json["cache"]["snapshot"];
    assert_eq!(snap["info"]["maxmemory"], MAXMEMORY);
    assert_eq!(snap["info"]["maxmemory_policy"], "allkeys-lru");
    assert!(snap["rates"]["secs"].as_f64().unwrap() >= 1.0, "{stdout}");
    let facts = json["cache"]["facts"].as_array().unwrap();
    let memory = facts.iter().find(|f| f["label"] == "memory").unwrap();
    assert_eq!(memory["level"], "critical", "{memory}");
    let slow = facts.iter().find(|f| f["label"] == "slow log").unwrap();
    assert!(
        slow["text"].as_str().unwrap().contains("DEBUG SLEEP 0.05"),
        "{slow}"
    );
    let (code, stdout, text) = cli(&["status", "--json", "--window", "0"]);
    let status: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(status["series"]["redis:cache:up"], 1.0, "{text}");
    assert_eq!(status["caches"]["cache"]["info"]["maxmemory"], MAXMEMORY);
    assert!(code.is_some());

    // A URL file others may read is refused at its line by `config check`.
    let url_file = dir.path().join("cache-url");
    std::fs::write(&url_file, server.url()).unwrap();
    std::fs::set_permissions(
        &url_file,
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    let open_config = dir.path().join("open.toml");
    std::fs::write(
        &open_config,
        format!(
            "[[redis]]\nname = \"cache\"\nurl_file = \"{}\"\n",
            url_file.display()
        ),
    )
    .unwrap();
    let (code, _, text) = cli(&["--config", open_config.to_str().unwrap(), "config", "check"]);
    assert_ne!(code, Some(0), "{text}");
    assert!(
        text.contains("open.toml:3:")
            && text.contains("has mode 0644")
            && text.contains("chmod 600"),
        "{text}"
    );

    // maxmemory through the action path: planned (dry run changes nothing),
    // refused read-only and above the bound, applied and read back, audited.
    let maxmemory = |conn: &mut redis::Connection| -> u64 {
        let v: Vec<String> = redis::cmd("CONFIG")
            .arg("GET")
            .arg("maxmemory")
            .query(conn)
            .unwrap();
        v[1].parse().unwrap()
    };
    let (code, stdout, text) = cli(&["maxmemory", "cache", "4mb", "--dry-run"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        stdout.contains("raise maxmemory of cache from 2.0 MiB to 4.0 MiB (bound 8.0 MiB"),
        "{text}"
    );
    assert_eq!(maxmemory(&mut conn), MAXMEMORY, "a dry run changes nothing");
    let (code, _, text) = cli(&["--read-only", "maxmemory", "cache", "4mb", "--yes"]);
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("refused: opsdeck runs read-only"), "{text}");
    let (code, _, text) = cli(&["maxmemory", "cache", "16mb", "--yes"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("above cache's max_maxmemory of 8.0 MiB"),
        "{text}"
    );
    assert_eq!(maxmemory(&mut conn), MAXMEMORY);
    let (code, stdout, text) = cli(&["maxmemory", "cache", "4mb", "--yes"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        stdout.contains("maxmemory of cache is now 4.0 MiB"),
        "{text}"
    );
    assert_eq!(maxmemory(&mut conn), 4 << 20);
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(
        audit.contains("cache/config/maxmemory") && audit.contains("outcome"),
        "{audit}"
    );
    assert!(!audit.contains(PASSWORD), "{audit}");

    // Written to without pause, the cache evicts at its limit: run headless,
    // degraded-performance names it and raises maxmemory to the size given.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let mut conn = server.client().get_connection().unwrap();
        std::thread::spawn(move || {
            let mut i = 100_000;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                fill(&mut conn, i, 200);
                i += 200;
            }
        })
    };
    let (_, stdout, text) = cli(&[
        "runbook",
        "run",
        "degraded-performance",
        "--param",
        "cache=cache",
        "--param",
        "cache_maxmemory=6mb",
        "--param",
        "workload=local/shop/api",
        "--yes",
    ]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    assert!(
        stdout.contains("==> [raise_maxmemory] The cache is evicting"),
        "{text}"
    );
    assert!(
        stdout.contains("maxmemory of cache is now 6.0 MiB"),
        "{text}"
    );
    assert!(stdout.contains("Its maxmemory was raised"), "{text}");
    assert_eq!(maxmemory(&mut conn), 6 << 20);

    // Stopped: degraded, `up` 0 and CacheDown pending; no figure stands in.
    let mut model =
        Model::new(Duration::from_secs(2), true).with_config(&Default::default(), vec![]);
    model.add_target("cache", TargetKind::Redis);
    server.stop();
    let updates = poll_updates(&mut src, POLL, Duration::from_secs(2)).await;
    match updates.as_slice() {
        [Update::Health {
            health: Health::Degraded { reason, .. },
            ..
        }] => {
            assert!(reason.contains("127.0.0.1"), "{reason}");
            assert!(!reason.contains(PASSWORD), "{reason}");
        }
        other => panic!("a stopped server must degrade the target: {other:?}"),
    }
    model.add_started(vec![opsdeck::source::targets::Started {
        name: "cache".into(),
        kind: TargetKind::Redis,
        updates,
    }]);
    let now = opsdeck::base::time::unix_now();
    model.tick(now);
    assert_eq!(
        model.store.latest_by_name("redis:cache:up").map(|(_, v)| v),
        Some(0.0)
    );
    let down = model
        .alerts
        .rows()
        .into_iter()
        .find(|a| a.alert.rule == "CacheDown")
        .expect("CacheDown evaluated");
    assert_eq!(
        down.alert.labels.get("redis").map(String::as_str),
        Some("cache")
    );

    let (code, stdout, text) = cli(&["cache", "--window", "0"]);
    assert_eq!(code, Some(1), "an unreadable cache is a failure: {text}");
    assert!(
        stdout.contains("cache: cannot be read: cannot connect to 127.0.0.1"),
        "{text}"
    );

    // Started again: the next poll reconnects and reads.
    server.resume();
    let (back, series) = reading(&mut src).await;
    assert_eq!(value(&series, "redis:cache:up"), 1.0);
    assert!(back.rates.is_none(), "no rate across a restart");
    assert_eq!(
        back.info.maxmemory, MAXMEMORY,
        "CONFIG SET does not outlive a restart, as planned"
    );

    // Restarted empty, every lookup misses: degraded-performance, run
    // headless, names the cold cache before proposing to scale anything.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let missing = {
        let stop = stop.clone();
        let mut conn = server.client().get_connection().unwrap();
        std::thread::spawn(move || {
            let mut i = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _: Option<String> = redis::cmd("GET")
                    .arg(format!("gone:{i}"))
                    .query(&mut conn)
                    .unwrap();
                i += 1;
            }
        })
    };
    std::fs::write(
        &config,
        "refresh = \"1s\"\n[[redis]]\nname = \"cache\"\nurl_env = \"OPSDECK_TEST_CACHE_URL\"\n",
    )
    .unwrap();
    let (_, stdout, text) = cli(&[
        "runbook",
        "run",
        "degraded-performance",
        "--param",
        "cache=cache",
        "--param",
        "workload=local/shop/api",
        "--yes",
    ]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    missing.join().unwrap();
    assert!(
        stdout.contains("[cache_up] Is the cache answering?"),
        "{text}"
    );
    assert!(
        stdout.contains("case 2: `steps.cache_up.status == 'failed' or steps.cache_hits.status"),
        "the cache case comes before any scaling: {text}"
    );
    assert!(
        stdout.contains("==> [cache] The cache is the likely cause"),
        "{text}"
    );
    assert!(
        stdout.contains("The cache `cache` is cold (hit ratio: value = 0"),
        "{text}"
    );
    assert!(!stdout.contains("==> [scale_up]"), "{text}");
}
