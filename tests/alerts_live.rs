//! Alerts against real components: a probe rule over a demo container that
//! fires when the container stops and resolves when it is started again (the console's
//! collectors and Model, as the app loop drives them), and a real Prometheus
//! whose rule fires against the demo service in fault mode, read by the real
//! binary's `alerts --json` and `status`; and a real Alertmanager whose
//! silenced alert is shown muted and pages no one. Silences made from
//! opsdeck and Prometheus's rules list are in `silences_live.rs`.

#[path = "support/alertmanager.rs"]
mod alertmanager;
#[path = "support/alerts_env.rs"]
mod alerts_env;
#[path = "support/demo_local.rs"]
mod demo_local;
#[path = "support/images.rs"]
mod images;
#[path = "support/prometheus.rs"]
mod prometheus;
#[path = "support/run_bin.rs"]
mod run_bin;

use alertmanager::Alertmanager;
use alerts_env::{config, opsdeck, post, row, run_until, shown, PATIENCE};
use demo_local::{http, Demo};
use opsdeck::alert::AlertState;
use opsdeck::console::Model;
use opsdeck::source::targets;
use prometheus::Prometheus;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_probe_rule_fires_when_the_container_stops_and_resolves_when_it_is_started() {
    let image = images::build_demo_v1(&images::opsdeck_binary());
    // A fixed host port, so `docker start` brings the service back where the probe looks.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let name = images::unique_name("alerts");
    let label = format!("{}=1", images::TEST_LABEL);
    let publish = format!("127.0.0.1:{port}:{}", images::DEMO_PORT);
    images::docker(&[
        "run",
        "--detach",
        "--name",
        &name,
        "--label",
        &label,
        "--publish",
        &publish,
        &image,
    ]);
    struct Removed(String);
    impl Drop for Removed {
        fn drop(&mut self) {
            let _ = images::docker_output(&["rm", "--force", &self.0]);
        }
    }
    let _removed = Removed(name.clone());
    // Probing before the service listens reads `up = 0` and fires SiteDown
    // at once, which is not what this test is about; on a busy machine the
    // container takes that long. (Its own thread: the helper blocks.)
    let health = format!("http://127.0.0.1:{port}/health");
    std::thread::spawn(move || images::wait_for_status(&health, 200, Duration::from_secs(30)))
        .join()
        .unwrap();
    let (_dir, config) = config(&format!(
        "[[probe]]\nname = \"site\"\nurl = \"http://127.0.0.1:{port}/health\"\ninterval = \"1s\"\ntimeout = \"1s\"\n\
         [[alert]]\nname = \"SiteDown\"\nmetric = \"probe:site:up\"\nop = \"<\"\nthreshold = 1\n\
         severity = \"critical\"\nrunbook = \"site-down\"\n"
    ));
    let mut model = Model::new(config.refresh.0, true);
    model.alerts = opsdeck::console::Alerts::from_config(&config, vec!["site-down".into()]);
    let (tx, mut rx) = mpsc::channel(256);
    model.add_started(targets::start(targets::plan(&config), &tx));

    run_until(&mut model, &mut rx, "the probe to answer", |m| {
        m.store
            .latest_by_name("probe:site:up")
            .is_some_and(|(_, v)| v == 1.0)
    })
    .await;
    assert!(row(&model.alerts.rows(), "SiteDown").is_none());

    // Before the first reading the rule may have been no-data; from here on
    // the path must be exactly firing, then resolved.
    let seen_before = model.alerts.transitions.len();
    images::docker(&["stop", "--time", "1", &name]);
    run_until(&mut model, &mut rx, "SiteDown to fire", |m| {
        row(&m.alerts.rows(), "SiteDown").is_some_and(|r| r.alert.state == AlertState::Firing)
    })
    .await;
    let rows = model.alerts.rows();
    let firing = row(&rows, "SiteDown").unwrap();
    assert_eq!(firing.alert.series, "probe:site:up");
    assert_eq!(firing.alert.value, Some(0.0));
    assert_eq!(firing.runbook_id.as_deref(), Some("site-down"));
    assert_eq!(
        model.alerts.worst_firing(),
        Some(opsdeck::model::Severity::Critical)
    );

    images::docker(&["start", &name]);
    run_until(&mut model, &mut rx, "SiteDown to resolve", |m| {
        row(&m.alerts.rows(), "SiteDown").is_some_and(|r| r.alert.state == AlertState::Resolved)
    })
    .await;
    assert_eq!(model.alerts.worst_firing(), None);
    let path: Vec<AlertState> = model
        .alerts
        .transitions
        .iter()
        .skip(seen_before)
        .filter(|t| t.rule == "SiteDown")
        .map(|t| t.to)
        .collect();
    assert_eq!(path, [AlertState::Firing, AlertState::Resolved], "{path:?}");
}

/// A Prometheus alert on the demo service's 5xx rate, linked to a wiki page
/// named after the local `site-down` runbook.
const RULES: &str = r#"groups:
  - name: demo
    rules:
      - alert: DemoErrors
        expr: sum(rate(demo_http_requests_total{route="/work",status=~"5.."}[10s])) > 0
        labels:
          severity: critical
        annotations:
          summary: The demo service answers with errors
          runbook_url: https://wiki.example/runbooks/site-down.md
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prometheus_alert_in_fault_mode_shows_with_its_runbook_and_status_exits_2() {
    let demo = Demo::start().await;
    let prom = Prometheus::start_with_rules(
        &[demo.base.trim_start_matches("http://").to_string()],
        Some(RULES),
    );
    demo.fault(r#"{"error_ratio": 1.0}"#).await;
    let client = opsdeck::prometheus::Client::new(http(), &prom.url);
    let deadline = Instant::now() + PATIENCE;
    loop {
        // Failed requests are the point: keep them coming until Prometheus fires.
        for _ in 0..5 {
            let _ = http().get(&format!("{}/work", demo.base)).await;
        }
        let alerts = client.alerts().await.unwrap_or_default();
        if alerts.iter().any(|a| a.state == "firing") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus never fired: {alerts:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("config.toml");
    // opsdeck's own PromQL rule on the same Prometheus, firing at once (for 0).
    std::fs::write(
        &config_path,
        format!(
            "[[prometheus]]\nname = \"main\"\nurl = \"{}\"\n\
             [[alert]]\nname = \"DemoErrorRatio\"\nprometheus = \"main\"\n\
             promql = 'sum(rate(demo_http_requests_total{{route=\"/work\",status=~\"5..\"}}[30s])) / sum(rate(demo_http_requests_total{{route=\"/work\"}}[30s]))'\n\
             op = \">\"\nthreshold = 0.5\nseverity = \"warning\"\n",
            prom.url
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let (cfg, data2) = (config_path.clone(), data.clone());
    let out = tokio::task::spawn_blocking(move || opsdeck(&cfg, &data2, &["alerts", "--json"]))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{}", shown(&out)));
    let alerts = json["alerts"].as_array().unwrap();
    let theirs = alerts
        .iter()
        .find(|a| a["rule"] == "DemoErrors")
        .unwrap_or_else(|| panic!("{}", shown(&out)));
    assert_eq!(theirs["source"], "main");
    assert_eq!(theirs["state"], "firing");
    assert_eq!(theirs["severity"], "critical");
    assert_eq!(theirs["runbook_id"], "site-down");
    assert_eq!(
        theirs["runbook"]["url"],
        "https://wiki.example/runbooks/site-down.md"
    );
    let ours = alerts
        .iter()
        .find(|a| a["rule"] == "DemoErrorRatio")
        .unwrap_or_else(|| panic!("{}", shown(&out)));
    assert_eq!(ours["source"], "opsdeck");
    assert_eq!(ours["state"], "firing", "{}", shown(&out));
    assert!(ours["value"].as_f64().unwrap() > 0.5, "{ours}");

    let (cfg, data2) = (config_path.clone(), data.clone());
    let out = tokio::task::spawn_blocking(move || opsdeck(&cfg, &data2, &["status"]))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("critical firing DemoErrors (main)"),
        "{}",
        shown(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alertmanager_alerts_show_and_a_silenced_critical_pages_no_one() {
    let am = Alertmanager::start();
    post(
        &format!("{}/api/v2/alerts", am.url),
        r#"[{"labels":{"alertname":"DemoSlow","severity":"warning","job":"demo"},
             "annotations":{"runbook_url":"https://wiki.example/runbooks/degraded-performance"}},
            {"labels":{"alertname":"DiskNoise","severity":"critical","job":"demo"}}]"#,
    )
    .await;
    let fmt = &time::format_description::well_known::Rfc3339;
    let now = time::OffsetDateTime::now_utc();
    let silence = format!(
        r#"{{"matchers":[{{"name":"alertname","value":"DiskNoise","isRegex":false,"isEqual":true}}],
            "startsAt":"{}","endsAt":"{}","createdBy":"opsdeck-test-alerts","comment":"noise"}}"#,
        now.format(fmt).unwrap(),
        (now + time::Duration::hours(1)).format(fmt).unwrap()
    );
    let created = post(&format!("{}/api/v2/silences", am.url), &silence).await;
    let silence_id = serde_json::from_str::<serde_json::Value>(&created).unwrap()["silenceID"]
        .as_str()
        .unwrap()
        .to_string();

    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("config.toml");
    std::fs::write(
        &config_path,
        format!("[[alertmanager]]\nname = \"am\"\nurl = \"{}\"\n", am.url),
    )
    .unwrap();
    let data = dir.path().join("data");
    // Alertmanager applies a new silence to its alerts within moments.
    let deadline = Instant::now() + PATIENCE;
    let (out, alerts) = loop {
        let (cfg, data2) = (config_path.clone(), data.clone());
        let out = tokio::task::spawn_blocking(move || opsdeck(&cfg, &data2, &["alerts", "--json"]))
            .await
            .unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{}", shown(&out)));
        let alerts = json["alerts"].as_array().unwrap().clone();
        let muted = alerts
            .iter()
            .any(|a| a["rule"] == "DiskNoise" && a["muted_by"].is_array());
        if muted {
            break (out, alerts);
        }
        assert!(Instant::now() < deadline, "never silenced: {}", shown(&out));
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let slow = alerts
        .iter()
        .find(|a| a["rule"] == "DemoSlow")
        .unwrap_or_else(|| panic!("{}", shown(&out)));
    assert_eq!(slow["source"], "am");
    assert_eq!(slow["state"], "firing");
    assert_eq!(slow["runbook_id"], "degraded-performance");
    let noise = alerts.iter().find(|a| a["rule"] == "DiskNoise").unwrap();
    assert_eq!(noise["severity"], "critical");
    assert_eq!(noise["muted_by"][0], format!("silence {silence_id}"));
    // The firing warning counts; the silenced critical does not.
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
}
