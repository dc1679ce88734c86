use super::super::testkit::{keys, setup};
use super::super::{update, Command, UiEvent};
use super::{on_event, READ_ONLY};
use crate::action::{ActionEvent, Outcome, Plan, PlanStep, Request, StepOp, Verb};
use crate::console::Event;
use crate::console::Model;
use crate::model::{Severity, WorkloadAddr, WorkloadKind};
use crate::ui::state::action_flow::ActionFlow;
use crate::ui::state::UiState;

fn api() -> WorkloadAddr {
    "local/shop/api".parse().unwrap()
}

fn select_api(m: &mut Model, ui: &mut UiState) {
    keys(m, ui, "2/\x1b/shop/api\n");
}

fn send(m: &mut Model, ui: &mut UiState, e: ActionEvent) {
    update(m, ui, UiEvent::from(Event::Action(e)));
}

fn plan_for(verb: Verb) -> Plan {
    Plan {
        request: Request {
            workload: api(),
            verb,
        },
        kind: WorkloadKind::ComposeService,
        summary: "restart local/shop/api".into(),
        steps: vec![PlanStep {
            op: StepOp::Restart,
            subject: "shop-api-1".into(),
            detail: "replica 1 of 3".into(),
        }],
        destructive: false,
    }
}

#[test]
fn scale_prompt_validates_before_planning() {
    let (mut m, mut ui) = setup();
    select_api(&mut m, &mut ui);
    assert!(keys(&mut m, &mut ui, "s").is_empty());
    assert!(matches!(
        ui.action,
        Some(ActionFlow::AskReplicas { current: 3, .. })
    ));
    assert!(keys(&mut m, &mut ui, "x\n").is_empty(), "not a number");
    match &ui.action {
        Some(ActionFlow::AskReplicas { error: Some(e), .. }) => {
            assert!(e.contains("whole number"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    keys(&mut m, &mut ui, "\x1b");
    assert_eq!(ui.action, None, "Esc cancels the prompt");
    keys(&mut m, &mut ui, "s500\n");
    assert!(matches!(
        ui.action,
        Some(ActionFlow::AskReplicas { error: Some(_), .. })
    ));
    keys(&mut m, &mut ui, "\x1b");
    assert_eq!(
        keys(&mut m, &mut ui, "s5\n"),
        vec![Command::PlanAction(Request {
            workload: api(),
            verb: Verb::Scale { replicas: 5 },
        })]
    );
    assert!(matches!(ui.action, Some(ActionFlow::Planning(_))));
}

#[test]
fn read_only_refuses_every_action_key() {
    let (mut m, mut ui) = setup();
    m.read_only = true;
    select_api(&mut m, &mut ui);
    for k in ["s", "r", "b"] {
        ui.message = None;
        assert!(keys(&mut m, &mut ui, k).is_empty(), "{k}");
        assert_eq!(ui.action, None);
        assert_eq!(
            ui.message.clone(),
            Some((READ_ONLY.to_string(), Severity::Warning))
        );
    }
    keys(&mut m, &mut ui, "3");
    assert!(keys(&mut m, &mut ui, "r").is_empty(), "containers view too");
}

#[test]
fn restart_plans_confirms_and_executes() {
    let (mut m, mut ui) = setup();
    select_api(&mut m, &mut ui);
    let req = Request {
        workload: api(),
        verb: Verb::Restart,
    };
    assert_eq!(
        keys(&mut m, &mut ui, "r"),
        vec![Command::PlanAction(req.clone())]
    );
    let plan = plan_for(Verb::Restart);
    send(&mut m, &mut ui, ActionEvent::Planned(Ok(plan.clone())));
    assert_eq!(ui.action, Some(ActionFlow::Confirm(plan.clone())));
    assert!(
        keys(&mut m, &mut ui, "2q").is_empty(),
        "the dialog has the keys; q does not quit from it"
    );
    assert!(!ui.quit);
    assert_eq!(ui.view, crate::ui::state::View::Workloads);
    assert_eq!(
        keys(&mut m, &mut ui, "y"),
        vec![Command::Execute(plan.clone())]
    );
    send(
        &mut m,
        &mut ui,
        ActionEvent::Progress("restarted shop-api-1".into()),
    );
    send(
        &mut m,
        &mut ui,
        ActionEvent::Done(Ok(Outcome {
            ok: true,
            message: "3 replicas healthy".into(),
            rolled_back: false,
        })),
    );
    match &ui.action {
        Some(ActionFlow::Finished { ok, progress, .. }) => {
            assert!(ok);
            assert_eq!(progress, &vec!["restarted shop-api-1".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ui.message.as_ref().unwrap().1, Severity::Info);
    keys(&mut m, &mut ui, "\x1b");
    assert_eq!(ui.action, None);
}

#[test]
fn cancel_failure_and_plan_errors_are_reported() {
    let (mut m, mut ui) = setup();
    select_api(&mut m, &mut ui);
    keys(&mut m, &mut ui, "b");
    send(
        &mut m,
        &mut ui,
        ActionEvent::Planned(Err("no previous image".into())),
    );
    let (msg, sev) = ui.message.clone().unwrap();
    assert!(
        msg.contains("cannot rollback local/shop/api: no previous image"),
        "{msg}"
    );
    assert_eq!(sev, Severity::Critical);
    assert_eq!(ui.action, None);

    keys(&mut m, &mut ui, "r");
    send(
        &mut m,
        &mut ui,
        ActionEvent::Planned(Ok(plan_for(Verb::Restart))),
    );
    assert!(keys(&mut m, &mut ui, "n").is_empty());
    assert_eq!(ui.action, None);
    assert!(ui.message.as_ref().unwrap().0.starts_with("cancelled"));

    keys(&mut m, &mut ui, "r");
    send(
        &mut m,
        &mut ui,
        ActionEvent::Planned(Ok(plan_for(Verb::Restart))),
    );
    keys(&mut m, &mut ui, "y");
    send(
        &mut m,
        &mut ui,
        ActionEvent::Done(Ok(Outcome {
            ok: false,
            message: "shop-api-2 stayed unhealthy".into(),
            rolled_back: true,
        })),
    );
    let (msg, sev) = ui.message.clone().unwrap();
    assert!(msg.contains("rolled back"), "{msg}");
    assert_eq!(sev, Severity::Critical);
}

#[test]
fn a_plan_nobody_waits_for_is_ignored() {
    let (mut m, mut ui) = setup();
    send(
        &mut m,
        &mut ui,
        ActionEvent::Planned(Ok(plan_for(Verb::Restart))),
    );
    assert_eq!(ui.action, None);
}

#[test]
fn plain_containers_are_not_scaled() {
    let (mut m, mut ui) = setup();
    keys(&mut m, &mut ui, "2/batch\n");
    assert!(keys(&mut m, &mut ui, "s").is_empty());
    assert_eq!(ui.action, None);
    assert!(ui.message.as_ref().unwrap().0.contains("plain container"));
}

#[test]
fn esc_stops_waiting_for_a_plan() {
    let (mut m, mut ui) = setup();
    select_api(&mut m, &mut ui);
    keys(&mut m, &mut ui, "r\x1b");
    assert_eq!(ui.action, None);
    assert_eq!(ui.view, crate::ui::state::View::Workloads);
    send(
        &mut m,
        &mut ui,
        ActionEvent::Planned(Ok(plan_for(Verb::Restart))),
    );
    assert_eq!(ui.action, None, "the late plan is not shown");
}

#[test]
fn c_and_x_on_a_session_plan_cancel_and_terminate_of_its_backend() {
    let (mut m, mut ui) = setup();
    let now = m.now;
    crate::fixtures::with_sample_database(&mut m, now);
    // A selection left elsewhere gives way to the chain's root on entering.
    ui.tables.database.selected = Some("main-db/4301".into());
    keys(&mut m, &mut ui, "7");
    assert_eq!(ui.view, crate::ui::state::View::Database);
    let want = |pid: &str, verb: Verb| {
        vec![Command::PlanAction(Request {
            workload: format!("main-db/backend/{pid}").parse().unwrap(),
            verb,
        })]
    };
    // The root of the chain is selected, whatever ran longest.
    assert_eq!(keys(&mut m, &mut ui, "x"), want("4242", Verb::Terminate));
    assert_eq!(ui.db.offer, None);
    ui.action = None;
    // On a waiter, the root is offered instead, and the message says why.
    assert_eq!(keys(&mut m, &mut ui, "jx"), want("4242", Verb::Terminate));
    let (note, _) = ui.message.clone().unwrap();
    assert_eq!(
        note,
        "4243 waits for 4242 (root): offering its root 4242 instead — ending the root releases the chain"
    );
    // The plan arrives: the note stays under the dialog.
    let mut plan = plan_for(Verb::Terminate);
    plan.request.workload = "main-db/backend/4242".parse().unwrap();
    on_event(&m, &mut ui, ActionEvent::Planned(Ok(plan)));
    assert!(matches!(ui.action, Some(ActionFlow::Confirm(_))));
    assert!(ui
        .message
        .as_ref()
        .unwrap()
        .0
        .contains("offering its root 4242"));
    ui.action = None;
    assert_eq!(keys(&mut m, &mut ui, "jc"), want("4242", Verb::Cancel));
    ui.action = None;
    // Past the chain, sessions are planned as they are.
    assert_eq!(keys(&mut m, &mut ui, "jc"), want("4100", Verb::Cancel));

    m.read_only = true;
    ui.action = None;
    assert!(keys(&mut m, &mut ui, "x").is_empty());
    assert_eq!(
        ui.message.as_ref().map(|(t, _)| t.as_str()),
        Some(READ_ONLY)
    );
}

#[test]
fn enter_shows_a_session_whole_and_tab_who_holds_the_connections() {
    let (mut m, mut ui) = setup();
    let now = m.now;
    crate::fixtures::with_sample_database(&mut m, now);
    keys(&mut m, &mut ui, "7j\n");
    assert_eq!(ui.db.detail.as_deref(), Some("main-db/4243"));
    // Arrows scroll the detail, not the list; x acts on the session shown.
    keys(&mut m, &mut ui, "jj");
    assert_eq!(ui.db.detail_scroll, 2);
    assert_eq!(ui.tables.database.selected.as_deref(), Some("main-db/4243"));
    let cmds = keys(&mut m, &mut ui, "x");
    assert!(
        matches!(&cmds[..], [Command::PlanAction(r)] if r.workload.to_string() == "main-db/backend/4242"),
        "{cmds:?}"
    );
    ui.action = None;
    keys(&mut m, &mut ui, "\x1b");
    assert_eq!(ui.db.detail, None);
    // Tab: the holders; x there plans every backend of the selected one.
    keys(&mut m, &mut ui, "\t");
    assert_eq!(ui.db.list, crate::ui::state::database::DbList::Holders);
    let cmds = keys(&mut m, &mut ui, "x");
    let [Command::PlanAction(r)] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        r.workload.to_string(),
        "main-db/backend/5000,5001,5002,5003,5004,5005,5006,5007,5008,5009,5010,5011,5012,5013"
    );
    ui.action = None;
    // opsdeck's own connection has no backend to signal.
    keys(&mut m, &mut ui, "G");
    assert!(keys(&mut m, &mut ui, "x").is_empty());
    assert!(ui.message.as_ref().unwrap().0.contains("opsdeck's own"));
}
