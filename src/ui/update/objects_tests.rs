use super::super::testkit::{keys, setup};
use super::super::{update, Command, UiEvent};
use crate::action::Verb;
use crate::console::Event;
use crate::model::kube::PodDetail;
use crate::model::LogLine;
use crate::ui::lists;
use crate::ui::state::View;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn ctrl(
    m: &mut crate::console::Model,
    ui: &mut crate::ui::state::UiState,
    c: char,
) -> Vec<Command> {
    update(
        m,
        ui,
        UiEvent::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

fn doc(n: usize) -> Vec<LogLine> {
    (0..n)
        .map(|i| LogLine {
            at_nanos: 0,
            instance: String::new(),
            stderr: false,
            text: if i == 40 {
                "  Env DB_PASSWORD: ***".into()
            } else {
                format!("line {i}")
            },
        })
        .collect()
}

#[test]
fn d_describes_the_selected_workload_in_the_logs_view_from_its_top() {
    let (mut m, mut ui) = setup();
    let out = keys(&mut m, &mut ui, "2/\x1b/shop/api\nd");
    let stream = match out.as_slice() {
        [Command::Describe {
            stream,
            address,
            raw: false,
        }] => {
            assert_eq!(address, "local/shop/api");
            *stream
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(ui.view, View::Logs);
    assert!(ui
        .logs
        .as_ref()
        .unwrap()
        .title
        .starts_with("Describe local/shop/api"));
    update(
        &mut m,
        &mut ui,
        UiEvent::from(Event::Logs {
            stream,
            lines: doc(100),
        }),
    );
    let l = ui.logs.as_ref().unwrap();
    assert_eq!(l.bottom(), Some(19), "the first page shows, not the last");
    // The logs view's search works on it; f, t and p do not apply.
    keys(&mut m, &mut ui, "/password\nftp");
    let l = ui.logs.as_ref().unwrap();
    assert_eq!(l.current, Some(40));
    assert!(!l.follow && !l.timestamps && !l.previous);
    assert_eq!(
        keys(&mut m, &mut ui, "\x1b"),
        vec![Command::CloseLogs { stream }]
    );
    assert_eq!(ui.view, View::Workloads);
}

#[test]
fn y_on_a_container_asks_for_it_raw_and_a_pod_by_its_namespace() {
    let (mut m, mut ui) = setup();
    keys(&mut m, &mut ui, "3");
    let name = lists::selected_container(&m, &ui).unwrap().name.clone();
    match keys(&mut m, &mut ui, "y").as_slice() {
        [Command::Describe {
            address, raw: true, ..
        }] => {
            assert_eq!(*address, format!("local/_/{name}"))
        }
        other => panic!("{other:?}"),
    }
    keys(&mut m, &mut ui, "\x1b");
    make_pod(&mut m, &name);
    match keys(&mut m, &mut ui, "d").as_slice() {
        [Command::Describe { address, .. }] => {
            assert_eq!(*address, format!("local/shop/pod/{name}"))
        }
        other => panic!("{other:?}"),
    }
}

fn make_pod(m: &mut crate::console::Model, name: &str) {
    for (_, inv) in m.inventories.iter_mut() {
        for i in inv.instances.iter_mut().filter(|i| i.name == name) {
            i.pod = Some(Box::new(PodDetail {
                namespace: "shop".into(),
                ..PodDetail::default()
            }));
        }
    }
}

#[test]
fn ctrl_k_plans_a_kill_and_ctrl_d_a_pod_delete_each_for_its_own_kind() {
    let (mut m, mut ui) = setup();
    keys(&mut m, &mut ui, "3");
    let name = lists::selected_container(&m, &ui).unwrap().name.clone();
    assert!(ctrl(&mut m, &mut ui, 'd').is_empty());
    assert!(
        ui.message.as_ref().unwrap().0.contains("Ctrl-K"),
        "{:?}",
        ui.message
    );
    match ctrl(&mut m, &mut ui, 'k').as_slice() {
        [Command::PlanAction(r)] => {
            assert_eq!(r.workload.to_string(), format!("local/_/{name}"));
            assert_eq!(
                r.verb,
                Verb::Kill {
                    signal: "SIGKILL".into()
                }
            );
        }
        other => panic!("{other:?}"),
    }
    ui.action = None;
    match keys(&mut m, &mut ui, "S").as_slice() {
        [Command::PlanAction(r)] => assert!(matches!(r.verb, Verb::Stop | Verb::Start)),
        other => panic!("{other:?}"),
    }
    ui.action = None;
    make_pod(&mut m, &name);
    assert!(ctrl(&mut m, &mut ui, 'k').is_empty(), "a pod is not killed");
    match ctrl(&mut m, &mut ui, 'd').as_slice() {
        [Command::PlanAction(r)] => {
            assert_eq!(r.workload.to_string(), format!("local/shop/{name}"));
            assert_eq!(r.verb, Verb::DeletePod { force: false });
        }
        other => panic!("{other:?}"),
    }
    ui.action = None;
    m.read_only = true;
    assert!(ctrl(&mut m, &mut ui, 'd').is_empty());
    assert!(ui.message.as_ref().unwrap().0.contains("read-only"));
}
