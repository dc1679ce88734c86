//! Keys of the runbook view and the runner's reports: answering the question
//! the run waits on (confirm, decline, continue, type a value, retry, skip,
//! abort), writing the report, and starting a run from an alert or `:runbook`.

use super::line::edit_line;
use super::Command;
use crate::console::runbook::{Answer, Question, RunEvent};
use crate::console::{Event, Model};
use crate::model::Severity;
use crate::ui::keymap::Intent;
use crate::ui::state::{PendingRun, UiState, View};
use crossterm::event::KeyEvent;
use std::collections::BTreeMap;

/// A run starting: the view opens on it, remembering where Esc goes back to.
pub fn start(model: &Model, ui: &mut UiState, run: PendingRun) -> Vec<Command> {
    if model.runbook.as_ref().is_some_and(|r| r.is_running()) {
        ui.message = Some((
            "a runbook is already running: :runbook shows it".into(),
            Severity::Warning,
        ));
        return Vec::new();
    }
    ui.message = Some((format!("starting runbook {}…", run.id), Severity::Info));
    ui.pending_run = Some(run.clone());
    vec![Command::StartRunbook {
        id: run.id,
        params: run.params,
        labels: run.labels,
        alert: run.alert.map(Box::new),
    }]
}

/// `:runbook ID NAME=VALUE ...`: a run of the one asked for last (the same
/// id) keeps the alert it answers; the params typed win.
pub fn start_typed(
    model: &Model,
    ui: &mut UiState,
    id: &str,
    typed: BTreeMap<String, String>,
) -> Vec<Command> {
    let mut run = match ui.pending_run.clone().filter(|p| p.id == id) {
        Some(p) => p,
        None => PendingRun {
            id: id.to_string(),
            params: BTreeMap::new(),
            labels: BTreeMap::new(),
            alert: None,
        },
    };
    run.params.extend(typed);
    start(model, ui, run)
}

/// A run that cannot start until a person names a param: the command line
/// opens with the run as asked and the param to fill, the candidates the
/// console knows of offered (the first one filled in).
fn ask_for_params(model: &Model, ui: &mut UiState, id: &str, missing: &[String], reason: &str) {
    let mut line = format!("runbook {id}");
    let given = ui
        .pending_run
        .as_ref()
        .filter(|p| p.id == id)
        .map(|p| p.params.clone())
        .unwrap_or_default();
    for (k, v) in &given {
        line.push_str(&format!(" {k}={v}"));
    }
    let mut offered = Vec::new();
    for name in missing {
        let candidates = candidates(model, name);
        line.push_str(&format!(
            " {name}={}",
            candidates.first().cloned().unwrap_or_default()
        ));
        offered.push(if candidates.is_empty() {
            format!("{name}: no candidate known")
        } else {
            format!("{name}: {}", candidates.join(", "))
        });
    }
    ui.mode = crate::ui::state::Mode::Command(line);
    ui.message = Some((
        format!("{reason}. Name it and press Enter ({})", offered.join("; ")),
        Severity::Warning,
    ));
}

/// What the console knows that a param of this name could be: workloads
/// not ready first, then the rest; PostgreSQL targets for a database,
/// Redis targets for a cache.
fn candidates(model: &Model, param: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if param.contains("workload") {
        out.extend(model.not_ready().into_iter().map(|(w, ..)| w));
        let all = model
            .inventories
            .iter()
            .flat_map(|(_, inv)| inv.workloads.iter().map(|w| w.addr.to_string()));
        for w in all {
            if !out.contains(&w) {
                out.push(w);
            }
        }
    } else if param == "cache" || param.contains("redis") {
        out.extend(
            model
                .targets
                .iter()
                .filter(|t| t.kind == crate::model::TargetKind::Redis)
                .map(|t| t.name.clone()),
        );
    } else if param == "db" || param.contains("postgres") {
        out.extend(
            model
                .targets
                .iter()
                .filter(|t| t.kind == crate::model::TargetKind::Postgres)
                .map(|t| t.name.clone()),
        );
    }
    out.truncate(8);
    out
}

/// Opens the view on the current run, if there is one.
pub fn show(model: &Model, ui: &mut UiState) -> Vec<Command> {
    if model.runbook.is_none() {
        ui.message = Some((
            "no runbook run yet: :runbook ID, or Enter on an alert".into(),
            Severity::Info,
        ));
        return Vec::new();
    }
    if ui.view != View::Runbook {
        ui.runbook_from = ui.view;
        ui.view = View::Runbook;
    }
    Vec::new()
}

/// What the run reports: the console's state folds it, the view says so.
pub fn on_event(model: &mut Model, ui: &mut UiState, event: RunEvent) -> Vec<Command> {
    if matches!(event, RunEvent::Ask(_)) {
        ui.question_scroll = 0;
    }
    let open = match &event {
        RunEvent::Started {
            run_id, runbook, ..
        } => {
            ui.message = Some((
                format!("runbook {} started: run {run_id}", runbook.id),
                Severity::Info,
            ));
            true
        }
        RunEvent::NotStarted(e) => {
            ui.message = Some((
                format!("runbook not started: {e} (:runbook ID NAME=VALUE sets a param)"),
                Severity::Warning,
            ));
            false
        }
        RunEvent::NeedsParams {
            id,
            missing,
            reason,
        } => {
            ask_for_params(model, ui, id, missing, reason);
            false
        }
        RunEvent::ReportWritten(r) => {
            ui.message = Some(match r {
                Ok(p) => (format!("report written to {}", p.display()), Severity::Info),
                Err(e) => (format!("report: {e}"), Severity::Warning),
            });
            false
        }
        _ => false,
    };
    model.apply(Event::Runbook(event));
    if open {
        show(model, ui)
    } else {
        Vec::new()
    }
}

/// An input question takes the keyboard like a line being typed.
pub fn takes_keys(model: &Model, ui: &UiState) -> bool {
    ui.view == View::Runbook
        && matches!(
            model.runbook.as_ref().and_then(|r| r.question.as_ref()),
            Some(Question::Input { .. })
        )
}

pub fn typing(model: &mut Model, ui: &mut UiState, key: KeyEvent) -> Vec<Command> {
    let Some(pane) = model.runbook.as_mut() else {
        return Vec::new();
    };
    match edit_line(&mut pane.input, key) {
        Some(true) => {
            let text = pane.input.clone();
            pane.answered();
            vec![Command::AnswerRunbook(Answer::Text(text))]
        }
        // Esc leaves the question waiting and the view.
        Some(false) => {
            ui.view = ui.runbook_from;
            Vec::new()
        }
        None => Vec::new(),
    }
}

pub fn key(model: &mut Model, ui: &mut UiState, action: Intent) -> Vec<Command> {
    match action {
        Intent::Down => {
            ui.question_scroll = ui.question_scroll.saturating_add(1);
            return Vec::new();
        }
        Intent::Up => {
            ui.question_scroll = ui.question_scroll.saturating_sub(1);
            return Vec::new();
        }
        _ => {}
    }
    if action == Intent::EditParams {
        if let Some(pane) = &model.runbook {
            if pane.is_running() {
                ui.message = Some((
                    "the run is still going: x aborts it, then p edits its params".into(),
                    Severity::Info,
                ));
            } else {
                let mut line = format!("runbook {}", pane.runbook.id);
                for kv in &pane.params {
                    line.push(' ');
                    line.push_str(kv);
                }
                ui.mode = crate::ui::state::Mode::Command(line);
            }
        }
        return Vec::new();
    }
    if action == Intent::Report {
        return match &model.runbook {
            Some(run) => vec![Command::WriteReport {
                runbook: Box::new(run.runbook.clone()),
                timeline: run.timeline.clone(),
            }],
            None => Vec::new(),
        };
    }
    let Some(pane) = model.runbook.as_mut() else {
        return Vec::new();
    };
    let Some(q) = pane.question.as_ref() else {
        if matches!(
            action,
            Intent::Apply | Intent::Cancel | Intent::Retry | Intent::Skip | Intent::Abort
        ) {
            ui.message = Some(("the run is not waiting for you".into(), Severity::Info));
        }
        return Vec::new();
    };
    let answer = match (q, action) {
        (Question::Confirm { .. }, Intent::Apply) => Answer::Yes,
        (Question::Confirm { .. }, Intent::Cancel) => Answer::No,
        (Question::Ack { .. }, Intent::Apply | Intent::Open) => Answer::Yes,
        (Question::Halted { .. }, Intent::Retry) => Answer::Retry,
        (Question::Halted { .. }, Intent::Skip) => Answer::Skip,
        (_, Intent::Abort) => Answer::Abort,
        (q, _) => {
            let hint = match q {
                Question::Confirm { .. } => "y applies, n declines, x aborts the run",
                Question::Ack { .. } => "y or Enter continues, x aborts the run",
                Question::Halted { .. } => "r retries, s skips, x aborts the run",
                Question::Input { .. } => "type the value and press Enter",
            };
            ui.message = Some((hint.into(), Severity::Info));
            return Vec::new();
        }
    };
    pane.answered();
    vec![Command::AnswerRunbook(answer)]
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{keys, setup};
    use super::*;

    fn running(m: &mut Model, ui: &mut UiState, q: Question) {
        let (catalog, _) = crate::runbook::catalog::Catalog::builtin();
        let rb = catalog.get("site-down").unwrap().runbook.clone();
        on_event(
            m,
            ui,
            RunEvent::Started {
                run_id: "r1".into(),
                runbook: Box::new(rb),
                timeline: "/tmp/r1.jsonl".into(),
            },
        );
        on_event(m, ui, RunEvent::Ask(q));
    }

    #[test]
    fn a_started_run_opens_the_view_and_keys_answer_its_questions() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "5");
        let confirm = Question::Confirm {
            step: "rollback".into(),
            what: "rollback local/shop/api".into(),
            plan: "p".into(),
            undo: false,
        };
        running(&mut m, &mut ui, confirm);
        assert_eq!((ui.view, ui.runbook_from), (View::Runbook, View::Alerts));
        assert!(
            keys(&mut m, &mut ui, "r").is_empty(),
            "retry is no answer to a confirm"
        );
        assert_eq!(
            keys(&mut m, &mut ui, "n"),
            vec![Command::AnswerRunbook(Answer::No)]
        );
        assert!(m.runbook.as_ref().unwrap().question.is_none());
        assert!(
            keys(&mut m, &mut ui, "y").is_empty(),
            "nothing is asked now"
        );
        assert_eq!(
            keys(&mut m, &mut ui, "w"),
            vec![Command::WriteReport {
                runbook: Box::new(m.runbook.as_ref().unwrap().runbook.clone()),
                timeline: "/tmp/r1.jsonl".into(),
            }]
        );
        keys(&mut m, &mut ui, "\x1b");
        assert_eq!(ui.view, View::Alerts);
        keys(&mut m, &mut ui, ":rb\n");
        assert_eq!(ui.view, View::Runbook);
        keys(&mut m, &mut ui, "p");
        assert!(ui.message.as_ref().unwrap().0.contains("still going"));
    }

    #[test]
    fn p_after_a_run_fills_the_command_line_with_its_params() {
        let (mut m, mut ui) = setup();
        running(
            &mut m,
            &mut ui,
            Question::Ack {
                step: "s".into(),
                text: "t".into(),
            },
        );
        let pane = m.runbook.as_mut().unwrap();
        pane.params = vec!["workload=local/shop/api".into(), "db=main-db".into()];
        on_event(
            &mut m,
            &mut ui,
            RunEvent::Finished(Ok(crate::runbook::status::RunOutcome::completed())),
        );
        keys(&mut m, &mut ui, "p");
        assert_eq!(
            ui.mode,
            crate::ui::state::Mode::Command(
                "runbook site-down workload=local/shop/api db=main-db".into()
            )
        );
        let out = keys(&mut m, &mut ui, "\x08\x08\x08\x08\x08\x08\x08other\n");
        match &out[..] {
            [Command::StartRunbook { id, params, .. }] => {
                assert_eq!(id, "site-down");
                assert_eq!(params["db"], "other");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn halted_steps_take_retry_skip_abort_and_input_takes_typing() {
        let (mut m, mut ui) = setup();
        let halted = Question::Halted {
            step: "probe".into(),
            reason: "refused".into(),
        };
        running(&mut m, &mut ui, halted.clone());
        assert_eq!(
            keys(&mut m, &mut ui, "s"),
            vec![Command::AnswerRunbook(Answer::Skip)]
        );
        on_event(&mut m, &mut ui, RunEvent::Ask(halted));
        assert_eq!(
            keys(&mut m, &mut ui, "x"),
            vec![Command::AnswerRunbook(Answer::Abort)]
        );
        let input = Question::Input {
            step: "count".into(),
            param: "replicas".into(),
            prompt: "How many?".into(),
            choices: vec![],
            current: Some("2".into()),
            error: None,
        };
        on_event(&mut m, &mut ui, RunEvent::Ask(input));
        // `s`, `x` and `q` are text here, not keys.
        assert!(keys(&mut m, &mut ui, "\x08sxq").is_empty());
        assert_eq!(
            keys(&mut m, &mut ui, "\n"),
            vec![Command::AnswerRunbook(Answer::Text("sxq".into()))]
        );
    }

    #[test]
    fn a_second_run_waits_for_the_first() {
        let (mut m, mut ui) = setup();
        running(
            &mut m,
            &mut ui,
            Question::Ack {
                step: "s".into(),
                text: "t".into(),
            },
        );
        assert!(keys(&mut m, &mut ui, ":runbook database\n").is_empty());
        assert!(ui.message.as_ref().unwrap().0.contains("already running"));
        assert_eq!(
            keys(&mut m, &mut ui, "\n"),
            vec![Command::AnswerRunbook(Answer::Yes)],
            "Enter continues after a note"
        );
    }

    #[test]
    fn a_runs_reads_are_answered_from_the_live_model() {
        use crate::console::reads::LiveRead;
        use crate::runbook::judge::Facts;
        let (mut m, mut ui) = setup();
        let now = m.now;
        m.store.record("probe:site:up", now, 1.0);
        let read = |m: &mut Model, ui: &mut UiState, read: LiveRead| {
            super::super::update(
                m,
                ui,
                super::super::UiEvent::from(Event::Runbook(RunEvent::Read { id: 7, read })),
            )
        };
        assert_eq!(
            read(&mut m, &mut ui, LiveRead::Metric("probe:site:up".into())),
            vec![Command::AnswerRead {
                id: 7,
                facts: Facts::Number(Some(1.0))
            }]
        );
        let workload = m.inventories[0].1.workloads[0].addr.to_string();
        let out = read(&mut m, &mut ui, LiveRead::Workload(workload));
        assert!(
            matches!(
                &out[..],
                [Command::AnswerRead {
                    facts: Facts::Workload { .. },
                    ..
                }]
            ),
            "{out:?}"
        );
        // A series the collectors stopped refreshing is no reading of now.
        m.now = now + 600;
        let out = read(&mut m, &mut ui, LiveRead::Metric("probe:site:up".into()));
        let [Command::AnswerRead {
            facts: Facts::Unavailable(why),
            ..
        }] = &out[..]
        else {
            panic!("{out:?}")
        };
        assert!(why.contains("stale"), "{why}");
    }
}
