//! The real binary in a real terminal (tmux): it shows the host panes, answers
//! keys, and always gives the terminal back: on q, on SIGTERM, SIGHUP and panic.

mod support;

use std::path::PathBuf;
use std::time::Duration;
use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_opsdeck");

fn config_dir(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(format!("{name}.toml"));
    std::fs::write(&config, "refresh = \"1s\"\n").unwrap();
    (dir, config)
}

fn start(name: &str, extra_env: &[(&str, &std::path::Path)]) -> (Tmux, tempfile::TempDir) {
    let (dir, config) = config_dir(name);
    let data = dir.path().join("data");
    let mut env: Vec<(&str, &std::path::Path)> =
        vec![("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)];
    env.extend_from_slice(extra_env);
    let t = Tmux::start(name, 80, 24, BIN, &env);
    t.wait_for("host panes", Duration::from_secs(20), |s| {
        s.contains("total") && s.contains("mem ") && s.contains("Disks")
    });
    assert!(
        t.alternate_on(),
        "the console should run on the alternate screen"
    );
    (t, dir)
}

fn opsdeck_pid(t: &Tmux) -> String {
    let out = std::process::Command::new("pgrep")
        .args(["-P", &t.pane_pid().to_string(), "-x", "opsdeck"])
        .output()
        .unwrap();
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        !pid.is_empty(),
        "opsdeck process not found under the tmux pane"
    );
    pid
}

fn assert_restored(t: &Tmux, code: &str) {
    let screen = t.wait_for("the process to end", Duration::from_secs(10), |s| {
        s.contains("EXITED")
    });
    assert!(screen.contains(&format!("EXITED {code}")), "{screen}");
    assert!(
        !t.alternate_on(),
        "terminal left on the alternate screen:\n{screen}"
    );
}

#[test]
fn shows_host_panes_help_and_quits_cleanly() {
    let (t, _dir) = start("quit", &[]);
    t.keys(&["?"]);
    t.wait_for("help", Duration::from_secs(5), |s| {
        s.contains("Keys") && s.contains("show or hide this help")
    });
    t.keys(&["Escape"]);
    t.wait_for("help to close", Duration::from_secs(5), |s| {
        !s.contains("show or hide this help")
    });
    // A resize redraws the whole frame at the new size, with no leftovers.
    t.resize(120, 36);
    let screen = t.wait_for("the resized frame", Duration::from_secs(5), |s| {
        s.lines()
            .nth(1)
            .is_some_and(|l| l.chars().count() == 120 && l.ends_with('┐'))
    });
    assert_eq!(
        screen.lines().filter(|l| l.contains("Disks")).count(),
        1,
        "{screen}"
    );
    t.keys(&[":", "theme light", "Enter"]);
    t.wait_for("theme switch", Duration::from_secs(5), |s| {
        s.contains("theme light")
    });
    // The number keys switch views; the tables draw their headers even empty.
    t.keys(&["2"]);
    t.wait_for("the workloads view", Duration::from_secs(5), |s| {
        s.contains("WORKLOAD") && s.contains("READY") && !s.contains("Disks")
    });
    t.keys(&["4"]);
    t.wait_for("the events view", Duration::from_secs(5), |s| {
        s.contains("ACTION") && s.contains("DETAIL")
    });
    t.keys(&["1"]);
    t.wait_for("the overview again", Duration::from_secs(5), |s| {
        s.contains("Disks")
    });
    t.keys(&["q"]);
    assert_restored(&t, "0");
}

#[test]
fn sigterm_restores_the_terminal() {
    let (t, _dir) = start("term", &[]);
    let pid = opsdeck_pid(&t);
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    assert_restored(&t, "0");
}

#[test]
fn sighup_restores_the_terminal() {
    let (t, _dir) = start("hup", &[]);
    let pid = opsdeck_pid(&t);
    assert!(std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap()
        .success());
    assert_restored(&t, "0");
}

#[test]
fn a_panic_restores_the_terminal_and_reports() {
    let (t, _dir) = start(
        "panic",
        &[("OPSDECK_TEST_PANIC_AFTER_MS", std::path::Path::new("1500"))],
    );
    t.wait_for("the panic report", Duration::from_secs(10), |s| {
        s.contains("EXITED")
    });
    let screen = t.history();
    assert!(screen.contains("EXITED 101"), "{screen}");
    assert!(screen.contains("test panic requested"), "{screen}");
    assert!(!t.alternate_on());
}

/// The console evaluates its rules on the clock: a probe of a closed port
/// fires a `for = 0` rule, shown in the alerts view (key 5) with its runbook,
/// and acknowledged there with a note.
#[test]
fn the_alerts_view_shows_a_rule_firing_in_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("alerts-view.toml");
    // Port 1 on loopback is closed: every probe fails at once.
    std::fs::write(
        &config,
        "refresh = \"1s\"\n[[probe]]\nname = \"site\"\nurl = \"http://127.0.0.1:1/health\"\ninterval = \"1s\"\n\
         [[alert]]\nname = \"SiteDown\"\nmetric = \"probe:site:up\"\nop = \"<\"\nthreshold = 1\n\
         severity = \"critical\"\nrunbook = \"site-down\"\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let env: Vec<(&str, &std::path::Path)> =
        vec![("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)];
    let t = Tmux::start("alerts-view", 80, 24, BIN, &env);
    t.wait_for("the console", Duration::from_secs(20), |s| {
        s.contains("Disks")
    });
    t.keys(&["5"]);
    let screen = t.wait_for("SiteDown firing", Duration::from_secs(30), |s| {
        s.lines()
            .any(|l| l.contains("SiteDown") && l.contains("firing") && l.contains("site-do"))
    });
    assert!(screen.contains("5 Alerts"), "{screen}");
    t.keys(&["Enter"]);
    // site-down needs the alert's `workload` label, which a probe's alert
    // lacks: the console does not guess, it puts the command on the command
    // line with the missing param for the engineer to fill in. Esc leaves it
    // without starting anything.
    t.wait_for(
        "the runbook asking for its param",
        Duration::from_secs(10),
        |s| s.contains(":runbook site-down workload="),
    );
    t.keys(&["Escape"]);
    t.wait_for("the command line closed", Duration::from_secs(5), |s| {
        !s.contains(":runbook site-down")
    });
    // `a` acknowledges it with a note: marked in the list, kept on disk.
    t.keys(&["a"]);
    t.keys(&["-l", "on it"]);
    t.keys(&["Enter"]);
    t.wait_for("the ack", Duration::from_secs(5), |s| {
        s.contains("acknowledged by")
            && s.lines()
                .any(|l| l.contains("SiteDown") && l.contains(" ack "))
    });
    let acks = std::fs::read_to_string(data.join("acks.jsonl")).unwrap();
    let ack: serde_json::Value = serde_json::from_str(acks.trim()).unwrap();
    assert_eq!(
        (ack["rule"].as_str(), ack["note"].as_str()),
        (Some("SiteDown"), Some("on it"))
    );
    assert_eq!(ack["state"], "firing");
    // The same probe is a service in the metrics view, failing, with the reason.
    t.keys(&["6"]);
    t.wait_for(
        "the probe as a failing service",
        Duration::from_secs(10),
        |s| {
            s.contains("6 Metrics")
                && s.lines()
                    .any(|l| l.contains("site") && l.contains("100%") && l.contains("probe site"))
        },
    );
    t.keys(&["q"]);
    assert_restored(&t, "0");
}

/// Eight targets at 80 columns: the header leads with the degraded ones and
/// says how many did not fit; `T` lists every one with its reason.
#[test]
fn the_header_hides_nothing_degraded_and_t_lists_every_target() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("targets.toml");
    let mut text = String::from("refresh = \"1s\"\n");
    for (i, name) in ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
        .iter()
        .enumerate()
    {
        // Port 1 on loopback is closed: the odd ones are refused at once.
        let url = if i % 2 == 1 {
            "http://127.0.0.1:1/health".to_string()
        } else {
            "http://127.0.0.1:1/metrics-never".to_string()
        };
        text.push_str(&format!(
            "[[probe]]\nname = \"{name}\"\nurl = \"{url}\"\ninterval = \"1s\"\n"
        ));
    }
    std::fs::write(&config, text).unwrap();
    let data = dir.path().join("data");
    let env: Vec<(&str, &std::path::Path)> =
        vec![("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)];
    let t = Tmux::start("targets", 80, 24, BIN, &env);
    let screen = t.wait_for("the header's count", Duration::from_secs(30), |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.contains("more (") && l.contains("degraded)"))
    });
    let header = screen.lines().next().unwrap();
    assert!(header.contains("▲"), "{header}");
    t.keys(&["T"]);
    let screen = t.wait_for("the targets list", Duration::from_secs(10), |s| {
        s.contains("Targets: ") && s.matches("▲ degraded").count() >= 6
    });
    assert!(
        screen
            .lines()
            .any(|l| l.contains("foxtrot") && l.contains(" probe ") && l.contains("1/health: ")),
        "{screen}"
    );
    t.keys(&["Escape"]);
    t.wait_for("the list closed", Duration::from_secs(5), |s| {
        !s.contains("Targets: ")
    });
}

#[test]
fn a_linux_console_gets_ascii_and_read_only_from_the_config_shows() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bastion.toml");
    std::fs::write(&config, "refresh = \"1s\"\nread_only = true\n").unwrap();
    let data = dir.path().join("data");
    // Set on the command line: tmux sets the pane's own TERM over `-e`.
    let t = Tmux::start(
        "bastion",
        80,
        24,
        &format!("TERM=linux {BIN}"),
        &[("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)],
    );
    let screen = t.wait_for("the ASCII console", Duration::from_secs(20), |s| {
        s.contains("Disks") && s.contains("READ-ONLY")
    });
    assert!(
        screen.lines().next().unwrap().contains("READ-ONLY"),
        "{screen}"
    );
    assert!(screen.is_ascii(), "TERM=linux draws ASCII only:\n{screen}");
    assert!(screen.contains("+ Disks -"), "{screen}");
    // A theme switched to keeps the terminal's glyphs.
    t.keys(&[":", "theme light", "Enter"]);
    let screen = t.wait_for("theme switch", Duration::from_secs(5), |s| {
        s.contains("theme light")
    });
    assert!(screen.is_ascii(), "{screen}");
    t.keys(&["q"]);
    assert_restored(&t, "0");
}
