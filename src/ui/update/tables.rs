//! Keys of the table views: moving the selection, filtering, opening a
//! workload's containers, and handing logs and actions the selected row.

use super::{actions, logs, Command};
use crate::model::Model;
use crate::ui::keymap::Action;
use crate::ui::lists;
use crate::ui::state::{Mode, UiState, View};

pub fn key(model: &Model, ui: &mut UiState, action: Action) -> Vec<Command> {
    let view = ui.view;
    match action {
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            let keys = lists::keys(model, ui, view);
            if let Some(t) = ui.table_mut(view) {
                let page = t.page_size();
                let delta = match action {
                    Action::Up => -1,
                    Action::Down => 1,
                    Action::PageUp => -page,
                    Action::PageDown => page,
                    Action::Top => isize::MIN / 2,
                    _ => isize::MAX / 2,
                };
                t.step(&keys, delta);
            }
            Vec::new()
        }
        Action::Filter => {
            ui.mode = Mode::Filter(ui.current_filter().to_string());
            Vec::new()
        }
        Action::Open if view == View::Workloads => {
            if let Some(w) = lists::selected_workload(model, ui) {
                ui.tables.containers_of = Some(w.addr.clone());
                ui.tables.containers.selected = None;
                ui.view = View::Containers;
            }
            Vec::new()
        }
        Action::Logs => logs::open(model, ui),
        Action::Scale | Action::Restart | Action::Rollback => actions::start(model, ui, action),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{keys, setup};
    use crate::ui::lists;
    use crate::ui::state::View;

    #[test]
    fn enter_on_a_workload_lists_its_containers_and_esc_returns() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "2");
        let api = lists::workloads(&m, &ui)
            .iter()
            .position(|w| w.addr.to_string() == "local/shop/api")
            .unwrap();
        keys(&mut m, &mut ui, &"j".repeat(api));
        keys(&mut m, &mut ui, "\n");
        assert_eq!(ui.view, View::Containers);
        let shown = lists::containers(&m, &ui);
        assert_eq!(shown.len(), 3);
        assert!(shown
            .iter()
            .all(|i| i.workload.to_string() == "local/shop/api"));
        keys(&mut m, &mut ui, "\x1b");
        assert_eq!(ui.view, View::Workloads);
        assert_eq!(ui.tables.containers_of, None);
    }

    #[test]
    fn selection_is_bounded_and_filter_narrows_rows() {
        let (mut m, mut ui) = setup();
        keys(&mut m, &mut ui, "3");
        let n = lists::containers(&m, &ui).len();
        keys(&mut m, &mut ui, &"j".repeat(n + 3));
        let keys_now = lists::keys(&m, &ui, View::Containers);
        assert_eq!(ui.tables.containers.index(&keys_now), n - 1);
        keys(&mut m, &mut ui, "/worker\n");
        assert_eq!(lists::containers(&m, &ui).len(), 1);
        keys(&mut m, &mut ui, "/\x1b");
        assert_eq!(lists::containers(&m, &ui).len(), n);
    }
}
