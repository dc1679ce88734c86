//! The logs view: opening a stream for the selected row, taking in its lines,
//! and the keys that scroll, follow and search.

use super::Command;
use crate::console::Model;
use crate::model::{Instance, LogLine, Severity};
use crate::ui::keymap::Intent;
use crate::ui::lists;
use crate::ui::state::log_view::LogView;
use crate::ui::state::{Mode, UiState, View};

/// `l`: the logs of the selected container, or of every container of the
/// selected workload.
pub fn open(model: &Model, ui: &mut UiState) -> Vec<Command> {
    let (target, title, instances) = match ui.view {
        View::Workloads => {
            let Some(w) = lists::selected_workload(model, ui) else {
                return Vec::new();
            };
            let instances: Vec<(String, String)> = model
                .inventories
                .iter()
                .flat_map(|(_, inv)| &inv.instances)
                .filter(|i| i.workload == w.addr)
                .map(log_source)
                .collect();
            (w.addr.target.clone(), w.addr.to_string(), instances)
        }
        View::Containers => {
            let Some(i) = lists::selected_container(model, ui) else {
                return Vec::new();
            };
            (
                i.workload.target.clone(),
                i.name.clone(),
                vec![log_source(i)],
            )
        }
        _ => return Vec::new(),
    };
    if instances.is_empty() {
        ui.message = Some((format!("{title} has no containers"), Severity::Info));
        return Vec::new();
    }
    let stream = ui.next_stream;
    ui.next_stream += 1;
    ui.logs = Some(LogView::new(
        stream,
        target.clone(),
        title,
        instances.clone(),
    ));
    ui.logs_from = ui.view;
    ui.view = View::Logs;
    vec![Command::OpenLogs {
        stream,
        target,
        instances,
        previous: false,
    }]
}

/// What a log stream needs to find a container: a pod by `NAMESPACE/POD`
/// (its uid does not address its log), anything else by its id.
fn log_source(i: &Instance) -> (String, String) {
    let id = match &i.pod {
        Some(pod) => format!("{}/{}", pod.namespace, i.name),
        None => i.id.clone(),
    };
    (id, i.name.clone())
}

/// `p`: the same containers' previous instances (or back to the current ones),
/// on a new stream that replaces the shown one.
fn toggle_previous(ui: &mut UiState) -> Vec<Command> {
    let Some(l) = ui.logs.as_mut() else {
        return Vec::new();
    };
    let old = l.stream;
    let mut next = LogView::new(
        ui.next_stream,
        l.target.clone(),
        l.title.clone(),
        l.instances.clone(),
    );
    ui.next_stream += 1;
    next.previous = !l.previous;
    next.timestamps = l.timestamps;
    next.search = l.search.clone();
    let open = Command::OpenLogs {
        stream: next.stream,
        target: next.target.clone(),
        instances: next.instances.clone(),
        previous: next.previous,
    };
    *l = next;
    vec![Command::CloseLogs { stream: old }, open]
}

/// Lines of a stream that is no longer shown are dropped.
pub fn on_lines(ui: &mut UiState, stream: u64, lines: Vec<LogLine>) {
    if let Some(l) = ui.logs.as_mut().filter(|l| l.stream == stream) {
        l.append(lines);
    }
}

pub fn key(ui: &mut UiState, action: Intent) -> Vec<Command> {
    let Some(l) = ui.logs.as_mut() else {
        return Vec::new();
    };
    let page = l.page_size();
    match action {
        Intent::Up => l.scroll(-1),
        Intent::Down => l.scroll(1),
        Intent::PageUp => l.scroll(-page),
        Intent::PageDown => l.scroll(page),
        Intent::Top => l.to_oldest(),
        Intent::Bottom => l.set_follow(true),
        // A document is read once: nothing follows, no instance came before.
        Intent::Follow | Intent::Timestamps | Intent::Previous if l.document => {}
        Intent::Follow => {
            let on = !l.follow;
            l.set_follow(on);
        }
        Intent::Timestamps => l.timestamps = !l.timestamps,
        Intent::Previous => return toggle_previous(ui),
        Intent::Filter => ui.mode = Mode::Filter(l.search.clone()),
        Intent::NextMatch | Intent::PrevMatch if !l.jump(action == Intent::NextMatch) => {
            let msg = if l.search.is_empty() {
                "no search: / to search".to_string()
            } else {
                let dir = if action == Intent::NextMatch {
                    "newer"
                } else {
                    "older"
                };
                format!("no {dir} line matches {:?}", l.search)
            };
            ui.message = Some((msg, Severity::Info));
        }
        _ => {}
    }
    Vec::new()
}

/// After a search is typed: the newest match in view or above it.
pub fn first_match(ui: &mut UiState) {
    if let Some(l) = ui.logs.as_mut() {
        l.current = None;
        let found = if l.document {
            l.first_from_top()
        } else {
            l.jump(false)
        };
        if !l.search.is_empty() && !found {
            ui.message = Some((format!("no line matches {:?}", l.search), Severity::Info));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{keys, setup};
    use super::super::{update, Command, UiEvent};
    use crate::console::Event;
    use crate::fixtures::sample_log_lines;

    use crate::ui::state::View;

    fn open_api(m: &mut crate::console::Model, ui: &mut crate::ui::state::UiState) -> u64 {
        keys(m, ui, "2/\x1b/shop/api\n");
        match keys(m, ui, "l").as_slice() {
            [Command::OpenLogs {
                stream,
                target,
                instances,
                previous: false,
            }] => {
                assert_eq!(target, "local");
                assert_eq!(instances.len(), 3);
                *stream
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn streams_number_up_and_esc_closes_the_open_one() {
        let (mut m, mut ui) = setup();
        let first = open_api(&mut m, &mut ui);
        assert_eq!(ui.view, View::Logs);
        assert_eq!(
            keys(&mut m, &mut ui, "\x1b"),
            vec![Command::CloseLogs { stream: first }]
        );
        assert_eq!(ui.view, View::Workloads);
        let second = open_api(&mut m, &mut ui);
        assert!(second > first);
        assert_eq!(
            keys(&mut m, &mut ui, "3"),
            vec![Command::CloseLogs { stream: second }],
            "switching views closes the stream too"
        );
    }

    #[test]
    fn lines_of_another_stream_are_ignored() {
        let (mut m, mut ui) = setup();
        let stream = open_api(&mut m, &mut ui);
        let lines = sample_log_lines(crate::ui::update::testkit::NOW);
        let n = lines.len();
        update(
            &mut m,
            &mut ui,
            UiEvent::from(Event::Logs {
                stream: stream + 7,
                lines: lines.clone(),
            }),
        );
        assert!(ui.logs.as_ref().unwrap().lines.is_empty());
        update(
            &mut m,
            &mut ui,
            UiEvent::from(Event::Logs { stream, lines }),
        );
        assert_eq!(ui.logs.as_ref().unwrap().lines.len(), n);
    }

    #[test]
    fn scrolling_up_pauses_follow_and_f_resumes() {
        let (mut m, mut ui) = setup();
        let stream = open_api(&mut m, &mut ui);
        let lines = sample_log_lines(crate::ui::update::testkit::NOW);
        update(
            &mut m,
            &mut ui,
            UiEvent::from(Event::Logs { stream, lines }),
        );
        keys(&mut m, &mut ui, "kk");
        let l = ui.logs.as_ref().unwrap();
        assert_eq!((l.follow, l.back), (false, 2));
        keys(&mut m, &mut ui, "f");
        let l = ui.logs.as_ref().unwrap();
        assert_eq!((l.follow, l.back), (true, 0));
        keys(&mut m, &mut ui, "f\x02");
        assert!(!ui.logs.as_ref().unwrap().follow);
    }

    #[test]
    fn search_jumps_and_reports_no_match() {
        let (mut m, mut ui) = setup();
        let stream = open_api(&mut m, &mut ui);
        let lines = sample_log_lines(crate::ui::update::testkit::NOW);
        update(
            &mut m,
            &mut ui,
            UiEvent::from(Event::Logs { stream, lines }),
        );
        keys(&mut m, &mut ui, "/timeout\n");
        let l = ui.logs.as_ref().unwrap();
        assert_eq!(l.search, "timeout");
        let cur = l.current.expect("a match") as usize;
        assert!(l.lines[cur].text.contains("timeout"));
        assert!(!l.follow);
        keys(&mut m, &mut ui, "/zzz-nothing\n");
        assert!(ui.message.as_ref().unwrap().0.contains("no line matches"));
    }

    #[test]
    fn p_reopens_the_same_containers_previous_instances_and_back() {
        let (mut m, mut ui) = setup();
        let first = open_api(&mut m, &mut ui);
        let lines = sample_log_lines(crate::ui::update::testkit::NOW);
        update(
            &mut m,
            &mut ui,
            UiEvent::from(Event::Logs {
                stream: first,
                lines,
            }),
        );
        keys(&mut m, &mut ui, "t");
        let second = match keys(&mut m, &mut ui, "p").as_slice() {
            [Command::CloseLogs { stream }, Command::OpenLogs {
                stream: next,
                target,
                instances,
                previous: true,
            }] if *stream == first && target == "local" && instances.len() == 3 => *next,
            other => panic!("{other:?}"),
        };
        let l = ui.logs.as_ref().unwrap();
        assert!(second > first && l.stream == second && l.previous && l.timestamps);
        assert!(
            l.lines.is_empty(),
            "the current instances' lines are not the previous ones'"
        );
        assert!(matches!(
            keys(&mut m, &mut ui, "p").as_slice(),
            [
                Command::CloseLogs { .. },
                Command::OpenLogs {
                    previous: false,
                    ..
                }
            ]
        ));
    }

    #[test]
    fn a_pod_is_addressed_by_namespace_and_name_not_uid() {
        let (m, _) = setup();
        let mut i = m
            .inventories
            .iter()
            .flat_map(|(_, inv)| &inv.instances)
            .next()
            .unwrap()
            .clone();
        assert_eq!(super::log_source(&i), (i.id.clone(), i.name.clone()));
        i.pod = Some(Box::new(crate::model::kube::PodDetail {
            namespace: "shop".into(),
            ..Default::default()
        }));
        assert_eq!(super::log_source(&i).0, format!("shop/{}", i.name));
    }
}
