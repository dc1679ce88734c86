//! Silences made from opsdeck against a real Alertmanager (Debian's
//! `prometheus-alertmanager`): through the CLI twins and through the
//! console's keys, both on the one action path (read-only refusal, dry run,
//! confirmation, audit intent and outcome), muting exactly the alerts the
//! plan named and unmuting them on expiry; and each Prometheus's own
//! alerting rules listed with state, health, last error and runbook.

#[path = "support/alertmanager.rs"]
mod alertmanager;
#[path = "support/alerts_env.rs"]
mod alerts_env;
#[path = "support/demo_local.rs"]
mod demo_local;
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
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

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
            opsdeck::ui::update::update(model, ui, opsdeck::ui::update::UiEvent::Key(key))
        })
        .collect()
}

/// The console's path, as the app loop drives it: `S` on the selected alert,
/// a comment typed, the plan from the real Alertmanager shown for y/n, `y`,
/// then the collectors see the alert muted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_silences_the_selected_alert_after_y_and_then_shows_it_muted() {
    use opsdeck::action::{perform, ActionEvent, PerformOptions};
    use opsdeck::console::Event;
    use opsdeck::ui::state::action_flow::ActionFlow;
    use opsdeck::ui::update::{update, Command, UiEvent};
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
    model.add_started(targets::start(targets::plan(&config), &tx));
    run_until(&mut model, &mut rx, "DiskNoise to show", |m| {
        row(&m.alerts.rows(), "DiskNoise").is_some_and(|r| r.alert.state == AlertState::Firing)
    })
    .await;

    let mut ui = opsdeck::ui::state::UiState::new(opsdeck::config::theme::Theme::default());
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
        actor: opsdeck::action::Actor::named("tester@opsdeck-test"),
    };
    let (yes, answer) = tokio::sync::oneshot::channel();
    let (events_tx, mut events) = mpsc::channel(64);
    let job = perform::spawn(request.clone(), orch, opts.clone(), answer, events_tx);
    let planned = events.recv().await.unwrap();
    update(&mut model, &mut ui, UiEvent::from(Event::Action(planned)));
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
        update(&mut model, &mut ui, UiEvent::from(Event::Action(event)));
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
