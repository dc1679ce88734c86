//! `opsdeck runbook` with the real binary against real components (the
//! terminal prompts are in runbook_terminal.rs): lint on
//! good and bad files, a probe check against the demo service passing, then
//! failing under a fault and resuming once it is fixed, and the built-in
//! failed-deploy runbook planning (changing nothing) and then rolling a
//! broken Compose deploy back through the action path on the real engine.

#[path = "support/images.rs"]
mod images;
#[path = "support/run_bin.rs"]
mod run_bin;

#[path = "support/actions.rs"]
mod actions;

#[path = "support/demo_local.rs"]
mod demo_local;

#[path = "support/prometheus.rs"]
mod prometheus;

#[path = "support/runbook_env.rs"]
mod runbook_env;

use actions::*;
use images::*;
use runbook_env::*;
use std::path::Path;
use std::time::Duration;

#[test]
fn lint_reports_each_problem_with_file_and_line_and_passes_good_files() {
    let env_config = Path::new("/nonexistent/opsdeck.toml");
    let data = tempfile::tempdir().unwrap();
    let good: Vec<String> = std::fs::read_dir(fixtures("good"))
        .unwrap()
        .chain(std::fs::read_dir(fixtures("run")).unwrap())
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    let mut args = vec!["runbook", "lint"];
    args.extend(good.iter().map(String::as_str));
    // Named files are linted without a config, so a missing one does not matter.
    let out = opsdeck(env_config, data.path(), &args);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        stdout(&out).contains("ok: no problems found"),
        "{}",
        text(&out)
    );

    for entry in std::fs::read_dir(fixtures("bad")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let file = path.display().to_string();
        let out = opsdeck(env_config, data.path(), &["runbook", "lint", &file]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let body = std::fs::read_to_string(&path).unwrap();
        let expected: Vec<(&str, &str)> = body
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .filter_map(|rest| rest.split_once(": "))
            .collect();
        assert!(!expected.is_empty(), "{file} has no # expect lines");
        for (line, message) in expected {
            let located = format!("{file}:{line}:");
            assert!(
                stdout(&out)
                    .lines()
                    .any(|l| l.starts_with(&located) && l.contains(message)),
                "expected `{located}` … `{message}` in\n{}",
                text(&out)
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalogue_lists_shows_and_lints_clean() {
    let env = Env::new();
    let list = env.opsdeck(&["runbook", "list"]).await;
    assert!(list.status.success(), "{}", text(&list));
    for id in ["site-down", "failed-deploy", "database", "test-site-probe"] {
        assert!(stdout(&list).contains(id), "{}", text(&list));
    }
    let show = env.opsdeck(&["runbook", "show", "site-down"]).await;
    assert!(show.status.success(), "{}", text(&show));
    assert!(
        stdout(&show).contains("id = \"site-down\""),
        "{}",
        text(&show)
    );
    let typo = env.opsdeck(&["runbook", "show", "site-dwn"]).await;
    assert_eq!(typo.status.code(), Some(2), "{}", text(&typo));
    assert!(
        String::from_utf8_lossy(&typo.stderr).contains("did you mean `site-down`"),
        "{}",
        text(&typo)
    );
    let lint = env.opsdeck(&["runbook", "lint"]).await;
    assert!(lint.status.success(), "{}", text(&lint));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_probe_check_passes_then_fails_under_a_fault_and_the_run_resumes_at_the_failed_step() {
    let demo = demo_local::Demo::start().await;
    let env = Env::new();
    let url = format!("health_url={}/health", demo.base);
    let run = ["runbook", "run", "test-site-probe", "--param", &url];

    let ok = env.opsdeck(&run).await;
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(stdout(&ok).contains("passed: HTTP 200"), "{}", text(&ok));
    assert!(stdout(&ok).contains("outcome: completed"), "{}", text(&ok));

    demo.fault(r#"{"unhealthy": true}"#).await;
    let bad = env.opsdeck(&run).await;
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(stdout(&bad).contains("failed: HTTP "), "{}", text(&bad));
    assert!(!stdout(&bad).contains("passed: HTTP 200"), "{}", text(&bad));
    let id = run_id(&bad);
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains(&format!("--resume {id}")),
        "{}",
        text(&bad)
    );
    let timeline = env.data().join("runs").join(format!("{id}.jsonl"));
    let lines = std::fs::read_to_string(&timeline).unwrap();
    let last: serde_json::Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"], "run_finished", "{lines}");
    assert_eq!(last["outcome"]["result"], "failed", "{lines}");
    assert_eq!(last["outcome"]["step"], "probe", "{lines}");

    demo.fault(r#"{"reset": true}"#).await;
    let report = env.dir.path().join("resumed.md");
    let report_arg = report.display().to_string();
    let resumed = env
        .opsdeck(&["runbook", "run", "--resume", &id, "--report", &report_arg])
        .await;
    assert!(resumed.status.success(), "{}", text(&resumed));
    assert!(
        stdout(&resumed).contains("resuming at step `probe`"),
        "{}",
        text(&resumed)
    );
    assert!(
        stdout(&resumed).contains("passed: HTTP 200"),
        "{}",
        text(&resumed)
    );
    // The same timeline carries both halves of the run.
    let lines = std::fs::read_to_string(&timeline).unwrap();
    assert!(lines.contains("\"run_resumed\""), "{lines}");
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(
        md.contains("# Incident report: Probe the test site"),
        "{md}"
    );
    assert!(md.contains("completed"), "{md}");
    assert!(md.contains("HTTP 200"), "{md}");

    let unknown = env
        .opsdeck(&["runbook", "run", "--resume", "no-such-run"])
        .await;
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains(&id),
        "the latest runs should be offered: {}",
        text(&unknown)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promql_and_metric_checks_read_a_real_prometheus_and_the_collectors() {
    let demo = demo_local::Demo::start().await;
    let prom =
        prometheus::Prometheus::start(&[demo.base.trim_start_matches("http://").to_string()]);
    let env = Env::with(&format!(
        "\n[[prometheus]]\nname = \"main\"\nurl = \"{}\"\n\n[[probe]]\nname = \"site\"\nurl = \"{}/health\"\n",
        prom.url, demo.base
    ));
    let run = env.opsdeck(&["runbook", "run", "test-promql-metric"]).await;
    // Two checks could not read (no data, no such server): the run says so
    // and exits 1 rather than calling itself completed.
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    assert!(
        stdout(&run).contains("outcome: completed with problems"),
        "{}",
        text(&run)
    );
    let out = stdout(&run);
    let passed: Vec<&str> = out
        .lines()
        .filter(|l| {
            l.trim_start()
                .starts_with("passed: value = 1 (expect value == 1)")
        })
        .collect();
    assert_eq!(passed.len(), 2, "{}", text(&run));
    assert!(out.contains("inconclusive: no data"), "{}", text(&run));
    assert!(
        out.contains("no [[prometheus]] named `nowhere`"),
        "{}",
        text(&run)
    );

    // With the demo unhealthy, opsdeck's own probe series says so.
    demo.fault(r#"{"unhealthy": true}"#).await;
    let down = env.opsdeck(&["runbook", "run", "test-promql-metric"]).await;
    assert_eq!(down.status.code(), Some(1), "{}", text(&down));
    assert!(
        stdout(&down).contains("failed: value = 0 (expect value == 1)"),
        "{}",
        text(&down)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn health_status(url: &str) -> Option<u16> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(opsdeck::demo::client::get(url, Duration::from_secs(2)))
        .ok()
        .map(|r| r.status)
}

#[test]
fn failed_deploy_and_site_down_roll_a_broken_compose_deploy_back_and_plan_changes_nothing() {
    let (_tags, v1, _v2, broken) = unchecked_images("runbooks-fd");
    let port = free_port();
    let p = Project::up_on_port("runbooks-fd", &v1, port);
    let w = p.workload();
    let health = format!("http://127.0.0.1:{port}/health");
    std::fs::write(
        &p.config,
        format!(
            "[[docker]]\nname = \"local\"\n\n[[probe]]\nname = \"site\"\nurl = \"{health}\"\ntimeout = \"2s\"\n"
        ),
    )
    .unwrap();
    let (v1_id, broken_id) = (image_id(&v1), image_id(&broken));

    // The broken release has no HEALTHCHECK, so its deploy goes through.
    let deploy = p.opsdeck(&["deploy", &w, &broken, "--yes"]);
    assert!(deploy.status.success(), "{}", text(&deploy));
    assert_eq!(p.image_ids(), std::slice::from_ref(&broken_id));
    poll(Duration::from_secs(60), || {
        health_status(&health).filter(|s| *s != 200)
    })
    .unwrap_or_else(|| panic!("the broken release never answered {health}"));
    let audited = p.audit().len();

    let workload = format!("workload={w}");
    let health_param = format!("health_url={health}");
    let base = [
        "runbook",
        "run",
        "failed-deploy",
        "--param",
        &workload,
        "--param",
        &health_param,
        // What HighErrorRate on the probe binds: the series that fired, read
        // again to verify the rollback.
        "--param",
        "signal=probe:site:error_ratio",
    ];
    let mut plan_args = base.to_vec();
    plan_args.push("--plan");
    let plan = p.opsdeck(&plan_args);
    assert!(plan.status.success(), "{}", text(&plan));
    let out = stdout(&plan);
    assert!(out.contains("plan only, not applied"), "{}", text(&plan));
    assert!(out.contains(&format!("rollback {w}")), "{}", text(&plan));
    assert!(out.contains("outcome: planned"), "{}", text(&plan));
    assert_eq!(
        p.image_ids(),
        std::slice::from_ref(&broken_id),
        "--plan changed a container"
    );
    assert_eq!(p.audit().len(), audited, "--plan wrote audit records");

    // --read-only: the action path refuses the rollback; the runbook escalates.
    let mut ro_args = vec!["--read-only"];
    ro_args.extend(base);
    ro_args.push("--yes");
    let ro = p.opsdeck(&ro_args);
    assert!(
        stdout(&ro).contains("refused: opsdeck runs read-only"),
        "{}",
        text(&ro)
    );
    assert!(stdout(&ro).contains("==> [escalate]"), "{}", text(&ro));
    assert_eq!(
        p.image_ids(),
        std::slice::from_ref(&broken_id),
        "--read-only changed a container"
    );
    assert_eq!(p.audit().len(), audited, "--read-only wrote audit records");

    let reports = tempfile::tempdir().unwrap();
    let report = reports.path().join("R.md");
    let report_arg = report.display().to_string();
    let mut run_args = base.to_vec();
    run_args.extend(["--yes", "--report", &report_arg]);
    let run = p.opsdeck(&run_args);
    assert!(run.status.success(), "{}", text(&run));
    let out = stdout(&run);
    assert!(out.contains("outcome: completed"), "{}", text(&run));
    assert!(out.contains("==> [freeze]"), "{}", text(&run));
    assert_eq!(
        p.image_ids(),
        std::slice::from_ref(&v1_id),
        "{}",
        p.compose(&["ps"])
    );
    assert_eq!(health_status(&health), Some(200));

    let audit = p.audit();
    assert_eq!(audit.len(), audited + 2, "{}", p.audit_text());
    let rollback: Vec<_> = audit[audited..].iter().collect();
    assert_eq!(rollback[0]["phase"], "intent", "{}", p.audit_text());
    assert_eq!(rollback[1]["phase"], "outcome", "{}", p.audit_text());
    assert!(rollback.iter().all(|r| r["verb"] == "rollback"));
    assert_eq!(rollback[1]["ok"], true, "{}", p.audit_text());

    let md = std::fs::read_to_string(&report).unwrap();
    assert!(md.contains("# Incident report: Failed deploy"), "{md}");
    assert!(md.contains("## Actions"), "{md}");
    assert!(md.contains("Roll back to the previous revision"), "{md}");
    assert!(md.contains(&format!("rollback {w}")), "{md}");
    assert!(md.contains("Freeze deploys"), "{md}");
    // The error ratio the checks read: 1 on the broken release, 0 after.
    assert!(md.contains("## Key series"), "{md}");
    assert!(
        md.lines()
            .any(|l| l.starts_with("probe:site:error_ratio") && l.contains("max 1")),
        "{md}"
    );
    assert!(md.contains("completed"), "{md}");
    assert!(!md.contains(SECRET), "{md}");

    // The same outage through site-down: the probe fails, a deploy went out
    // within the hour, so it rolls back and sees the site answer again.
    let again = p.opsdeck(&["deploy", &w, &broken, "--yes"]);
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(p.image_ids(), std::slice::from_ref(&broken_id));
    let audited = p.audit().len();
    let site = p.opsdeck(&[
        "runbook",
        "run",
        "site-down",
        "--param",
        &workload,
        "--param",
        &health_param,
        "--yes",
    ]);
    assert!(site.status.success(), "{}", text(&site));
    let out = stdout(&site);
    for step in [
        "probe",
        "replicas",
        "deployed",
        "rollback",
        "verify_ready",
        "verify_probe",
        "recovered",
    ] {
        assert!(
            out.contains(&format!("==> [{step}]")),
            "{step}: {}",
            text(&site)
        );
    }
    assert!(!out.contains("==> [escalate]"), "{}", text(&site));
    assert_eq!(p.image_ids(), [image_id(&v1)], "{}", p.compose(&["ps"]));
    assert_eq!(p.audit().len(), audited + 2, "{}", p.audit_text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_step_runs_through_the_action_path_and_passes_its_summary_on() {
    let demo = demo_local::Demo::start().await;
    let env = Env::new();
    let url = format!("url={}/work", demo.base);
    let run = ["runbook", "run", "test-load", "--param", &url, "--yes"];
    let out = env.opsdeck(&run).await;
    assert!(out.status.success(), "{}", text(&out));
    let printed = stdout(&out);
    assert!(printed.contains("load http"), "{printed}");
    assert!(printed.contains("outcome: completed"), "{printed}");
    // 20/s for 2 s: about 40 requests, all answered.
    let audit = std::fs::read_to_string(env.data().join("audit.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let verbs: Vec<(&str, &str)> = records
        .iter()
        .map(|r| (r["verb"].as_str().unwrap(), r["phase"].as_str().unwrap()))
        .collect();
    assert_eq!(verbs, [("load", "intent"), ("load", "outcome")], "{audit}");
    assert_eq!(records[1]["ok"], true, "{audit}");

    // Read-only refuses the run and the step fails.
    let refused = env
        .opsdeck(&[
            "--read-only",
            "runbook",
            "run",
            "test-load",
            "--param",
            &url,
            "--yes",
        ])
        .await;
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(text(&refused).contains("read-only"), "{}", text(&refused));
}
