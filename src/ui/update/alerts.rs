//! Keys of the alerts view beyond moving and filtering: Tab between alerts,
//! silences and Prometheus rules; `S` silences the selected alert on its
//! Alertmanager and `X` expires the selected silence (both through the one
//! action path: prompt → plan → y/n); `a` acknowledges the selected alert
//! here, with a note, recorded by the app loop.

use super::actions::{plan, READ_ONLY};
use super::line::{self, edit_line, Prompted};
use super::Command;
use crate::action::alertmanager::{new_silence, silence_addr};
use crate::action::{Request, Verb};
use crate::alertmanager::matchers_for_alert;
use crate::console::{AlertRow, Model};
use crate::model::{Severity, TargetKind};
use crate::ui::keymap::Intent;
use crate::ui::lists;
use crate::ui::state::action_flow::{parse_silence, ActionFlow, SILENCE_DEFAULT};
use crate::ui::state::{AlertsList, UiState};
use crossterm::event::KeyEvent;

pub fn key(model: &Model, ui: &mut UiState, action: Intent) -> Vec<Command> {
    match action {
        Intent::NextList => {
            ui.tables.alerts_list = ui.tables.alerts_list.next();
            Vec::new()
        }
        Intent::Silence => ask_silence(model, ui),
        Intent::Expire => expire(model, ui),
        Intent::Acknowledge => {
            if ui.tables.alerts_list != AlertsList::Alerts {
                ui.message = Some((
                    "acknowledge works on the alerts list (Tab)".into(),
                    Severity::Info,
                ));
            } else if let Some(row) = lists::selected_alert(model, ui) {
                ui.action = Some(ActionFlow::AskAck {
                    row: Box::new(row),
                    text: String::new(),
                });
            } else {
                ui.message = Some(("no alert selected".into(), Severity::Info));
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// The Alertmanager a silence of `row` goes to: the one it came from, or the
/// only one configured (Prometheus and opsdeck alerts reach it by routing).
fn alertmanager_for(model: &Model, row: &AlertRow) -> Result<String, String> {
    let ams: Vec<&str> = model
        .targets
        .iter()
        .filter(|t| t.kind == TargetKind::Alertmanager)
        .map(|t| t.name.as_str())
        .collect();
    if let Some(am) = row.sources.iter().find(|s| ams.contains(&s.as_str())) {
        return Ok(am.clone());
    }
    match ams.as_slice() {
        [] => Err("no [[alertmanager]] is configured to hold a silence".into()),
        [only] => Ok(only.to_string()),
        _ => Err(format!(
            "{} comes from {}, not an Alertmanager, and several are configured: use `opsdeck alerts silence AM`",
            row.alert.rule, row.source
        )),
    }
}

fn ask_silence(model: &Model, ui: &mut UiState) -> Vec<Command> {
    if model.read_only {
        ui.message = Some((READ_ONLY.into(), Severity::Warning));
        return Vec::new();
    }
    if ui.tables.alerts_list != AlertsList::Alerts {
        ui.message = Some((
            "select an alert to silence (Tab to the alerts list)".into(),
            Severity::Info,
        ));
        return Vec::new();
    }
    let Some(row) = lists::selected_alert(model, ui) else {
        ui.message = Some(("no alert selected".into(), Severity::Info));
        return Vec::new();
    };
    match alertmanager_for(model, &row) {
        Ok(alertmanager) => {
            ui.action = Some(ActionFlow::AskSilence {
                alertmanager,
                matchers: matchers_for_alert(&row.alert.rule, &row.alert.labels),
                text: SILENCE_DEFAULT.into(),
                error: None,
            })
        }
        Err(e) => ui.message = Some((e, Severity::Warning)),
    }
    Vec::new()
}

fn expire(model: &Model, ui: &mut UiState) -> Vec<Command> {
    if model.read_only {
        ui.message = Some((READ_ONLY.into(), Severity::Warning));
        return Vec::new();
    }
    if ui.tables.alerts_list != AlertsList::Silences {
        ui.message = Some((
            "select a silence to expire (Tab to the silences list)".into(),
            Severity::Info,
        ));
        return Vec::new();
    }
    let Some(row) = lists::selected_silence(model, ui) else {
        ui.message = Some(("no silence selected".into(), Severity::Info));
        return Vec::new();
    };
    if row.silence.state == "expired" {
        ui.message = Some((
            format!("silence {} has already expired", row.silence.id),
            Severity::Info,
        ));
        return Vec::new();
    }
    plan(
        ui,
        Request {
            workload: silence_addr(&row.source, &row.silence.id),
            verb: Verb::Expire,
        },
    )
}

/// A key while the silence or ack prompt is open; `flow` is taken from `ui`.
pub fn prompt_key(
    model: &Model,
    ui: &mut UiState,
    flow: ActionFlow,
    key: KeyEvent,
) -> Vec<Command> {
    match flow {
        ActionFlow::AskSilence {
            alertmanager,
            matchers,
            mut text,
            error,
        } => match line::prompt_key(&mut text, error, key, parse_silence) {
            Prompted::Cancel => Vec::new(),
            Prompted::Submit(_) if model.read_only => {
                ui.message = Some((READ_ONLY.into(), Severity::Warning));
                Vec::new()
            }
            Prompted::Submit((duration, comment)) => plan(
                ui,
                Request {
                    workload: new_silence(&alertmanager),
                    verb: Verb::Silence {
                        matchers,
                        duration,
                        comment,
                    },
                },
            ),
            Prompted::Stay(error) => {
                ui.action = Some(ActionFlow::AskSilence {
                    alertmanager,
                    matchers,
                    text,
                    error,
                });
                Vec::new()
            }
        },
        ActionFlow::AskAck { row, mut text } => match edit_line(&mut text, key) {
            Some(false) => Vec::new(),
            Some(true) => vec![Command::Acknowledge { row, note: text }],
            None => {
                ui.action = Some(ActionFlow::AskAck { row, text });
                Vec::new()
            }
        },
        other => {
            ui.action = Some(other);
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{keys, setup};
    use super::*;

    fn with_am() -> (Model, UiState) {
        let (mut m, ui) = setup();
        m.add_target("am", TargetKind::Alertmanager);
        (m, ui)
    }

    #[test]
    fn s_on_an_alertmanager_alert_asks_then_plans_a_silence_of_its_labels() {
        let (mut m, mut ui) = with_am();
        keys(&mut m, &mut ui, "5G");
        assert_eq!(
            lists::selected_alert(&m, &ui).unwrap().alert.rule,
            "BackupLate"
        );
        assert!(keys(&mut m, &mut ui, "S").is_empty());
        let Some(ActionFlow::AskSilence {
            alertmanager, text, ..
        }) = &ui.action
        else {
            panic!("{:?}", ui.action);
        };
        assert_eq!((alertmanager.as_str(), text.as_str()), ("am", "2h "));
        // No comment yet: the prompt stays with a complaint.
        assert!(keys(&mut m, &mut ui, "\n").is_empty());
        assert!(matches!(
            &ui.action,
            Some(ActionFlow::AskSilence { error: Some(_), .. })
        ));
        let cmds = keys(&mut m, &mut ui, "backup moved\n");
        let [Command::PlanAction(req)] = cmds.as_slice() else {
            panic!("{cmds:?}");
        };
        assert_eq!(req.workload.to_string(), "am/silence/new");
        assert_eq!(
            req.verb.to_string(),
            r#"silence alertname="BackupLate", job="demo" for 2h: backup moved"#
        );
    }

    #[test]
    fn s_needs_an_alertmanager_and_a_writable_console() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "5S");
        assert!(ui.action.is_none());
        assert!(ui
            .message
            .clone()
            .unwrap()
            .0
            .contains("no [[alertmanager]]"));
        let (mut m, mut ui) = with_am();
        m.read_only = true;
        keys(&mut m, &mut ui, "5S");
        assert!(ui.action.is_none());
        assert_eq!(ui.message.clone().unwrap().0, READ_ONLY);
    }

    #[test]
    fn x_on_the_silences_list_plans_an_expiry_and_refuses_an_expired_one() {
        let (mut m, mut ui) = with_am();
        keys(&mut m, &mut ui, "5\t");
        assert_eq!(ui.tables.alerts_list, AlertsList::Silences);
        let cmds = keys(&mut m, &mut ui, "X");
        let [Command::PlanAction(req)] = cmds.as_slice() else {
            panic!("{cmds:?}");
        };
        assert_eq!(req.workload.to_string(), "am/silence/8e6d45bd");
        assert_eq!(req.verb, Verb::Expire);
        ui.action = None;
        assert!(keys(&mut m, &mut ui, "GX").is_empty());
        assert!(ui.message.clone().unwrap().0.contains("already expired"));
        keys(&mut m, &mut ui, "\t\t");
        assert_eq!(ui.tables.alerts_list, AlertsList::Alerts);
    }

    #[test]
    fn a_asks_for_a_note_and_hands_the_ack_to_the_app_loop() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "5a");
        assert!(matches!(&ui.action, Some(ActionFlow::AskAck { .. })));
        let cmds = keys(&mut m, &mut ui, "on it\n");
        let [Command::Acknowledge { row, note }] = cmds.as_slice() else {
            panic!("{cmds:?}");
        };
        assert_eq!(note, "on it");
        assert_eq!(row.alert.rule, lists::alerts(&m, &ui)[0].alert.rule);
        assert!(ui.action.is_none());
        // Esc leaves without recording anything.
        assert!(keys(&mut m, &mut ui, "a\x1b").is_empty());
        assert!(ui.action.is_none());
    }
}
