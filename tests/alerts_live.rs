//! Alerts against real components: a probe rule over the demo service that
//! fires when the service stops and resolves when it is back (the console's
//! collectors and Model, as the app loop drives them), and a real Prometheus
//! whose rule fires against the demo service in fault mode, read by the real
//! binary's `alerts --json` and `status`, and whose own rules are listed
//! with state, health and runbook; and a real Alertmanager whose silenced
//! alert is shown muted and pages no one, with a silence made and expired
//! through opsdeck's CLI (the one action path: read-only refusal, dry run,
//! confirmation, audit).

#[path = "support/alertmanager.rs"]
mod alertmanager;
#[path = "support/demo_local.rs"]
mod demo_local;
#[path = "support/prometheus.rs"]
mod prometheus;

use alertmanager::Alertmanager;
use demo_local::{http, Demo, TIMEOUT};
use opsdeck::alert::AlertState;
use opsdeck::model::{AlertRow, Model};
use opsdeck::source::{targets, unix_now, Update};
use prometheus::Prometheus;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Hang guard only: each wait normally ends within a few seconds.
const PATIENCE: Duration = Duration::from_secs(60);

fn config(text: &str) -> (tempfile::TempDir, opsdeck::config::Config) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    let loaded = opsdeck::config::load(Some(path)).unwrap_or_else(|e| panic!("{e:?}"));
    (dir, loaded.config)
}

fn row<'a>(rows: &'a [AlertRow], rule: &str) -> Option<&'a AlertRow> {
    rows.iter().find(|r| r.alert.rule == rule)
}

/// Feeds collector updates and clock ticks to the model, as the app loop
/// does, until `done` holds.
async fn run_until(
    model: &mut Model,
    rx: &mut mpsc::Receiver<Update>,
    what: &str,
    done: impl Fn(&Model) -> bool,
) {
    let deadline = Instant::now() + PATIENCE;
    while !done(model) {
        assert!(
            Instant::now() < deadline,
            "gave up waiting for {what}; alerts now: {:#?}",
            model.alerts.rows()
        );
        if let Ok(Some(u)) = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await {
            model.apply(u);
        }
        model.tick(unix_now());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_probe_rule_fires_when_the_service_stops_and_resolves_when_it_is_back() {
    let mut demo = Demo::start().await;
    let addr: std::net::SocketAddr = demo.base.trim_start_matches("http://").parse().unwrap();
    let (_dir, config) = config(&format!(
        "[[probe]]\nname = \"site\"\nurl = \"{}/health\"\ninterval = \"1s\"\ntimeout = \"1s\"\n\
         [[alert]]\nname = \"SiteDown\"\nmetric = \"probe:site:up\"\nop = \"<\"\nthreshold = 1\n\
         severity = \"critical\"\nrunbook = \"site-down\"\n",
        demo.base
    ));
    let mut model = Model::new(config.refresh.0, true);
    model.alerts = opsdeck::model::Alerts::from_config(&config);
    let (tx, mut rx) = mpsc::channel(256);
    targets::start(targets::plan(&config), &mut model, &tx);

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
    demo.stop();
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

    let _back = Demo::start_at(addr).await;
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

fn opsdeck(config: &Path, data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(args)
        .env("OPSDECK_CONFIG", config)
        .env("OPSDECK_DATA_DIR", data)
        .stdin(Stdio::null())
        .output()
        .expect("running opsdeck")
}

fn shown(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

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

async fn post(url: &str, json: &str) -> String {
    let r = opsdeck::demo::client::post_json(url, json, TIMEOUT)
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    assert_eq!(r.status, 200, "POST {url}: {}", r.body);
    r.body
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

/// Alertmanager's own view of one alert: its state and the silences muting it.
async fn am_alert(am: &Alertmanager, name: &str) -> (String, Vec<String>) {
    let r = http()
        .get(&format!("{}/api/v2/alerts", am.url))
        .await
        .unwrap();
    let alerts: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let a = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["labels"]["alertname"] == name)
        .unwrap_or_else(|| panic!("{name} not in {alerts}"));
    let by = a["status"]["silencedBy"]
        .as_array()
        .map(|v| v.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    (a["status"]["state"].as_str().unwrap().to_string(), by)
}

async fn wait_for_am(
    am: &Alertmanager,
    name: &str,
    what: &str,
    ok: impl Fn(&str, &[String]) -> bool,
) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (state, by) = am_alert(am, name).await;
        if ok(&state, &by) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{name} never {what}: {state} {by:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn run(config: &Path, data: &Path, args: &[&str]) -> Output {
    let (c, d) = (config.to_path_buf(), data.to_path_buf());
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        opsdeck(&c, &d, &args)
    })
    .await
    .unwrap()
}

fn audit(data: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(data.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silence_made_through_the_action_path_mutes_the_alert_and_expiring_it_restores_it() {
    let am = Alertmanager::start();
    post(
        &format!("{}/api/v2/alerts", am.url),
        r#"[{"labels":{"alertname":"DiskNoise","severity":"critical","job":"demo"}},
            {"labels":{"alertname":"DemoSlow","severity":"warning","job":"demo"}}]"#,
    )
    .await;
    wait_for_am(&am, "DiskNoise", "became active", |s, _| s == "active").await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[[alertmanager]]\nname = \"am\"\nurl = \"{}\"\n", am.url),
    )
    .unwrap();
    let data = dir.path().join("data");
    let silence = [
        "alerts",
        "silence",
        "am",
        "-m",
        "alertname=DiskNoise",
        "--matcher",
        "job=~dem.",
        "--duration",
        "1h",
        "--comment",
        "disk swap",
        "--yes",
    ];

    // Read-only: the plan is shown, nothing is created or audited.
    let ro: Vec<&str> = std::iter::once("--read-only").chain(silence).collect();
    let out = run(&config, &data, &ro).await;
    assert_eq!(out.status.code(), Some(3), "{}", shown(&out));
    assert!(shown(&out).contains("mutes 1 alert"), "{}", shown(&out));
    assert!(audit(&data).is_empty());
    // No terminal and no --yes: not confirmed.
    let out = run(&config, &data, &silence[..silence.len() - 1]).await;
    assert_eq!(out.status.code(), Some(4), "{}", shown(&out));
    // Dry run: the plan names exactly the alert it mutes, and not its neighbour.
    let mut dry = silence.to_vec();
    let last = dry.len() - 1;
    dry[last] = "--dry-run";
    let out = run(&config, &data, &dry).await;
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let plan = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        plan.contains("mute") && plan.contains("DiskNoise"),
        "{plan}"
    );
    assert!(!plan.contains("DemoSlow"), "{plan}");
    let http_silences = http()
        .get(&format!("{}/api/v2/silences", am.url))
        .await
        .unwrap();
    assert_eq!(http_silences.body.trim(), "[]", "nothing created yet");
    // A matcher that is not one is a usage error.
    let out = run(
        &config,
        &data,
        &[
            "alerts",
            "silence",
            "am",
            "-m",
            "job",
            "--comment",
            "x",
            "--yes",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", shown(&out));
    assert!(shown(&out).contains("NAME=VALUE"), "{}", shown(&out));

    // For real.
    let out = run(&config, &data, &silence).await;
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("done: silence "))
        .filter(|rest| rest.contains("is active until"))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{}", shown(&out)))
        .to_string();
    wait_for_am(&am, "DiskNoise", "silenced", |s, by| {
        s == "suppressed" && by.contains(&id)
    })
    .await;
    assert_eq!(am_alert(&am, "DemoSlow").await.0, "active");
    let out = run(&config, &data, &["alerts", "--json"]).await;
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e} {}", shown(&out)));
    let noise = json["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["rule"] == "DiskNoise")
        .unwrap();
    assert_eq!(noise["muted_by"][0], format!("silence {id}"), "{json}");
    let listed = json["silences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id.as_str())
        .unwrap();
    assert_eq!(listed["state"], "active");
    assert_eq!(listed["muting"], 1);
    assert_eq!(listed["comment"], "disk swap");
    assert!(
        listed["created_by"].as_str().unwrap().contains('@'),
        "{listed}"
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "only the warning pages now: {}",
        shown(&out)
    );
    let out = run(&config, &data, &["alerts", "silences", "am"]).await;
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&id),
        "{}",
        shown(&out)
    );

    // Expire it: DiskNoise pages again.
    let out = run(&config, &data, &["alerts", "expire", "am", &id, "--yes"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    assert!(shown(&out).contains("unmute"), "{}", shown(&out));
    wait_for_am(&am, "DiskNoise", "unsilenced", |s, by| {
        s == "active" && by.is_empty()
    })
    .await;
    let out = run(&config, &data, &["alerts", "expire", "am", &id, "--yes"]).await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "expired already: {}",
        shown(&out)
    );
    assert!(shown(&out).contains("already expired"), "{}", shown(&out));

    // The audit log holds intent and outcome of each, in order.
    let records = audit(&data);
    let seen: Vec<(String, String, Option<bool>)> = records
        .iter()
        .map(|r| {
            (
                r["verb"].as_str().unwrap().to_string(),
                r["phase"].as_str().unwrap().to_string(),
                r["ok"].as_bool(),
            )
        })
        .collect();
    let want = |v: &str, p: &str, ok| (v.to_string(), p.to_string(), ok);
    assert_eq!(
        seen,
        [
            want("silence", "intent", None),
            want("silence", "outcome", Some(true)),
            want("expire", "intent", None),
            want("expire", "outcome", Some(true)),
        ],
        "{records:#?}"
    );
    assert_eq!(records[0]["workload"], "am/silence/new");
    assert_eq!(records[2]["workload"], format!("am/silence/{id}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prometheus_rules_list_shows_state_health_and_the_mapped_runbook() {
    let demo = Demo::start().await;
    let rules = r#"groups:
  - name: rules-list
    rules:
      - alert: AlwaysOn
        expr: vector(1)
        labels:
          severity: critical
        annotations:
          runbook_url: https://wiki.example/runbooks/site-down.md
      - alert: NeverFires
        expr: vector(1) == 2
        for: 5m
      - alert: SameLabels
        expr: '{__name__=~"up|scrape_samples_scraped"}'
"#;
    let prom = Prometheus::start_with_rules(
        &[demo.base.trim_start_matches("http://").to_string()],
        Some(rules),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[[prometheus]]\nname = \"main\"\nurl = \"{}\"\n", prom.url),
    )
    .unwrap();
    let data = dir.path().join("data");
    let deadline = Instant::now() + PATIENCE;
    let rules = loop {
        let out = run(&config, &data, &["alerts", "--json"]).await;
        let json: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e} {}", shown(&out)));
        let rules = json["rules"].as_array().cloned().unwrap_or_default();
        let by = |n: &str| rules.iter().find(|r| r["name"] == n).cloned();
        let settled = by("AlwaysOn").is_some_and(|r| r["state"] == "firing")
            && by("SameLabels").is_some_and(|r| r["health"] == "err");
        if settled {
            break rules;
        }
        assert!(
            Instant::now() < deadline,
            "rules never settled: {}",
            shown(&out)
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let by = |n: &str| rules.iter().find(|r| r["name"] == n).unwrap();
    assert_eq!(rules[0]["name"], "AlwaysOn", "firing first: {rules:?}");
    assert_eq!(by("AlwaysOn")["source"], "main");
    assert_eq!(by("AlwaysOn")["severity"], "critical");
    assert_eq!(by("AlwaysOn")["health"], "ok");
    assert_eq!(by("AlwaysOn")["runbook_id"], "site-down");
    assert_eq!(by("NeverFires")["state"], "inactive");
    assert_eq!(by("NeverFires")["for_secs"], 300.0);
    assert!(
        by("SameLabels")["last_error"]
            .as_str()
            .unwrap()
            .contains("same labelset"),
        "{rules:?}"
    );
}

/// Types `s` into the console (`\n` is Enter).
fn press(
    model: &mut Model,
    ui: &mut opsdeck::ui::state::UiState,
    s: &str,
) -> Vec<opsdeck::ui::update::Command> {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    s.chars()
        .flat_map(|c| {
            let code = if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            };
            let key = KeyEvent::new(code, KeyModifiers::NONE);
            opsdeck::ui::update::update(model, ui, opsdeck::ui::update::Event::Key(key))
        })
        .collect()
}

/// The console's path, as the app loop drives it: `S` on the selected alert,
/// a comment typed, the plan from the real Alertmanager shown for y/n, `y`,
/// then the collectors see the alert muted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_silences_the_selected_alert_after_y_and_then_shows_it_muted() {
    use opsdeck::action::{perform, ActionEvent, PerformOptions};
    use opsdeck::ui::action_flow::ActionFlow;
    use opsdeck::ui::update::{update, Command, Event};
    let am = Alertmanager::start();
    post(
        &format!("{}/api/v2/alerts", am.url),
        r#"[{"labels":{"alertname":"DiskNoise","severity":"critical","job":"demo"}}]"#,
    )
    .await;
    let (dir, config) = config(&format!(
        "refresh = \"1s\"\n[[alertmanager]]\nname = \"am\"\nurl = \"{}\"\n",
        am.url
    ));
    let mut model = Model::new(config.refresh.0, false);
    let (tx, mut rx) = mpsc::channel(256);
    targets::start(targets::plan(&config), &mut model, &tx);
    run_until(&mut model, &mut rx, "DiskNoise to show", |m| {
        row(&m.alerts.rows(), "DiskNoise").is_some_and(|r| r.alert.state == AlertState::Firing)
    })
    .await;

    let mut ui = opsdeck::ui::state::UiState::new(opsdeck::ui::theme::Theme::default());
    assert!(press(&mut model, &mut ui, "5S").is_empty());
    let cmds = press(&mut model, &mut ui, "disk swap\n");
    let [Command::PlanAction(request)] = cmds.as_slice() else {
        panic!("{cmds:?} {:?}", ui.message);
    };
    // What the app loop's effects do with PlanAction, with the audit log here.
    let orch = opsdeck::action::orchestrator_for(&config, "am", Default::default())
        .await
        .unwrap();
    let opts = PerformOptions {
        read_only: false,
        dry_run: false,
        audit: opsdeck::action::audit::AuditLog::new(dir.path().join("audit.jsonl")),
        who: "tester@opsdeck-test".into(),
    };
    let (yes, answer) = tokio::sync::oneshot::channel();
    let (events_tx, mut events) = mpsc::channel(64);
    let job = perform::spawn(request.clone(), orch, opts.clone(), answer, events_tx);
    let planned = events.recv().await.unwrap();
    update(&mut model, &mut ui, Event::Source(Update::Action(planned)));
    let Some(ActionFlow::Confirm(plan)) = &ui.action else {
        panic!("no plan to confirm: {:?} {:?}", ui.action, ui.message);
    };
    assert!(plan.summary.contains("mutes 1 alert"), "{}", plan.summary);
    assert!(
        plan.steps.iter().any(|s| s.subject == "DiskNoise"),
        "{plan:?}"
    );
    let cmds = press(&mut model, &mut ui, "y");
    assert!(matches!(cmds.as_slice(), [Command::Execute(_)]), "{cmds:?}");
    yes.send(true).unwrap();
    while let Some(event) = events.recv().await {
        let done = matches!(event, ActionEvent::Done(_));
        update(&mut model, &mut ui, Event::Source(Update::Action(event)));
        if done {
            break;
        }
    }
    job.await.unwrap().unwrap();
    let Some(ActionFlow::Finished { ok, result, .. }) = &ui.action else {
        panic!("{:?}", ui.action);
    };
    assert!(*ok && result.contains("is active until"), "{result}");
    run_until(&mut model, &mut rx, "DiskNoise to show muted", |m| {
        row(&m.alerts.rows(), "DiskNoise").is_some_and(|r| r.muted())
            && m.alerts.silence_rows().iter().any(|s| s.muting == 1)
    })
    .await;
    assert_eq!(
        model.alerts.worst_firing(),
        None,
        "a silenced alert pages no one"
    );
    assert_eq!(opts.audit.read().unwrap().len(), 2, "intent and outcome");
}
