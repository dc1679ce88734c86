//! One URL with credentials, userinfo and a `?token=` query, through every
//! output opsdeck has: the console's screen (views drawn from what a real
//! probe reported and from a `:load` line typed at the console, then the real
//! binary in tmux), CLI output (`status`, `load`, `runbook run`, `audit`), the
//! audit log, a runbook's timeline and its Markdown report. The secret shows
//! nowhere, while the URL does show, redacted, so the test cannot pass by
//! showing nothing. (`deploy --health-url` is the same check in
//! tests/docker_actions.rs, where the Docker engine is.)

#[path = "support/demo_process.rs"]
mod demo_process;
#[path = "support/screen.rs"]
mod screen;
#[path = "support/tmux.rs"]
#[allow(dead_code)]
mod tmux;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::console::Model;
use opsdeck::model::TargetKind;
use opsdeck::source::probe::Expect;
use opsdeck::source::{poll_once, ProbeSource};
use opsdeck::ui::state::View;
use opsdeck::ui::update::{update, UiEvent};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");
const PASSWORD: &str = "pw-Zq81x";
const TOKEN: &str = "tk-Vb77y";
/// Port 9 on loopback: nothing listens, so a probe there fails and says where.
const DEAD: &str = "127.0.0.1:9";

/// `http://ops:PASSWORD@HOST_PORT/PATH?token=TOKEN`
fn secret_url(host_port: &str, path: &str) -> String {
    format!("http://ops:{PASSWORD}@{host_port}{path}?token={TOKEN}")
}

/// A URL whose only secret is its query (a load run refuses userinfo: it
/// would not be sent).
fn token_url(host_port: &str, path: &str) -> String {
    format!("http://{host_port}{path}?token={TOKEN}")
}

/// How the URL may show: no userinfo, the query's value masked.
fn shown_url(host_port: &str, path: &str) -> String {
    format!("http://{host_port}{path}?token=***")
}

#[track_caller]
fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains(PASSWORD) && !text.contains(TOKEN),
        "{what} shows a secret:\n{text}"
    );
}

fn type_line(model: &mut Model, ui: &mut opsdeck::ui::state::UiState, line: &str) {
    let key = |code| UiEvent::Key(KeyEvent::new(code, KeyModifiers::NONE));
    update(model, ui, key(KeyCode::Char(':')));
    for c in line.chars() {
        update(model, ui, key(KeyCode::Char(c)));
    }
    update(model, ui, key(KeyCode::Enter));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_screen_a_failing_probe_and_a_load_line_show_their_urls_without_credentials() {
    let http =
        opsdeck::connect::http::Http::new(Duration::from_secs(2), &Default::default()).unwrap();
    let url = secret_url(DEAD, "/health");
    let mut probe = ProbeSource::new(
        "site",
        &url,
        Expect::default(),
        http,
        Duration::from_secs(2),
    );
    let mut model = Model::new(Duration::from_secs(2), false);
    model.add_target("site", TargetKind::Probe);
    for u in poll_once(&mut probe, Duration::from_secs(10))
        .await
        .unwrap()
    {
        model.apply_update(u);
    }
    let drawn = screen::text(&screen::frame(
        &model,
        &screen::in_view(View::Overview),
        250,
        3,
    ));
    let header = drawn.lines().next().unwrap();
    assert_clean("the header", header);
    assert!(header.contains(&shown_url(DEAD, "/health")), "{header}");
    // The clock is the reading's time; the rest is fixed.
    let clock = regex::Regex::new(r"\d\d:\d\d UTC$").unwrap();
    insta::assert_snapshot!(clock.replace(header, "HH:MM UTC"));

    let mut ui = screen::ui();
    type_line(
        &mut model,
        &mut ui,
        &format!("load {} -n 3", token_url(DEAD, "/work")),
    );
    assert_eq!(ui.view, View::Load, "{:?}", ui.message);
    let load = screen::text(&screen::frame(&model, &ui, 120, 24));
    assert_clean("the load view", &load);
    assert!(load.contains(&shown_url(DEAD, "/work")), "{load}");
}

/// The test's config: a live probe and a dead one, both with credentials,
/// and a runbook that checks both.
fn setup(service: &demo_process::DemoProcess) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let live = format!("127.0.0.1:{}", service.port);
    let runbooks = dir.path().join("runbooks");
    std::fs::create_dir(&runbooks).unwrap();
    std::fs::write(
        runbooks.join("secret-check.toml"),
        r#"id = "secret-check"
title = "Secret check"
severity = "warning"

[params.health_url]
description = "The service's health URL"

[params.old_url]
description = "Where the old release answered"

[[step]]
id = "up"
kind = "check"
title = "Is the service answering?"
probe = { url = "{{ params.health_url }}", timeout = "2s", expect_status = 200 }

[[step]]
id = "old_gone"
kind = "check"
title = "Does the old address still answer?"
probe = { url = "{{ params.old_url }}", timeout = "2s", expect_status = 200 }
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("opsdeck.toml"),
        format!(
            "runbook_dirs = [{:?}]\n\n[[probe]]\nname = \"site\"\nurl = {:?}\n\n[[probe]]\nname = \"old\"\nurl = {:?}\ntimeout = \"2s\"\n",
            runbooks.display().to_string(),
            secret_url(&live, "/health"),
            secret_url(DEAD, "/health"),
        ),
    )
    .unwrap();
    dir
}

fn opsdeck(dir: &Path, args: &[&str]) -> (Output, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("OPSDECK_CONFIG", dir.join("opsdeck.toml"))
        .env("OPSDECK_DATA_DIR", dir.join("data"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean(&format!("opsdeck {}", args.join(" ")), &text);
    (out, text)
}

#[test]
fn the_cli_the_audit_log_a_runbook_timeline_and_its_report() {
    let service = demo_process::DemoProcess::start();
    let dir = setup(&service);
    let live = format!("127.0.0.1:{}", service.port);

    let (out, text) = opsdeck(dir.path(), &["status"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the dead probe is unreadable: {text}"
    );
    assert!(text.contains(&shown_url(DEAD, "/health")), "{text}");
    opsdeck(dir.path(), &["status", "--json"]);

    let load_url = token_url(&live, "/work");
    let (out, text) = opsdeck(
        dir.path(),
        &["load", &load_url, "-n", "3", "-c", "1", "--yes"],
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&shown_url(&live, "/work")), "{text}");
    let audit = std::fs::read_to_string(dir.path().join("data/audit.jsonl")).unwrap();
    assert_clean("the audit log", &audit);
    assert!(audit.contains(&shown_url(&live, "/work")), "{audit}");
    opsdeck(dir.path(), &["audit"]);
    opsdeck(dir.path(), &["audit", "--json"]);

    let report = dir.path().join("report.md");
    let health = format!("health_url={}", secret_url(&live, "/health"));
    let old = format!("old_url={}", secret_url(DEAD, "/health"));
    let run_args = ["runbook", "run", "secret-check", "--yes", "--param"];
    let report_arg = report.display().to_string();
    let (out, text) = opsdeck(
        dir.path(),
        &[
            &run_args[..],
            &[&health, "--param", &old, "--report", &report_arg],
        ]
        .concat(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the old address is gone: {text}"
    );
    let run_id = text
        .split_whitespace()
        .nth(1)
        .filter(|_| text.starts_with("run "))
        .unwrap_or_else(|| panic!("no run id: {text}"))
        .to_string();
    let timeline =
        std::fs::read_to_string(dir.path().join(format!("data/runs/{run_id}.jsonl"))).unwrap();
    assert_clean("the timeline", &timeline);
    assert!(timeline.contains(&shown_url(DEAD, "/health")), "{timeline}");
    let md = std::fs::read_to_string(&report).unwrap();
    assert_clean("the report", &md);
    assert!(md.contains(&shown_url(DEAD, "/health")), "{md}");

    // The timeline kept the URLs without their credentials, so a resumed
    // run is given them again rather than probing the wrong address.
    let (out, text) = opsdeck(dir.path(), &["runbook", "run", "--resume", &run_id]);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("give them again with --param health_url=... --param old_url=..."),
        "{text}"
    );
    let (out, text) = opsdeck(
        dir.path(),
        &[
            "runbook", "run", "--resume", &run_id, "--yes", "--param", &health, "--param", &old,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "resumed, failing again: {text}");
    assert!(text.contains("old_gone"), "{text}");
    let timeline =
        std::fs::read_to_string(dir.path().join(format!("data/runs/{run_id}.jsonl"))).unwrap();
    assert_clean("the resumed timeline", &timeline);
}

#[test]
fn the_console_in_a_real_terminal() {
    let service = demo_process::DemoProcess::start();
    let dir = setup(&service);
    let live = format!("127.0.0.1:{}", service.port);
    let config = dir.path().join("opsdeck.toml");
    let data = dir.path().join("data");
    let t = tmux::Tmux::start(
        "redaction",
        200,
        40,
        BIN,
        &[("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)],
    );
    // The header names the degraded probe first; its reason in full is in
    // the targets list (T).
    let screen = t.wait_for(
        "the dead probe in the header",
        Duration::from_secs(30),
        |s| s.lines().next().is_some_and(|l| l.contains("▲ old")),
    );
    assert_clean("the console", &screen);
    t.keys(&["T"]);
    let screen = t.wait_for("the dead probe's reason", Duration::from_secs(10), |s| {
        s.contains(&shown_url(DEAD, "/health"))
    });
    assert_clean("the targets list", &screen);
    t.keys(&["Escape"]);

    t.keys(&[":"]);
    t.keys(&[
        &format!("load {} -n 3 -c 1", token_url(&live, "/work")),
        "Enter",
    ]);
    let screen = t.wait_for("the load plan", Duration::from_secs(20), |s| {
        s.contains(&shown_url(&live, "/work")) && s.contains("Confirm")
    });
    assert_clean("the load plan", &screen);
    t.keys(&["y"]);
    let screen = t.wait_for("the load run's figures", Duration::from_secs(30), |s| {
        s.contains("status 200: 3")
    });
    assert_clean("the load view", &screen);

    // A runbook run: its params and the failed probe's output on screen.
    t.keys(&[":"]);
    t.keys(&[
        &format!(
            "runbook secret-check health_url={} old_url={}",
            secret_url(&live, "/health"),
            secret_url(DEAD, "/health")
        ),
        "Enter",
    ]);
    let failed = format!("step old_gone failed: {}", shown_url(DEAD, "/health"));
    let screen = t.wait_for("the runbook's failed step", Duration::from_secs(30), |s| {
        s.contains(&failed) && s.contains(&format!("checking GET {}", shown_url(&live, "/health")))
    });
    assert_clean("the runbook view", &screen);
    // `w`: the report next to the timeline, written by the console.
    t.keys(&["w"]);
    let runs = data.join("runs");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let report = loop {
        let md = std::fs::read_dir(&runs)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|e| e == "md"));
        // Read until written whole: the file appears before its last line.
        let text = md.and_then(|md| std::fs::read_to_string(md).ok());
        if let Some(text) = text.filter(|t| t.contains(&shown_url(DEAD, "/health"))) {
            break text;
        }
        assert!(std::time::Instant::now() < deadline, "no report written");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_clean("the console's report", &report);
    t.keys(&["x"]);
    assert_clean("the scrollback", &t.history());
    t.keys(&["q"]);
    t.wait_for("the console to end", Duration::from_secs(10), |s| {
        s.contains("EXITED")
    });
}
