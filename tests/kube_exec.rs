//! The test API server's `pods/exec` over WebSocket, proved with the real
//! kubectl (which speaks `v5.channel.k8s.io`): a command's output and exit
//! code, stdin, a command that is not there, and `kubectl exec -it` on a
//! terminal (tmux) with a TTY that follows the window.

#[path = "support/kube_cluster.rs"]
mod kube_cluster;
#[allow(dead_code)] // the other tests use the rest
#[path = "support/tmux.rs"]
mod tmux;

use kube_cluster::{fast_config, kubectl_path, TestCluster};
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
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
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
        t.keys(&["stty size", "Enter"]);
        t.wait_for("the new size", Duration::from_secs(10), |s| {
            s.contains("40 120")
        });
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
