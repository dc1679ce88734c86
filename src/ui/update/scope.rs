//! `:ctx` and `:ns`, as in k9s: which Kubernetes context (target) and which
//! namespace the workloads, pods and events views show. A kubeconfig context
//! that is not watched yet starts being watched when chosen.

use super::Command;
use crate::base::diag::did_you_mean;
use crate::connect::kube::{with_context, KubeTarget};
use crate::console::Model;
use crate::model::{Severity, TargetKind};
use crate::ui::state::UiState;

const ALL: [&str; 3] = ["all", "-", "*"];

pub fn context(model: &mut Model, ui: &mut UiState, arg: &str) -> Vec<Command> {
    let watched: Vec<String> = model
        .targets
        .iter()
        .filter(|t| t.kind == TargetKind::Kubernetes)
        .map(|t| t.name.clone())
        .collect();
    if arg.is_empty() {
        let known = known_contexts(ui, &watched);
        let current = ui.tables.context.as_deref().unwrap_or("all");
        ui.message = Some((
            format!(
                "context {current}; :ctx NAME|all, known: {}",
                known.join(", ")
            ),
            Severity::Info,
        ));
        return Vec::new();
    }
    if ALL.contains(&arg) {
        ui.tables.context = None;
        ui.message = Some(("every context".into(), Severity::Info));
        return Vec::new();
    }
    if watched.iter().any(|w| w == arg) {
        ui.tables.context = Some(arg.to_string());
        ui.message = Some((format!("context {arg}"), Severity::Info));
        return Vec::new();
    }
    // A context of a watched target's kubeconfig: watch it as a target of its own.
    let base = ui
        .kube_contexts
        .iter()
        .find(|(_, contexts)| contexts.iter().any(|c| c == arg));
    let Some((base, _)) = base else {
        let known = known_contexts(ui, &watched);
        let hint = did_you_mean(arg, known.iter().map(String::as_str))
            .map(|s| format!("; did you mean {s}?"))
            .unwrap_or_default();
        ui.message = Some((
            format!("no context {arg} in the kubeconfig{hint}"),
            Severity::Warning,
        ));
        return Vec::new();
    };
    let taken = model.targets.iter().any(|t| t.name == arg);
    let name = if taken {
        format!("k8s-{arg}")
    } else {
        arg.to_string()
    };
    let target = KubeTarget {
        name: name.clone(),
        ..with_context(base, arg)
    };
    model.add_target(&name, TargetKind::Kubernetes);
    ui.tables.context = Some(name.clone());
    ui.message = Some((format!("context {name}: connecting"), Severity::Info));
    vec![Command::WatchContext(Box::new(target))]
}

fn known_contexts(ui: &UiState, watched: &[String]) -> Vec<String> {
    let mut all: Vec<String> = watched.to_vec();
    for (_, contexts) in &ui.kube_contexts {
        for c in contexts {
            if !all.contains(c) {
                all.push(c.clone());
            }
        }
    }
    all
}

pub fn namespace(model: &Model, ui: &mut UiState, arg: &str) -> Vec<Command> {
    let mut known: Vec<&str> = model
        .inventories
        .iter()
        .filter(|(target, _)| ui.tables.context.as_ref().is_none_or(|c| c == target))
        .flat_map(|(_, inv)| {
            inv.namespaces
                .iter()
                .map(String::as_str)
                .chain(inv.workloads.iter().map(|w| w.addr.group.as_str()))
        })
        .collect();
    known.sort_unstable();
    known.dedup();
    if arg.is_empty() {
        let current = ui.tables.namespace.as_deref().unwrap_or("all");
        ui.message = Some((
            format!(
                "namespace {current}; :ns NAME|all, known: {}",
                known.join(", ")
            ),
            Severity::Info,
        ));
    } else if ALL.contains(&arg) {
        ui.tables.namespace = None;
        ui.message = Some(("every namespace".into(), Severity::Info));
    } else if known.contains(&arg) {
        ui.tables.namespace = Some(arg.to_string());
        ui.message = Some((format!("namespace {arg}"), Severity::Info));
    } else {
        let hint = did_you_mean(arg, known.iter().copied())
            .map(|s| format!("; did you mean {s}?"))
            .unwrap_or_default();
        ui.message = Some((format!("no namespace {arg}{hint}"), Severity::Warning));
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{keys, setup};
    use super::*;
    use crate::model::{Inventory, TargetKind};
    use crate::source::Update;

    fn with_cluster() -> (Model, UiState) {
        let (mut m, mut ui) = setup();
        m.add_target("prod", TargetKind::Kubernetes);
        m.apply_update(Update::Inventory {
            target: "prod".into(),
            at: 1,
            inventory: Box::new(Inventory {
                namespaces: vec!["default".into(), "shop".into()],
                ..Default::default()
            }),
        });
        let base = KubeTarget {
            name: "prod".into(),
            context: None,
            kubeconfig: None,
            namespaces: Vec::new(),
        };
        ui.kube_contexts = vec![(base, vec!["prod".into(), "staging".into()])];
        (m, ui)
    }

    #[test]
    fn ctx_narrows_to_a_watched_target_and_all_clears() {
        let (mut m, mut ui) = with_cluster();
        assert!(keys(&mut m, &mut ui, ":ctx prod\n").is_empty());
        assert_eq!(ui.tables.context.as_deref(), Some("prod"));
        keys(&mut m, &mut ui, ":ctx all\n");
        assert_eq!(ui.tables.context, None);
    }

    #[test]
    fn ctx_starts_watching_another_context_of_the_kubeconfig() {
        let (mut m, mut ui) = with_cluster();
        let commands = keys(&mut m, &mut ui, ":ctx staging\n");
        let [Command::WatchContext(t)] = commands.as_slice() else {
            panic!("{commands:?}");
        };
        assert_eq!(
            (t.name.as_str(), t.context.as_deref()),
            ("staging", Some("staging"))
        );
        assert!(m
            .targets
            .iter()
            .any(|t| t.name == "staging" && t.kind == TargetKind::Kubernetes));
        assert_eq!(ui.tables.context.as_deref(), Some("staging"));
    }

    #[test]
    fn unknown_names_are_refused_with_a_suggestion() {
        let (mut m, mut ui) = with_cluster();
        keys(&mut m, &mut ui, ":ctx stagin\n");
        let (text, _) = ui.message.clone().unwrap();
        assert!(text.contains("did you mean staging?"), "{text}");
        assert_eq!(ui.tables.context, None);
        keys(&mut m, &mut ui, ":ns shp\n");
        let (text, _) = ui.message.clone().unwrap();
        assert!(
            text.contains("no namespace shp; did you mean shop?"),
            "{text}"
        );
        keys(&mut m, &mut ui, ":ns shop\n");
        assert_eq!(ui.tables.namespace.as_deref(), Some("shop"));
        keys(&mut m, &mut ui, ":ns\n");
        let (text, _) = ui.message.clone().unwrap();
        assert!(
            text.starts_with("namespace shop;") && text.contains("default"),
            "{text}"
        );
    }
}
