//! The CLI twins run as a user would run them: the real binary, real files.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");

fn opsdeck(args: &[&str], config: &Path) -> Output {
    let data = tempfile::tempdir().unwrap();
    Command::new(BIN)
        .args(args)
        .env("OPSDECK_CONFIG", config)
        .env("OPSDECK_DATA_DIR", data.path())
        .output()
        .unwrap()
}

fn fixture(p: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(p)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn config_check_accepts_the_full_example() {
    let out = opsdeck(&["config", "check"], &fixture("config/full.toml"));
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).ends_with("full.toml: ok\n"));
}

#[test]
fn config_check_lists_every_error_with_location() {
    let out = opsdeck(&["config", "check"], &fixture("config/bad-many.toml"));
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].contains("bad-many.toml:2:11: invalid duration \"soon\""),
        "{text}"
    );
    assert!(
        lines[1].contains("bad-many.toml:7:1: unknown field `timout`")
            && lines[1].contains("did you mean `timeout`"),
        "{text}"
    );
    assert_eq!(lines[2], "2 error(s)");
}

#[test]
fn config_init_then_check_then_refuse_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/config.toml");
    let out = opsdeck(&["config", "init"], &path);
    assert!(out.status.success(), "{out:?}");
    assert!(opsdeck(&["config", "check"], &path).status.success());
    assert_eq!(
        stdout(&opsdeck(&["config", "path"], &path)).trim(),
        path.display().to_string()
    );
    let again = opsdeck(&["config", "init"], &path);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn a_named_config_that_is_missing_is_an_error() {
    let out = opsdeck(&["status"], Path::new("/nonexistent/opsdeck.toml"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("/nonexistent/opsdeck.toml: cannot read config"));
}

#[test]
fn bad_theme_file_is_located() {
    let out = opsdeck(
        &[
            "config",
            "check",
            "--theme",
            fixture("themes/bad-colour.toml").to_str().unwrap(),
        ],
        &fixture("config/full.toml"),
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("bad-colour.toml:6:11: invalid colour \"orangey\""),
        "{text}"
    );
    let ok = opsdeck(
        &[
            "config",
            "check",
            "--theme",
            fixture("themes/good.toml").to_str().unwrap(),
        ],
        &fixture("config/full.toml"),
    );
    assert!(ok.status.success(), "{}", stdout(&ok));
}

#[test]
fn themes_lists_the_builtins() {
    let text = stdout(&opsdeck(&["themes"], &fixture("config/full.toml")));
    for name in ["default", "light", "high-contrast"] {
        assert!(text.lines().any(|l| l.starts_with(name)), "{text}");
    }
}

#[test]
fn status_json_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(&config, "").unwrap();
    let out = opsdeck(&["status", "--json"], &config);
    let code = out.status.code().unwrap();
    assert!((0..=2).contains(&code), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["generated_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["targets"][0]["name"], "host");
    assert_eq!(v["targets"][0]["kind"], "host");
    // The local engine, watched without config; this machine has one.
    let docker = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "docker");
    assert_eq!(docker.expect("a docker target")["name"], "local", "{v}");
    assert_eq!(v["targets"][0]["health"]["state"], "ok");
    assert!(v["host"]["mem_total_bytes"].as_u64().unwrap() > 0);
    assert!(v["series"]["host:cpu"].as_f64().is_some());
    assert!(v["series"]["host:disk:/:used_ratio"].as_f64().is_some());
    let overall = v["overall"].as_str().unwrap();
    let expected = match overall {
        "ok" => 0,
        "warning" => 1,
        "critical" => 2,
        other => panic!("{other}"),
    };
    assert_eq!(code, expected);
}

#[test]
fn status_reports_a_refused_probe_as_degraded_with_its_series() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    // Port 9 on loopback: nothing listens there, so the connection is refused.
    // An engine that is not there keeps other tests' containers out of it.
    std::fs::write(
        &config,
        "[[probe]]\nname = \"site\"\nurl = \"http://127.0.0.1:9/health\"\n\
         [[docker]]\nname = \"none\"\nhost = \"unix:///nonexistent/docker.sock\"\n",
    )
    .unwrap();
    let out = opsdeck(&["status", "--json"], &config);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let site = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "site")
        .expect("the probe is a target");
    assert_eq!(site["kind"], "probe");
    assert_eq!(site["health"]["state"], "degraded");
    let reason = site["health"]["reason"].as_str().unwrap();
    assert!(reason.contains("connection failed"), "{reason}");
    assert_eq!(v["series"]["probe:site:up"], 0.0);
    assert_eq!(v["series"]["probe:site:error_ratio"], 1.0);
}

#[test]
fn config_check_locates_alert_rule_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "disable_alerts = [\"HostHighCPU\"]\n\n[[alert]]\nname = \"Cpu\"\nmetric = \"host:cpu\"\nop = \">\"\n\n\
         [[alert]]\nname = \"Api\"\npromql = \"up == 0\"\nprometheus = \"mian\"\n",
    )
    .unwrap();
    let out = opsdeck(&["config", "check"], &path);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("config.toml:1:1:") && text.contains("did you mean \"HostHighCpu\""),
        "{text}"
    );
    assert!(
        text.contains("config.toml:3:1:") && text.contains("threshold is missing"),
        "{text}"
    );
    assert!(
        text.contains("config.toml:8:1:") && text.contains("no [[prometheus]] named \"mian\""),
        "{text}"
    );
}

/// `alerts import` writes TOML that `config check` accepts as it is, and
/// says on stderr what it left out.
#[test]
fn imported_rules_are_a_valid_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let prometheus = "[[prometheus]]\nname = \"main\"\nurl = \"http://127.0.0.1:9090\"\n\n";
    std::fs::write(&path, prometheus).unwrap();
    let rules = fixture("alerts/good.yml");
    let out = opsdeck(
        &[
            "alerts",
            "import",
            rules.to_str().unwrap(),
            "--prometheus",
            "main",
        ],
        &path,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The fixture has a recording rule: left to Prometheus, not a failure.
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("not converted: a recording rule"),
        "{stderr}"
    );
    assert!(
        stdout(&out).contains("name = \"DemoDown\""),
        "{}",
        stdout(&out)
    );
    std::fs::write(&path, format!("{prometheus}{}", stdout(&out))).unwrap();
    let check = opsdeck(&["config", "check"], &path);
    assert!(check.status.success(), "{}", stdout(&check));
}
