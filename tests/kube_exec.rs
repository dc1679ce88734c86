//! The test API server's `pods/exec` over WebSocket, proved with the real
//! kubectl (which speaks `v5.channel.k8s.io`): a command's output and exit
//! code, stdin, a command that is not there, and `kubectl exec -it` on a
//! terminal (tmux) with a TTY that follows the window.

#[path = "support/kube_cluster.rs"]
mod kube_cluster;
#[path = "support/run_bin.rs"]
mod run_bin;
#[allow(dead_code)] // the other tests use the rest
#[path = "support/tmux.rs"]
mod tmux;

use kube_cluster::{fast_config, kubectl_path, TestCluster};
use run_bin::text;
use std::io::Write as _;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: box
spec:
  containers:
  - name: main
    image: busybox:1
";

async fn with_pod() -> TestCluster {
    let k = TestCluster::start(fast_config()).await;
    let path = k.path("pod.yaml");
    std::fs::write(&path, POD).unwrap();
    k.ok(&["apply", "-f", path.to_str().unwrap()]).await;
    // A command runs only in a running pod (opsdeck checks, as the kubelet would).
    k.ok(&["wait", "--for=condition=Ready", "pod/box", "--timeout=30s"])
        .await;
    k
}

/// kubectl with `stdin` piped in; its exit code matters here.
fn kubectl(k: &TestCluster, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(kubectl_path())
        .args(args)
        .env("KUBECONFIG", &k.kubeconfig)
        .env("KUBECACHEDIR", k.path("cache"))
        .env("HOME", k.path(""))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kubectl");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    run_bin::output_within(
        child,
        Duration::from_secs(60),
        &format!("kubectl {}", args.join(" ")),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_exec_runs_a_command_with_its_output_input_and_exit_code() {
    let k = with_pod().await;
    let k = tokio::task::spawn_blocking(move || {
        let out = kubectl(
            &k,
            &[
                "exec",
                "box",
                "--",
                "sh",
                "-c",
                "echo hi-$((6*7)); echo oops >&2; exit 3",
            ],
            "",
        );
        assert_eq!(out.status.code(), Some(3), "{}", text(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "hi-42\n",
            "{}",
            text(&out)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("oops"),
            "{}",
            text(&out)
        );

        let out = kubectl(
            &k,
            &[
                "exec",
                "-i",
                "box",
                "-c",
                "main",
                "--",
                "sh",
                "-c",
                "read l; echo got-$l",
            ],
            "typed\n",
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "got-typed\n",
            "{}",
            text(&out)
        );

        let out = kubectl(&k, &["exec", "box", "--", "/opsdeck-no-such-command"], "");
        assert_ne!(out.status.code(), Some(0), "{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("/opsdeck-no-such-command"),
            "{}",
            text(&out)
        );

        let out = kubectl(&k, &["exec", "nobox", "--", "true"], "");
        assert_ne!(out.status.code(), Some(0), "{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("not found"),
            "{}",
            text(&out)
        );
        k
    })
    .await
    .unwrap();
    drop(k);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_exec_it_gets_a_tty_that_follows_the_window() {
    let k = with_pod().await;
    let command = format!(
        "KUBECACHEDIR={} HOME={} {} exec -it box -- sh",
        k.path("cache").display(),
        k.path("").display(),
        kubectl_path().display()
    );
    let t = tmux::Tmux::start(
        "kube-exec-it",
        100,
        30,
        &command,
        &[("KUBECONFIG", &k.kubeconfig)],
    );
    let t = tokio::task::spawn_blocking(move || {
        t.wait_for("a prompt", Duration::from_secs(30), |s| {
            s.contains('$') || s.contains('#')
        });
        t.keys(&["echo hi-$((6*7)); tty; stty size", "Enter"]);
        t.wait_for(
            "the output on a TTY of the window's size",
            Duration::from_secs(10),
            |s| s.contains("\nhi-42") && s.contains("/dev/pts/") && s.contains("30 100"),
        );
        t.resize(120, 40);
        t.retype_until(
            "the new size",
            Duration::from_secs(10),
            &["stty size", "Enter"],
            |s| s.contains("40 120"),
        );
        t.keys(&["exit 4", "Enter"]);
        t.wait_for("kubectl's exit code", Duration::from_secs(10), |s| {
            s.contains("EXITED 4")
        });
        t
    })
    .await
    .unwrap();
    drop((t, k));
}

/// opsdeck with the cluster as its `[[kubernetes]]` target `test`.
fn opsdeck(k: &TestCluster, args: &[&str], stdin: &str) -> Output {
    let config = k.write_opsdeck_config(&k.path(""));
    let mut child = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(args)
        .env("OPSDECK_CONFIG", &config)
        .env("OPSDECK_DATA_DIR", k.path("data"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run opsdeck");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opsdeck_exec_runs_in_a_pod_audited_and_refused_read_only() {
    let k = with_pod().await;
    let k = tokio::task::spawn_blocking(move || {
        let out = opsdeck(
            &k,
            &[
                "exec",
                "test/default/box",
                "--",
                "sh",
                "-c",
                "echo hi-$((6*7)); echo oops >&2; exit 3",
            ],
            "",
        );
        assert_eq!(out.status.code(), Some(3), "{}", text(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "hi-42\n",
            "{}",
            text(&out)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("oops"),
            "{}",
            text(&out)
        );

        let out = opsdeck(
            &k,
            &["exec", "test/default/box", "-c", "main"],
            "echo typed-$((2*3))\n",
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("typed-6"),
            "{}",
            text(&out)
        );

        let out = opsdeck(
            &k,
            &["exec", "test/default/box", "--", "/opsdeck-no-such-command"],
            "",
        );
        assert_ne!(out.status.code(), Some(0), "{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("/opsdeck-no-such-command could not be started in pod default/box"),
            "{}",
            text(&out)
        );

        let out = opsdeck(&k, &["exec", "test/default/nobox"], "");
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("no pod default/nobox"),
            "{}",
            text(&out)
        );

        let audit = std::fs::read_to_string(k.path("data").join("audit.jsonl")).unwrap();
        let records: Vec<serde_json::Value> = audit
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            records.len(),
            6,
            "intent and outcome of three sessions: {audit}"
        );
        assert_eq!(records[0]["verb"], "exec");
        assert_eq!(records[0]["workload"], "test/default/box");
        assert_eq!(records[1]["ok"], false);
        assert_eq!(
            records[2]["plan"]["steps"][0]["subject"],
            "default/box container main"
        );
        assert!(
            !audit.contains("typed-"),
            "typed input was audited: {audit}"
        );

        let out = opsdeck(
            &k,
            &["--read-only", "exec", "test/default/box", "--", "true"],
            "",
        );
        assert_eq!(out.status.code(), Some(3), "{}", text(&out));
        let again = std::fs::read_to_string(k.path("data").join("audit.jsonl")).unwrap();
        assert_eq!(again, audit, "a refusal audits nothing");
        k
    })
    .await
    .unwrap();
    drop(k);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opsdeck_exec_on_a_terminal_gets_a_tty_that_follows_the_window() {
    let k = with_pod().await;
    let config = k.write_opsdeck_config(&k.path(""));
    let data = k.path("data");
    let command = format!("{} exec test/default/box", env!("CARGO_BIN_EXE_opsdeck"));
    let t = tmux::Tmux::start(
        "kube-opsdeck-exec",
        100,
        30,
        &command,
        &[("OPSDECK_CONFIG", &config), ("OPSDECK_DATA_DIR", &data)],
    );
    let t = tokio::task::spawn_blocking(move || {
        t.wait_for("a prompt", Duration::from_secs(30), |s| {
            s.contains("# ")
                || s.contains("$ ")
                || s.lines().any(|l| l.ends_with('#') || l.ends_with('$'))
        });
        t.keys(&["echo hi-$((6*7)); tty; stty size", "Enter"]);
        t.wait_for(
            "the output on a TTY of the window's size",
            Duration::from_secs(10),
            |s| s.contains("\nhi-42") && s.contains("/dev/pts/") && s.contains("30 100"),
        );
        t.resize(120, 40);
        t.retype_until(
            "the new size",
            Duration::from_secs(10),
            &["stty size", "Enter"],
            |s| s.contains("40 120"),
        );
        t.keys(&["exit 4", "Enter"]);
        t.wait_for("opsdeck's exit code", Duration::from_secs(10), |s| {
            s.contains("EXITED 4")
        });
        t
    })
    .await
    .unwrap();
    drop((t, k));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s_on_a_pod_in_the_console_opens_a_shell_and_comes_back() {
    let k = with_pod().await;
    let config = k.write_opsdeck_config(&k.path(""));
    let data = k.path("data");
    let t = tmux::Tmux::start(
        "kube-console-exec",
        120,
        36,
        env!("CARGO_BIN_EXE_opsdeck"),
        &[
            ("OPSDECK_CONFIG", &config),
            ("OPSDECK_DATA_DIR", &data),
            ("NO_COLOR", std::path::Path::new("1")),
        ],
    );
    let t = tokio::task::spawn_blocking(move || {
        t.wait_for("the console", Duration::from_secs(30), |s| {
            s.contains("opsdeck")
        });
        t.keys(&["3"]);
        t.wait_for("the pod listed", Duration::from_secs(30), |s| {
            s.contains(" box ")
        });
        t.keys(&["/", "box", "Enter"]);
        t.wait_for("the pod selected", Duration::from_secs(10), |s| {
            s.lines().any(|l| l.contains("> box"))
        });
        t.keys(&["s"]);
        t.wait_for("the shell", Duration::from_secs(30), |s| {
            s.contains("opsdeck: exec /bin/sh in pod default/box (test/default/box)")
        });
        assert!(!t.alternate_on(), "the console left the alternate screen");
        t.keys(&["echo hi-$((6*7)); stty size", "Enter"]);
        t.wait_for(
            "the output on a TTY of the window's size",
            Duration::from_secs(10),
            |s| s.contains("\nhi-42") && s.contains("36 120"),
        );
        t.keys(&["exit", "Enter"]);
        let back = t.wait_for("the console back", Duration::from_secs(10), |s| {
            s.contains("/bin/sh in default/box exited with 0")
        });
        assert!(
            t.alternate_on(),
            "the console is back on the alternate screen"
        );
        assert!(
            back.lines().any(|l| l.contains("> box")),
            "the pod still selected: {back}"
        );
        t.keys(&["q"]);
        t.wait_for("the console quits", Duration::from_secs(10), |s| {
            s.contains("EXITED 0")
        });
        t
    })
    .await
    .unwrap();
    drop((t, k));
}
