//! The headless runbook runner on a real terminal (tmux) with the real
//! binary: questions asked and answers refused, notes acknowledged, a halted
//! step skipped, and a Compose action confirmed, declined, undone by
//! `on_failure = rollback`, or refused because the world changed under the prompt.

#[path = "support/images.rs"]
mod images;
#[path = "support/run_bin.rs"]
mod run_bin;

#[path = "support/actions.rs"]
mod actions;

#[path = "support/runbook_env.rs"]
mod runbook_env;

#[path = "support/tmux.rs"]
#[allow(dead_code)] // the console tests use the rest of it
mod tmux;

use actions::*;
use runbook_env::*;
use std::time::Duration;

#[test]
fn on_a_terminal_the_runner_asks_refuses_bad_input_and_offers_retry_skip_abort() {
    let env = Env::new();
    let config = env.dir.path().join("opsdeck.toml");
    let data = env.data();
    let command = format!("{} runbook run test-ask", env!("CARGO_BIN_EXE_opsdeck"));
    let t = tmux::Tmux::start(
        "runbooks-ask",
        100,
        40,
        &command,
        &[("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)],
    );
    let wait = Duration::from_secs(20);
    t.wait_for("the input prompt", wait, |s| {
        s.contains("How many replicas?")
    });
    t.keys(&["many", "Enter"]);
    t.wait_for("the refusal and the prompt again", wait, |s| {
        s.contains("not a valid int") && s.matches("How many replicas?").count() >= 3
    });
    t.keys(&["3", "Enter"]);
    t.wait_for("the note", wait, |s| {
        s.contains("Chosen: 3 replicas") && s.contains("press Enter when done")
    });
    t.keys(&["Enter"]);
    t.wait_for("retry, skip or abort", wait, |s| {
        s.contains("[r]etry, [s]kip or [a]bort?")
    });
    t.keys(&["s", "Enter"]);
    t.wait_for("the last note", wait, |s| {
        s.contains("The closed port was skipped")
    });
    t.keys(&["Enter"]);
    let screen = t.wait_for("the end", wait, |s| s.contains("EXITED"));
    // A failed check skipped by hand is a problem the outcome names, and the
    // exit code says so.
    assert!(
        screen.contains("outcome: completed with problems: `closed` was skipped"),
        "{screen}"
    );
    assert!(screen.contains("EXITED 1"), "{screen}");
}

/// Runs `runbook run test-scale-undo` for `p` in tmux and answers each
/// confirmation in turn; returns the final screen.
fn scale_undo_on_a_terminal(
    p: &Project,
    replicas: u32,
    answers: &[&str],
    before_answer: impl Fn(usize),
) -> String {
    std::fs::write(
        &p.config,
        format!(
            "runbook_dirs = [{:?}]\n\n[[docker]]\nname = \"local\"\n",
            fixtures("run")
        ),
    )
    .unwrap();
    let command = format!(
        "{} runbook run test-scale-undo --param workload={} --param replicas={replicas}",
        env!("CARGO_BIN_EXE_opsdeck"),
        p.workload()
    );
    let t = tmux::Tmux::start(
        "runbooks-scale",
        250,
        60,
        &command,
        &[("OPSDECK_CONFIG", &p.config), ("OPSDECK_DATA_DIR", &p.data)],
    );
    let wait = Duration::from_secs(120);
    for (n, answer) in answers.iter().enumerate() {
        t.wait_for("a confirmation", wait, |s| s.matches("? [y/N]").count() > n);
        before_answer(n);
        t.keys(&[answer, "Enter"]);
    }
    let halted = "[r]etry, [s]kip or [a]bort?";
    let screen = t.wait_for("the end", wait, |s| {
        s.contains("EXITED") || s.contains(halted)
    });
    if screen.contains("EXITED") {
        return screen;
    }
    t.keys(&["a", "Enter"]);
    t.wait_for("the end", wait, |s| s.contains("EXITED"))
}

#[test]
fn an_action_is_confirmed_on_the_terminal_and_undone_when_a_later_step_fails() {
    let (_tags, v1, _, _) = images("runbooks-scale");
    let p = Project::up("runbooks-scale", &v1, 1);
    let w = p.workload();

    // No: nothing is scaled, nothing audited; the failing check has nothing to undo.
    let screen = scale_undo_on_a_terminal(&p, 2, &["n"], |_| {});
    assert!(
        screen.contains(&format!("apply scale {w} to 2? [y/N]")),
        "{screen}"
    );
    assert!(screen.contains("declined; nothing changed"), "{screen}");
    assert!(screen.contains("EXITED 1"), "{screen}");
    assert_eq!(p.ids().len(), 1, "{}", p.compose(&["ps"]));
    assert!(p.audit().is_empty(), "{}", p.audit_text());

    // Yes, then yes to the undo the rollback proposes: 1 → 2 → 1.
    let screen = scale_undo_on_a_terminal(&p, 2, &["y", "y"], |_| {});
    assert!(
        screen.contains(&format!("undo scale {w} to 1? [y/N]")),
        "{screen}"
    );
    assert!(screen.contains("outcome: rolled back"), "{screen}");
    assert!(screen.contains("EXITED 1"), "{screen}");
    assert_eq!(p.ids().len(), 1, "{}", p.compose(&["ps"]));
    let verbs: Vec<String> = p
        .audit()
        .iter()
        .map(|r| format!("{} {} {}", r["verb"], r["phase"], r["ok"]))
        .collect();
    assert_eq!(verbs.len(), 4, "{}", p.audit_text());
    assert!(
        verbs.iter().all(|v| v.starts_with("\"scale\"")),
        "{verbs:?}"
    );
    assert_eq!(p.audit()[1]["ok"], true, "{}", p.audit_text());
    assert_eq!(p.audit()[3]["ok"], true, "{}", p.audit_text());

    // The world changes between the plan shown and the answer: what was
    // confirmed is no longer what would run, so nothing runs (the step
    // halts and the test aborts it).
    let screen = scale_undo_on_a_terminal(&p, 3, &["y"], |_| {
        p.compose(&["up", "-d", "--scale", "api=2"]);
    });
    assert!(
        screen.contains(&format!("apply scale {w} to 3? [y/N]")),
        "{screen}"
    );
    assert!(
        screen.contains("the plan changed since it was confirmed"),
        "{screen}"
    );
    assert!(screen.contains("EXITED 1"), "{screen}");
    assert_eq!(p.ids().len(), 2, "{}", p.compose(&["ps"]));
    assert_eq!(p.audit().len(), 4, "{}", p.audit_text());
}

/// The same runbook in the console's runbook view, driven by keys: typed
/// input (refused once), a note, a halted step skipped, the report written.
#[test]
fn the_console_runs_a_runbook_with_keys_and_writes_its_report() {
    let env = Env::new();
    let config = env.dir.path().join("opsdeck.toml");
    let data = env.data();
    let t = tmux::Tmux::start(
        "runbooks-console",
        120,
        36,
        env!("CARGO_BIN_EXE_opsdeck"),
        &[("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)],
    );
    let wait = Duration::from_secs(20);
    t.wait_for("the console", wait, |s| s.contains("Overview"));
    t.keys(&[":runbook test-ask", "Enter"]);
    t.wait_for("the input question", wait, |s| {
        s.contains("test-ask · running") && s.contains("How many replicas?") && s.contains("> _")
    });
    t.keys(&["many", "Enter"]);
    t.wait_for("the refusal, asked again", wait, |s| {
        s.contains("not a valid int") && s.contains("> _")
    });
    t.keys(&["3", "Enter"]);
    t.wait_for("the note", wait, |s| {
        s.contains("Chosen: 3 replicas") && s.contains("y or Enter continues")
    });
    t.keys(&["y"]);
    t.wait_for("the halted step", wait, |s| {
        s.contains("step closed failed") && s.contains("r retry · s skip")
    });
    t.keys(&["s"]);
    t.wait_for("the last note", wait, |s| {
        s.contains("The closed port was skipped")
    });
    t.keys(&["Enter"]);
    t.wait_for("the outcome", wait, |s| s.contains("outcome: completed"));
    t.keys(&["w"]);
    let screen = t.wait_for("the report", wait, |s| s.contains("report written to"));
    let reports: Vec<_> = std::fs::read_dir(data.join("runs"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    assert_eq!(reports.len(), 1, "{screen}");
    let report = std::fs::read_to_string(&reports[0]).unwrap();
    assert!(
        report.contains("Ask the person at the terminal"),
        "{report}"
    );
    assert!(report.contains("skipped"), "{report}");
    t.keys(&["q"]);
}
