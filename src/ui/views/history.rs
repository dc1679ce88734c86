//! A workload's rollout history over the list (`h`), newest first, as
//! `kubectl rollout history` lists it: revision, image, change-cause, age.
//! Docker workloads show the images opsdeck replaced.

use crate::action::Revision;
use crate::ui::state::table::TableState;
use crate::ui::state::{HistoryPane, UiState};
use crate::ui::widgets::{Cell, Column, DataTable};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

const COLUMNS: [Column; 5] = [
    Column::right("REVISION", 8, 8, 10),
    Column::left("IMAGE", 12, 60, 9),
    Column::left("CHANGE-CAUSE", 12, 60, 7),
    Column::right("AGE", 4, 6, 8),
    Column::left("BY", 4, 10, 2),
];

pub fn render(area: Rect, buf: &mut Buffer, ui: &UiState, pane: &HistoryPane, now: i64) {
    let t = &ui.theme;
    let rows = match &pane.revisions {
        Some(Ok(revisions)) => revisions.len(),
        _ => 1,
    };
    let title = format!("Rollout history of {}", pane.workload);
    let inner = super::popup::open(area, buf, ui, &title, rows);
    match &pane.revisions {
        None => Paragraph::new(Line::styled(" asking…", t.muted)).render(inner, buf),
        Some(Err(e)) => Paragraph::new(Line::styled(format!(" {e}"), t.warning)).render(inner, buf),
        Some(Ok(revisions)) => {
            let state = TableState::default();
            DataTable {
                columns: &COLUMNS,
                rows: revisions
                    .iter()
                    .rev()
                    .map(|r| row(r, now))
                    .collect::<Vec<_>>()
                    .into(),
                selected: 0,
                state: &state,
                theme: t,
                empty: "no revisions recorded",
            }
            .render(inner, buf);
        }
    }
}

fn row(r: &Revision, now: i64) -> Vec<Cell> {
    // RFC 3339, as both orchestrators record it.
    let age = crate::base::time::unix_secs(&r.at)
        .map(|t| super::kube_rows::age_text(t, now))
        .unwrap_or_else(|| "-".into());
    vec![
        Cell::plain(r.revision.to_string()),
        Cell::plain(r.image.clone()),
        match &r.change_cause {
            Some(c) if !c.is_empty() => Cell::plain(c.clone()),
            _ => Cell::muted("<none>"),
        },
        Cell::muted(age),
        Cell::muted(r.verb.clone()),
    ]
}
