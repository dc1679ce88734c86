//! Snapshots of the Kubernetes side of the console: the workloads view with
//! kubectl's rollout columns, the pods of a workload, events of a workload
//! (warnings first), and `:ctx` / `:ns` narrowing what is shown.

#[path = "support/kube_sample.rs"]
mod kube_sample;
#[path = "support/screen.rs"]
mod screen;

use opsdeck::config::theme::Theme;
use opsdeck::console::Model;
use opsdeck::model::WorkloadAddr;
use opsdeck::ui::state::{UiState, View};
use screen::*;

fn model() -> Model {
    kube_sample::kube_model(console(), NOW)
}

/// The console narrowed to the `prod` context, as `:ctx prod` leaves it.
fn in_prod(view: View) -> UiState {
    let mut ui = in_view(view);
    ui.tables.context = Some("prod".into());
    ui
}

#[test]
fn workloads_160x48() {
    insta::assert_snapshot!(text(&frame(&model(), &in_prod(View::Workloads), 160, 48)));
}

#[test]
fn workloads_80x24() {
    insta::assert_snapshot!(text(&frame(&model(), &in_prod(View::Workloads), 80, 24)));
}

#[test]
fn pods_of_a_workload_160x48() {
    let mut ui = in_prod(View::Containers);
    ui.tables.containers_of = Some(WorkloadAddr::new("prod", "shop", "checkout"));
    insta::assert_snapshot!(text(&frame(&model(), &ui, 160, 48)));
}

#[test]
fn every_pod_80x24() {
    insta::assert_snapshot!(text(&frame(&model(), &in_prod(View::Containers), 80, 24)));
}

#[test]
fn events_put_warnings_first() {
    let buf = frame(&model(), &in_prod(View::Events), 160, 48);
    insta::assert_snapshot!(text(&buf));
    let (_, backoff) = find(&buf, "BackOff");
    let (_, pulled) = find(&buf, "Pulled");
    assert!(
        backoff < pulled,
        "the warning is listed above the newer normal event"
    );
}

#[test]
fn the_stalled_rollout_and_the_oom_kill_are_red() {
    let theme = Theme::default();
    let buf = frame(&model(), &in_prod(View::Workloads), 160, 48);
    assert_eq!(
        buf[find(&buf, "ProgressDeadlineExceeded")].fg,
        theme.critical.fg.unwrap()
    );
    let mut ui = in_prod(View::Containers);
    ui.tables.containers_of = Some(WorkloadAddr::new("prod", "shop", "checkout"));
    let buf = frame(&model(), &ui, 160, 48);
    assert_eq!(
        buf[find(&buf, "CrashLoopBackOff")].fg,
        theme.critical.fg.unwrap()
    );
    assert_eq!(
        buf[find(&buf, "OOMKilled (exit 137)")].fg,
        theme.critical.fg.unwrap()
    );
}

#[test]
fn a_namespace_narrows_every_list() {
    let mut ui = in_prod(View::Workloads);
    ui.tables.namespace = Some("monitoring".into());
    let screen = text(&frame(&model(), &ui, 160, 48));
    assert!(
        screen.contains("Workloads [ctx prod ns monitoring]"),
        "{screen}"
    );
    assert!(screen.contains("prod/monitoring/node-exporter"), "{screen}");
    assert!(!screen.contains("prod/shop/api"), "{screen}");
    assert!(
        !screen.contains("local/"),
        "the local Docker target is another context: {screen}"
    );
}

#[test]
fn rollout_history_160x48() {
    use opsdeck::action::Revision;
    let at = |ago: i64| {
        k8s_openapi::jiff::Timestamp::from_second(NOW - ago)
            .unwrap()
            .to_string()
    };
    let rev = |n: u32, image: &str, cause: Option<&str>, ago: i64| Revision {
        workload: "prod/shop/checkout".into(),
        revision: n,
        image: image.into(),
        image_id: String::new(),
        at: at(ago),
        verb: "rollout".into(),
        change_cause: cause.map(str::to_string),
        source: opsdeck::action::RevisionSource::Platform,
        made_by: None,
    };
    let mut ui = in_prod(View::Workloads);
    ui.history = Some(opsdeck::ui::state::HistoryPane {
        workload: WorkloadAddr::new("prod", "shop", "checkout"),
        revisions: Some(Ok(vec![
            rev(7, "shop/checkout:1.9.2", None, 20 * 86_400),
            rev(
                8,
                "shop/checkout:1.9.3",
                Some("kubectl set image deployment/checkout checkout=shop/checkout:1.9.3"),
                9 * 86_400,
            ),
            rev(9, "shop/checkout:2.0.0", Some("release 2.0.0"), 900),
        ])),
    });
    let screen = text(&frame(&model(), &ui, 160, 48));
    insta::assert_snapshot!(screen);
}

#[test]
fn history_key_asks_the_orchestrator_and_esc_closes() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use opsdeck::console::Event;
    use opsdeck::ui::update::{update, Command, UiEvent};
    let mut model = model();
    let mut ui = in_prod(View::Workloads);
    let key = |c| UiEvent::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let commands = update(&mut model, &mut ui, key(KeyCode::Char('h')));
    let asked = WorkloadAddr::new("prod", "shop", "checkout");
    assert_eq!(
        commands,
        vec![Command::History(asked.clone())],
        "the first row is the red one"
    );
    let screen = text(&frame(&model, &ui, 160, 48));
    assert!(
        screen.contains("Rollout history of prod/shop/checkout") && screen.contains("asking…"),
        "{screen}"
    );
    update(
        &mut model,
        &mut ui,
        UiEvent::from(Event::History {
            workload: asked,
            revisions: Err("403 Forbidden: not allowed to list replicasets".into()),
        }),
    );
    assert!(text(&frame(&model, &ui, 160, 48))
        .contains("403 Forbidden: not allowed to list replicasets"));
    update(&mut model, &mut ui, key(KeyCode::Esc));
    assert!(ui.history.is_none());
}

#[test]
fn e_shows_the_events_of_the_selected_workload() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use opsdeck::ui::update::{update, UiEvent};
    let mut model = model();
    let mut ui = in_prod(View::Workloads);
    update(
        &mut model,
        &mut ui,
        UiEvent::Key(KeyEvent::new(KeyCode::Char('e'), KeyModifiers::NONE)),
    );
    assert_eq!(ui.view, View::Events);
    let screen = text(&frame(&model, &ui, 160, 48));
    assert!(
        screen.contains("BackOff") && screen.contains("ScalingReplicaSet"),
        "{screen}"
    );
    assert!(
        !screen.contains("Pulled"),
        "another workload's event: {screen}"
    );
}

#[test]
fn enter_on_a_pod_shows_its_containers_and_esc_closes_them() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use opsdeck::ui::update::{update, UiEvent};
    fn press(model: &mut Model, ui: &mut UiState, c: KeyCode) {
        update(
            model,
            ui,
            UiEvent::Key(KeyEvent::new(c, KeyModifiers::NONE)),
        );
    }
    let mut m = model();
    let mut ui = in_prod(View::Workloads);
    // The red workload, then its last pod: the one crash-looping after an OOM kill.
    press(&mut m, &mut ui, KeyCode::Enter);
    press(&mut m, &mut ui, KeyCode::Char('G'));
    press(&mut m, &mut ui, KeyCode::Enter);
    let screen = text(&frame(&m, &ui, 160, 48));
    insta::assert_snapshot!(screen);
    assert!(
        screen.contains("Containers of shop/checkout-5f7d-zz81k"),
        "{screen}"
    );
    assert!(screen.contains("OOMKilled (exit 137)"), "{screen}");
    press(&mut m, &mut ui, KeyCode::Esc);
    assert!(ui.pod_containers.is_none());
    assert_eq!(
        ui.view,
        View::Containers,
        "the first Esc only closes the pane"
    );
    press(&mut m, &mut ui, KeyCode::Esc);
    assert_eq!(ui.view, View::Workloads);
}

/// `web` scaled by an HPA that is at its ceiling under CPU load, as the
/// controller reports it: the pods of `web` show the HPA beside the charts,
/// each metric against its target, and the condition that limits it in colour.
#[test]
fn an_autoscaled_workload_shows_its_hpa_beside_the_charts() {
    use opsdeck::source::kube::convert::autoscalers;
    let hpa: k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler =
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "checkout", "namespace": "shop"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "checkout"},
                     "minReplicas": 2, "maxReplicas": 4,
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                         "target": {"type": "Utilization", "averageUtilization": 70}}}]},
            "status": {"currentReplicas": 4, "desiredReplicas": 4,
                       "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu",
                           "current": {"averageUtilization": 96}}}],
                       "conditions": [
                           {"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale"},
                           {"type": "ScalingActive", "status": "True", "reason": "ValidMetricFound"},
                           {"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas"}]}
        }))
        .unwrap();
    let mut model = model();
    let checkout = model
        .inventories
        .iter_mut()
        .flat_map(|(_, inv)| inv.workloads.iter_mut())
        .find(|w| w.addr.name == "checkout")
        .unwrap();
    checkout.rollout.as_mut().unwrap().autoscaler = Some(autoscalers::autoscaler(&hpa));

    let mut ui = in_prod(View::Containers);
    ui.tables.containers_of = Some(WorkloadAddr::new("prod", "shop", "checkout"));
    let buf = frame(&model, &ui, 160, 48);
    let screen = text(&buf);
    insta::assert_snapshot!(screen);
    for wanted in [
        "HPA checkout",
        "2–4",
        "replicas 4 now, wants 4 (at max)",
        "cpu 96 % / target 70 %",
        "AbleToScale=True ReadyForNewScale",
    ] {
        assert!(screen.contains(wanted), "{wanted:?} in\n{screen}");
    }
    let theme = Theme::default();
    assert_eq!(
        buf[find(&buf, "ScalingLimited=True TooManyReplicas")].fg,
        theme.warning.fg.unwrap()
    );
}
