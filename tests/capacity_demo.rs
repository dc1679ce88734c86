//! Capacity runs (`opsdeck load --stages`) against the demo service in a
//! `FROM scratch` container on the real Docker engine, held to a twentieth
//! of a core: at 2 users with the slow fault (100 ms) it idles; at 400 users
//! it would need several times the CPU it may use, so latency climbs and the
//! container sits at its CPU limit. The verdict must name the stage that
//! held, the one that failed and, from the readings beside it, the CPU.
//! Assertions are on the verdict's structure, not on timings.

#[path = "support/images.rs"]
mod images;
#[path = "support/postgres.rs"]
mod postgres;

use images::*;
use serde_json::Value;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn opsdeck(data: &std::path::Path, args: &[&str]) -> Output {
    let config = data.join("config.toml");
    // The local engine is watched without a [[docker]] entry; readings a second.
    std::fs::write(&config, "refresh = \"1s\"\n").unwrap();
    Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .env("OPSDECK_DATA_DIR", data)
        .env("OPSDECK_CONFIG", config)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run opsdeck")
}

fn shown(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_verdict_names_the_stage_that_held_the_one_that_failed_and_the_cpu() {
    let image = build_demo_v1(&opsdeck_binary());
    let demo = DemoContainer::start_cpu_bound(&image, "capacity");

    let data = tempfile::tempdir().unwrap();
    let report = data.path().join("capacity.md");
    let url = demo.url("/work");
    let out = opsdeck(
        data.path(),
        &[
            "load",
            &url,
            "--stages",
            "2:4s,400:5s",
            "--threshold",
            "p95<500ms",
            "--threshold",
            "errors<1%",
            "-H",
            "Authorization: Bearer s3cret-token",
            "--report",
            report.to_str().unwrap(),
            "--yes",
            "--json",
        ],
    );
    // The target (the last stage) failed its thresholds: exit 1.
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", shown(&out)));
    let stages = v["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 2);
    assert_eq!(stages[0]["outcome"]["status"], "passed", "{}", shown(&out));
    assert_eq!(stages[1]["outcome"]["status"], "failed", "{}", shown(&out));
    let verdict = &v["verdict"];
    assert_eq!(
        verdict["holds"],
        serde_json::json!({"kind": "users", "value": 2})
    );
    assert_eq!(
        verdict["fails_at"],
        serde_json::json!({"kind": "users", "value": 400})
    );
    assert_eq!(verdict["target_passed"], false);

    // Beside the stages: the container behind the published port, read
    // through the console's collectors, at its CPU limit in the failed stage.
    let beside = &stages[1]["infra"]["workload"]["read"];
    assert!(
        beside["name"].as_str().unwrap().ends_with(&demo.name),
        "{}",
        shown(&out)
    );
    assert_eq!(beside["cpu_limit_percent"], 5.0, "{}", shown(&out));
    let cpu = beside["cpu_percent"].as_f64().unwrap();
    assert!(
        cpu >= 4.0,
        "CPU {cpu} % of a core at 400 users: {}",
        shown(&out)
    );
    let bottleneck = &stages[1]["bottleneck"];
    assert_eq!(bottleneck["step"], "scale_up", "{}", shown(&out));
    assert_eq!(bottleneck["title"], "CPU-bound: scale out");
    let line = verdict["line"].as_str().unwrap();
    assert!(line.starts_with("holds 2 users at p95 "), "{line}");
    assert!(line.contains("fails at 400 users: p95 "), "{line}");
    assert!(line.contains("% of its limit"), "{line}");
    assert!(
        line.contains("→ CPU-bound: scale out, see degraded-performance"),
        "{line}"
    );

    // The report: the question and the verdict first, then the stages, the
    // bottleneck and the lines across the run; never the header's value.
    let md = std::fs::read_to_string(&report).expect("the report is written");
    let mut at = 0;
    for want in [
        "# Capacity run: GET http://127.0.0.1:",
        "**Question:** does it hold 400 users with p95<500ms and errors<1%",
        "**Verdict: does not hold the target.** holds 2 users",
        "## Stages",
        "| 400 users for 5s |",
        "## Bottleneck",
        "**CPU-bound: scale out**",
        "## Across the run",
        "CPU, % of its limit, a reading a second: `",
        "## Stage 1: 2 users",
        "## Stage 2: 400 users",
        "| threshold p95<500ms | FAILED (p95 ",
    ] {
        let found = md[at..]
            .find(want)
            .unwrap_or_else(|| panic!("`{want}` missing after byte {at} of\n{md}"));
        at += found + want.len();
    }
    assert!(!md.contains("s3cret"), "{md}");

    // One action: intent and outcome in the audit log, the stages in the plan.
    let audit = opsdeck(data.path(), &["audit", "--json"]);
    let text = String::from_utf8_lossy(&audit.stdout).to_string();
    assert!(!text.contains("s3cret"), "{text}");
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{text}");
    assert_eq!(records[0]["verb"], "load");
    assert!(
        records[0]["plan"]["summary"]
            .as_str()
            .unwrap()
            .contains("2 stages, peak 400 users, 9s"),
        "{text}"
    );
    assert_eq!(records[1]["ok"], false, "{text}");

    // The same service judged at the stage it holds: exit 0.
    let out = opsdeck(
        data.path(),
        &[
            "load",
            &url,
            "--stages",
            "2:3s",
            "--threshold",
            "p95<500ms",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("verdict: holds 2 users at p95 "),
        "{}",
        shown(&out)
    );

    // A scenario: two endpoints by weight, values from a CSV, checks. The
    // 404s are errors by status; the 200 without the text a check wants is a
    // check failure, counted apart; neither is a transport error.
    std::fs::write(data.path().join("delays.csv"), "ms\n5\n10\n").unwrap();
    let scenario = data.path().join("demo.toml");
    std::fs::write(
        &scenario,
        format!(
            r#"base_url = "{}"
data = "delays.csv"

[[request]]
name = "work"
url = "/work?ms={{{{ row.ms }}}}"
weight = 3
expect_status = 200
expect_body = "worked"

[[request]]
name = "health"
url = "/health"
think = "10ms"
expect_body = "not in the answer"

[[request]]
name = "missing"
url = "/nope/{{{{ seq }}}}"
weight = 2
"#,
            demo.base_url.as_deref().unwrap()
        ),
    )
    .unwrap();
    let out = opsdeck(
        data.path(),
        &[
            "load",
            "--scenario",
            scenario.to_str().unwrap(),
            "--users",
            "3",
            "-d",
            "3s",
            "--yes",
            "--json",
        ],
    );
    // The default thresholds include errors<1%: the 404s fail it.
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", shown(&out)));
    let f = &v["stages"][0]["figures"];
    let ok = f["statuses"]["200"].as_u64().unwrap_or(0);
    let missing = f["statuses"]["404"].as_u64().unwrap_or(0);
    let checks = f["check_failures"].as_u64().unwrap();
    assert!(ok > 0 && missing > 0 && checks > 0, "{}", shown(&out));
    assert_eq!(f["errors"], 0, "{}", shown(&out));
    // Weights 3:1:2: the 404s are about a third of the requests.
    let share = missing as f64 / f["requests"].as_f64().unwrap();
    assert!(
        (0.1..0.6).contains(&share),
        "404 share {share}: {}",
        shown(&out)
    );
    assert!(
        v["verdict"]["line"]
            .as_str()
            .unwrap()
            .contains("(errors<1%)"),
        "{}",
        shown(&out)
    );

    // From today's traffic: the service's requests/s as the metrics view
    // reads it (here its own /metrics), while 20 requests/s arrive.
    let config = data.path().join("config.toml");
    let traffic = {
        let (data, url) = (data.path().to_path_buf(), url.clone());
        std::thread::spawn(move || {
            opsdeck(&data, &["load", &url, "--rate", "20", "-d", "8s", "--yes"])
        })
    };
    std::thread::sleep(Duration::from_secs(2));
    let out = {
        std::fs::write(
            &config,
            format!(
                "refresh = \"1s\"\n[[scrape]]\nname = \"demo\"\nurl = \"{}\"\n",
                demo.url("/metrics")
            ),
        )
        .unwrap();
        Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .env("OPSDECK_DATA_DIR", data.path())
            .env("OPSDECK_CONFIG", &config)
            .args([
                "load",
                &url,
                "--from-current",
                "demo",
                "-d",
                "20s",
                "--dry-run",
            ])
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let _ = traffic.join();
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let plan = String::from_utf8_lossy(&out.stdout);
    assert!(plan.contains("levels from demo at "), "{plan}");
    assert!(plan.contains("5 stages"), "{plan}");
    assert!(plan.contains("(over 50 connections, the spike)"), "{plan}");

    // A [[postgres]] target is read beside every stage through its collector:
    // connections against max_connections; its password appears nowhere.
    let pg = postgres::Postgres::start(30);
    std::fs::write(
        &config,
        "refresh = \"1s\"\n[[postgres]]\nname = \"main-db\"\nurl_env = \"OPSDECK_CAPACITY_DB_URL\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .env("OPSDECK_DATA_DIR", data.path())
        .env("OPSDECK_CONFIG", &config)
        .env("OPSDECK_CAPACITY_DB_URL", pg.superuser_dsn())
        .args(["load", &url, "--stages", "2:3s", "--yes", "--json"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = shown(&out);
    assert!(!text.contains(postgres::SUPER_PASSWORD), "{text}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {text}"));
    let db = &v["stages"][0]["infra"]["databases"][0];
    assert_eq!(db[0], "main-db", "{text}");
    assert_eq!(db[1]["read"]["max_connections"], 30, "{text}");
    assert!(
        db[1]["read"]["connections"].as_u64().unwrap() >= 1,
        "{text}"
    );
    let audit = opsdeck(data.path(), &["audit", "--json"]);
    assert!(!String::from_utf8_lossy(&audit.stdout).contains(postgres::SUPER_PASSWORD));

    // A named workload that is not there is refused before anything is sent.
    let out = opsdeck(
        data.path(),
        &[
            "load",
            &url,
            "--stages",
            "2:3s",
            "--workload",
            "local/_/no-such-container",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    assert!(
        shown(&out).contains("--workload local/_/no-such-container: no workload"),
        "{}",
        shown(&out)
    );

    // A probe of the URL's origin that declares its workload names what is
    // read beside the stages (the front door's probe names the api behind
    // it, not the proxy whose port it is): here one that is not there, so
    // the run is refused naming the probe; --workload still overrides it.
    std::fs::write(
        &config,
        format!(
            "refresh = \"1s\"\n[[probe]]\nname = \"front\"\nurl = \"{}\"\nworkload = \"local/_/no-such-api\"\n",
            demo.url("/health")
        ),
    )
    .unwrap();
    let with_probe = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .env("OPSDECK_DATA_DIR", data.path())
            .env("OPSDECK_CONFIG", &config)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = with_probe(&["load", &url, "--stages", "2:3s", "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    assert!(
        shown(&out).contains(
            "workload local/_/no-such-api (declared by probe front for this URL; \
             name another with --workload): no workload"
        ),
        "{}",
        shown(&out)
    );
    let named = format!("local/_/{}", demo.name);
    let out = with_probe(&[
        "load",
        &url,
        "--stages",
        "2:3s",
        "--workload",
        &named,
        "--dry-run",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&named),
        "{}",
        shown(&out)
    );

    // Refused read-only, before anything is sent.
    let out = opsdeck(
        data.path(),
        &["--read-only", "load", &url, "--stages", "2:3s", "--yes"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", shown(&out));
}
