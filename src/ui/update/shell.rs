//! `s` and `:exec CMD`: a shell (or CMD) in the selected container. The
//! console only decides what to open; the app loop hands the terminal over
//! for the session and gives the outcome back as `UiEvent::ShellEnded`.

use super::Command;
use crate::action::{Request, Verb};
use crate::console::Model;
use crate::model::{Severity, WorkloadAddr};
use crate::ui::lists;
use crate::ui::state::{UiState, View};

/// A session in the selected container running `command` (empty: the
/// config's `exec_command`, else /bin/sh).
pub fn open(model: &Model, ui: &mut UiState, command: Vec<String>) -> Vec<Command> {
    if model.read_only {
        ui.message = Some((
            "read-only: a shell is an action, and actions are disabled".into(),
            Severity::Warning,
        ));
        return Vec::new();
    }
    if ui.view != View::Containers {
        ui.message = Some((
            "a shell opens in a container: select one in the containers view (3)".into(),
            Severity::Info,
        ));
        return Vec::new();
    }
    let Some(i) = lists::selected_container(model, ui) else {
        ui.message = Some(("no container selected".into(), Severity::Info));
        return Vec::new();
    };
    // A pod by its own address; its containers' list open (Enter) means
    // the first of them, the one it shows on top.
    let request = match &i.pod {
        Some(pod) => Request {
            workload: WorkloadAddr::new(&i.workload.target, &pod.namespace, &i.name),
            verb: Verb::Exec {
                container: ui
                    .pod_containers
                    .as_ref()
                    .and_then(|_| pod.containers.first())
                    .map(|c| c.name.clone()),
                command,
            },
        },
        None => Request {
            workload: i.workload.clone(),
            verb: Verb::Exec {
                container: Some(i.name.clone()),
                command,
            },
        },
    };
    vec![Command::Shell(request)]
}

/// `:exec CMD`: CMD split as a shell splits it.
pub fn command(model: &Model, ui: &mut UiState, line: &str) -> Vec<Command> {
    match shlex::split(line) {
        Some(words) => open(model, ui, words),
        None => {
            ui.message = Some((
                format!(":exec {line}: an unclosed quote; expected a command such as :exec sh -c 'ls /'"),
                Severity::Warning,
            ));
            Vec::new()
        }
    }
}

/// The session is over and the console is back: how it ended.
pub fn ended(ui: &mut UiState, outcome: Result<String, String>) {
    ui.message = Some(match outcome {
        Ok(text) => (text, Severity::Info),
        Err(e) => (e, Severity::Warning),
    });
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{keys, setup};
    use super::*;

    #[test]
    fn s_on_a_container_asks_for_a_shell_in_it_and_read_only_refuses() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "3");
        let i = lists::selected_container(&m, &ui).unwrap().clone();
        let out = keys(&mut m, &mut ui, "s");
        assert_eq!(
            out,
            vec![Command::Shell(Request {
                workload: i.workload.clone(),
                verb: Verb::Exec {
                    container: Some(i.name.clone()),
                    command: vec![],
                },
            })]
        );
        let out = keys(&mut m, &mut ui, ":exec sh -c 'echo  a'\n");
        assert_eq!(
            out,
            vec![Command::Shell(Request {
                workload: i.workload.clone(),
                verb: Verb::Exec {
                    container: Some(i.name),
                    command: vec!["sh".into(), "-c".into(), "echo  a".into()],
                },
            })]
        );
        m.read_only = true;
        assert!(keys(&mut m, &mut ui, "s").is_empty());
        assert!(ui.message.as_ref().unwrap().0.starts_with("read-only"));
    }

    #[test]
    fn s_on_a_pod_asks_for_the_pod_and_with_its_containers_open_the_first() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "3");
        let id = lists::selected_container(&m, &ui).unwrap().id.clone();
        let pod = m
            .inventories
            .iter_mut()
            .flat_map(|(_, inv)| inv.instances.iter_mut())
            .find(|i| i.id == id)
            .unwrap();
        let sidecar = crate::model::PodContainer {
            name: "sidecar".into(),
            ready: true,
            restarts: 0,
            state: "running".into(),
            reason: None,
            last_termination: None,
            requests: Default::default(),
            limits: Default::default(),
            usage: None,
        };
        pod.pod = Some(Box::new(crate::model::PodDetail {
            namespace: "shop".into(),
            containers: vec![sidecar],
            ..Default::default()
        }));
        let (target, name) = (pod.workload.target.clone(), pod.name.clone());
        let want = |container: Option<&str>| {
            vec![Command::Shell(Request {
                workload: WorkloadAddr::new(&target, "shop", &name),
                verb: Verb::Exec {
                    container: container.map(str::to_string),
                    command: vec![],
                },
            })]
        };
        assert_eq!(keys(&mut m, &mut ui, "s"), want(None));
        keys(&mut m, &mut ui, "\n");
        assert!(ui.pod_containers.is_some());
        assert_eq!(keys(&mut m, &mut ui, "s"), want(Some("sidecar")));
    }

    #[test]
    fn s_on_the_workloads_view_still_scales() {
        let (mut m, mut ui) = setup();
        let out = keys(&mut m, &mut ui, "2s");
        assert!(
            !out.iter().any(|c| matches!(c, Command::Shell(_))),
            "{out:?}"
        );
        let out = keys(&mut m, &mut ui, ":exec ls\n");
        assert!(out.is_empty(), "{out:?}");
        assert!(ui.message.as_ref().unwrap().0.contains("containers view"));
    }

    #[test]
    fn the_end_of_a_session_is_said() {
        let (_, mut ui) = setup();
        ended(&mut ui, Err("/bin/sh could not be started".into()));
        assert_eq!(
            ui.message,
            Some(("/bin/sh could not be started".into(), Severity::Warning))
        );
    }
}
