//! `opsdeck exec` against the real Docker engine: a command's output and
//! exit code come through, what is typed is never audited, a FROM-scratch
//! container without a shell is a clear error (not a hang), `--read-only`
//! refuses, and on a terminal (tmux) the shell gets a TTY that follows the
//! window's size.

#[path = "support/actions.rs"]
mod actions;
#[path = "support/images.rs"]
mod images;
#[path = "support/run_bin.rs"]
mod run_bin;
#[path = "support/shell_image.rs"]
mod shell_image;
#[allow(dead_code)] // the other tests use the rest
#[path = "support/tmux.rs"]
mod tmux;

use images::{build_demo_v1, docker, opsdeck_binary, DemoContainer, TEST_LABEL};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");

/// A busybox container, removed when the test ends (a static one would
/// never be dropped, and would outlive the run).
fn shell_container() -> DemoContainer {
    DemoContainer::start_with(&shell_image::build_shell_image(), "exec", &[], &[])
}

/// A config naming no target (so `local` is the engine) and a fresh data dir.
fn env() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let data = dir.path().join("data");
    (dir, config, data)
}

/// Runs opsdeck with `stdin` piped in; a run that does not end within a
/// minute is a hang and fails the test.
fn exec(config: &Path, data: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("OPSDECK_CONFIG", config)
        .env("OPSDECK_DATA_DIR", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running opsdeck");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    run_bin::output_within(
        child,
        Duration::from_secs(60),
        &format!("opsdeck {}", args.join(" ")),
    )
}

fn audit(data: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(data.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_command_runs_its_output_and_exit_code_come_back_and_the_audit_names_it() {
    let c = shell_container();
    let (_dir, config, data) = env();
    let address = format!("local/{}", c.name);
    let out = exec(
        &config,
        &data,
        &[
            "exec",
            &address,
            "--",
            "sh",
            "-c",
            "echo hi-$((6*7)); exit 3",
        ],
        "",
    );
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hi-42\n", "{text}");

    let recs = audit(&data);
    assert_eq!(recs.len(), 2, "an intent and an outcome: {recs:?}");
    assert_eq!(recs[0]["phase"], "intent");
    assert_eq!(recs[0]["verb"], "exec");
    assert_eq!(recs[0]["target"], "local");
    assert_eq!(recs[0]["workload"], format!("local/_/{}", c.name));
    assert_eq!(recs[0]["plan"]["steps"][0]["subject"], c.name.as_str());
    assert!(recs[0]["who"].as_str().unwrap().contains('@'), "{recs:?}");
    assert!(
        recs[0]["request"]
            .as_str()
            .unwrap()
            .contains("sh -c 'echo hi-$((6*7)); exit 3'"),
        "{recs:?}"
    );
    assert_eq!(recs[1]["phase"], "outcome");
    assert_eq!(recs[1]["ok"], false, "exit 3 is not a success: {recs:?}");
    assert!(recs[1]["message"]
        .as_str()
        .unwrap()
        .contains("exited with 3"));
}

#[test]
fn what_is_typed_reaches_the_shell_and_never_the_audit_log() {
    let c = shell_container();
    let (_dir, config, data) = env();
    let address = format!("local/{}", c.name);
    let out = exec(
        &config,
        &data,
        &["exec", &address],
        "echo typed-secret-$((2*3))\nexit 0\n",
    );
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("typed-secret-6"), "{text}");
    assert!(
        text.contains(&format!("exec /bin/sh in container {}", c.name)),
        "where it runs is said: {text}"
    );
    let log = std::fs::read_to_string(data.join("audit.jsonl")).unwrap();
    assert!(log.contains("\"exec /bin/sh\""), "{log}");
    assert!(
        !log.contains("typed-secret"),
        "typed input was audited: {log}"
    );
}

#[test]
fn a_container_without_a_shell_is_a_clear_error_not_a_hang() {
    let image = build_demo_v1(&opsdeck_binary());
    let c = DemoContainer::start(&image, "exec-nosh", &[]);
    let (_dir, config, data) = env();
    let address = format!("local/{}", c.name);
    let out = exec(&config, &data, &["exec", &address], "echo never\n");
    let text = run_bin::text(&out);
    assert_ne!(out.status.code(), Some(0), "{text}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "/bin/sh could not be started in container {}",
            c.name
        )),
        "{text}"
    );
    assert!(stderr.contains("no such file or directory"), "{text}");
    assert!(
        out.stdout.is_empty(),
        "the engine's raw line is not passed on: {text}"
    );
    let recs = audit(&data);
    assert_eq!(recs.last().unwrap()["ok"], false, "{recs:?}");
    assert!(recs.last().unwrap()["error"]
        .as_str()
        .unwrap()
        .contains("could not be started"));
}

#[test]
fn read_only_refuses_and_audits_nothing() {
    let c = shell_container();
    let (_dir, config, data) = env();
    let address = format!("local/{}", c.name);
    let out = exec(
        &config,
        &data,
        &["--read-only", "exec", &address, "--", "touch", "/made"],
        "",
    );
    let text = run_bin::text(&out);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("refused: opsdeck runs read-only"), "{text}");
    assert!(audit(&data).is_empty());
    let made = images::docker_output(&["exec", &c.name, "ls", "/made"]);
    assert!(!made.status.success(), "the command ran: {text}");

    std::fs::write(&config, "read_only = true\n").unwrap();
    let out = exec(&config, &data, &["exec", &address], "");
    assert_eq!(out.status.code(), Some(3), "{}", run_bin::text(&out));
}

#[test]
fn bad_addresses_and_stopped_containers_are_refused_with_reasons() {
    let (_dir, config, data) = env();
    let out = exec(&config, &data, &["exec", "nonsense"], "");
    assert_eq!(out.status.code(), Some(2), "{}", run_bin::text(&out));
    assert!(run_bin::text(&out).contains("TARGET/CONTAINER"));
    let out = exec(
        &config,
        &data,
        &["exec", "local/opsdeck-no-such-container"],
        "",
    );
    assert_eq!(out.status.code(), Some(2), "{}", run_bin::text(&out));
    assert!(run_bin::text(&out).contains("no container named `opsdeck-no-such-container`"));

    let stopped =
        DemoContainer::start_with(&shell_image::build_shell_image(), "exec-stopped", &[], &[]);
    docker(&["kill", &stopped.name]);
    let out = exec(
        &config,
        &data,
        &["exec", &format!("local/{}", stopped.name)],
        "",
    );
    assert_eq!(out.status.code(), Some(2), "{}", run_bin::text(&out));
    assert!(run_bin::text(&out).contains("is not running"));
}

#[test]
fn on_a_terminal_the_shell_has_a_tty_that_follows_the_window() {
    let c = shell_container();
    let (_dir, config, data) = env();
    let command = format!("{BIN} exec local/{}", c.name);
    let t = tmux::Tmux::start(
        "exec-tty",
        100,
        30,
        &command,
        &[("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)],
    );
    t.wait_for("the shell's prompt", Duration::from_secs(30), |s| {
        s.lines().any(|l| l.trim_end() == "/ #")
    });
    t.keys(&["echo hi-$((6*7)); stty size", "Enter"]);
    t.wait_for("the output and the size", Duration::from_secs(10), |s| {
        s.contains("\nhi-42") && s.contains("30 100")
    });
    t.resize(120, 40);
    let screen = t.retype_until(
        "the new size",
        Duration::from_secs(10),
        &["tty; stty size", "Enter"],
        |s| s.contains("40 120"),
    );
    assert!(
        screen.contains("/dev/pts/"),
        "a TTY in the container: {screen}"
    );
    t.keys(&["exit 7", "Enter"]);
    t.wait_for("opsdeck's exit code", Duration::from_secs(10), |s| {
        s.contains("EXITED 7")
    });
}

/// The name on the selected row (NO_COLOR marks it with `>`).
fn selected_row(screen: &str, stamp: &str) -> Option<String> {
    screen
        .lines()
        .find(|l| l.contains('>') && l.contains(stamp) && !l.contains("Containers"))
        .and_then(|l| l.split_whitespace().find(|w| w.contains(stamp)))
        .map(|w| w.trim_start_matches(['┃', '>']).to_string())
}

#[test]
fn the_console_steps_aside_for_a_shell_and_comes_back_where_it_was() {
    let image = shell_image::build_shell_image();
    // Names short enough for the NAME column, so the screen shows them whole.
    let stamp = format!("tui{}", std::process::id());
    let short = |suffix: &str| {
        let name = format!("{stamp}{suffix}");
        let c = DemoContainer {
            name: name.clone(),
            base_url: None,
        };
        let label = format!("{TEST_LABEL}=1");
        docker(&[
            "run", "--detach", "--name", &name, "--label", &label, &image,
        ]);
        c
    };
    let a = short("a");
    let b = short("b");
    let (_dir, config, data) = env();
    let t = tmux::Tmux::start(
        "exec-console",
        120,
        36,
        BIN,
        &[
            ("OPSDECK_CONFIG", &config),
            ("OPSDECK_DATA_DIR", &data),
            ("NO_COLOR", Path::new("1")),
        ],
    );
    t.keys(&["3"]);
    t.wait_for("the containers view", Duration::from_secs(30), |s| {
        s.contains(&a.name) && s.contains(&b.name)
    });
    t.keys(&["/"]);
    t.keys(&[&stamp]);
    t.keys(&["Enter"]);
    t.wait_for("both containers listed", Duration::from_secs(30), |s| {
        s.contains(&a.name) && s.contains(&b.name) && s.contains(&format!("/2 /{stamp}"))
    });
    t.keys(&["j"]);
    let before = t.wait_for("the second row selected", Duration::from_secs(10), |s| {
        s.lines()
            .filter(|l| l.contains(&stamp) && !l.contains("Containers"))
            .nth(1)
            .is_some_and(|l| l.contains('>'))
    });
    let chosen = selected_row(&before, &stamp).unwrap();
    let id = docker(&["inspect", "--format", "{{.Id}}", &chosen]);

    t.keys(&["s"]);
    t.wait_for("the shell's prompt", Duration::from_secs(30), |s| {
        s.lines().any(|l| l.trim_end() == "/ #")
    });
    assert!(!t.alternate_on(), "the console left the alternate screen");
    t.keys(&["echo hi-$((6*7)); hostname; stty size", "Enter"]);
    t.wait_for(
        "the output in the selected container",
        Duration::from_secs(10),
        |s| s.contains("\nhi-42") && s.contains(&id[..12]) && s.contains("36 120"),
    );
    t.resize(100, 30);
    t.retype_until(
        "the new size",
        Duration::from_secs(10),
        &["stty size", "Enter"],
        |s| s.contains("30 100"),
    );
    t.keys(&["exit", "Enter"]);
    let back = t.wait_for("the console back", Duration::from_secs(10), |s| {
        s.contains(&format!("/bin/sh in {chosen} exited with 0"))
    });
    assert!(
        t.alternate_on(),
        "the console is on the alternate screen again"
    );
    assert!(
        back.contains("Containers 2/"),
        "the same view and filter: {back}"
    );
    assert_eq!(
        selected_row(&back, &stamp).as_deref(),
        Some(chosen.as_str()),
        "the same row selected: {back}"
    );
    let log = std::fs::read_to_string(data.join("audit.jsonl")).unwrap();
    assert!(log.contains(&format!("\"subject\":\"{chosen}\"")), "{log}");
    assert!(
        !log.contains("hi-$((6*7))"),
        "typed input was audited: {log}"
    );

    // Keys reach the console again, and a command that is not there is said.
    t.keys(&[":exec /nope", "Enter"]);
    t.wait_for("the error", Duration::from_secs(30), |s| {
        s.contains("/nope could not be started in container")
    });
    t.keys(&["q"]);
    t.wait_for("the console quits", Duration::from_secs(10), |s| {
        s.contains("EXITED 0")
    });
}

#[test]
fn a_compose_service_means_its_first_running_replica_unless_c_names_one() {
    let p = actions::Project::up("exec", &shell_image::build_shell_image(), 2);
    let names = docker(&[
        "ps",
        "--filter",
        &format!("label=com.docker.compose.project={}", p.name),
        "--format",
        "{{.Label \"com.docker.compose.container-number\"}} {{.Names}} {{.ID}}",
    ]);
    let mut replicas: Vec<(u32, String, String)> = names
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[0].parse().unwrap(), f[1].to_string(), f[2].to_string())
        })
        .collect();
    replicas.sort();
    assert_eq!(replicas.len(), 2, "{names}");

    let out = p.opsdeck(&["exec", &p.workload(), "--", "hostname"]);
    assert_eq!(out.status.code(), Some(0), "{}", run_bin::text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        replicas[0].2,
        "replica 1: {}",
        run_bin::text(&out)
    );
    let out = p.opsdeck(&[
        "exec",
        &p.workload(),
        "-c",
        &replicas[1].1,
        "--",
        "hostname",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", run_bin::text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), replicas[1].2);
}
