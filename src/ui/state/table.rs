//! The state of one table view: which row is selected, where the window is
//! scrolled to, and the filter. The selected row is remembered by its key, not
//! its index, so a refresh that reorders rows never moves an action onto a
//! different workload.

use std::cell::Cell;

#[derive(Debug, Clone, Default)]
pub struct TableState {
    /// Key of the selected row; None selects the first row.
    pub selected: Option<String>,
    pub filter: String,
    /// First row drawn last time. Drawing updates it (it needs the height), so
    /// the window only moves when the selection leaves it.
    pub offset: Cell<usize>,
    /// Rows that fit last time, for page-wise moves.
    pub page: Cell<usize>,
}

impl TableState {
    /// Index of the selected row among `keys` (0 when it is gone).
    pub fn index(&self, keys: &[String]) -> usize {
        self.index_where(keys, |k, s| k == s)
    }

    /// Index of the first of `rows` that `is` the selected key (0 when it is
    /// gone), without making every row's key: a frame of 10,000 pods would
    /// spend more on those strings than on drawing.
    pub fn index_where<T>(&self, rows: &[T], is: impl Fn(&T, &str) -> bool) -> usize {
        self.selected
            .as_deref()
            .and_then(|s| rows.iter().position(|r| is(r, s)))
            .unwrap_or(0)
    }

    /// Moves the selection by `delta` rows, stopping at either end.
    pub fn step(&mut self, keys: &[String], delta: isize) {
        if keys.is_empty() {
            return;
        }
        let i = self.index(keys) as isize + delta;
        let i = i.clamp(0, keys.len() as isize - 1) as usize;
        self.selected = Some(keys[i].clone());
    }

    pub fn page_size(&self) -> isize {
        self.page.get().max(1) as isize
    }

    /// The first row to draw so that `selected` is inside a window of `height`.
    pub fn scroll(&self, selected: usize, rows: usize, height: usize) -> usize {
        let height = height.max(1);
        let mut off = self.offset.get().min(rows.saturating_sub(height));
        if selected < off {
            off = selected;
        } else if selected >= off + height {
            off = selected + 1 - height;
        }
        self.offset.set(off);
        self.page.set(height);
        off
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("k{i}")).collect()
    }

    #[test]
    fn selection_follows_its_key_and_stops_at_ends() {
        let mut t = TableState::default();
        let k = keys(3);
        t.step(&k, -1);
        assert_eq!(t.index(&k), 0);
        t.step(&k, 5);
        assert_eq!(t.selected.as_deref(), Some("k2"));
        let reordered = vec!["k2".to_string(), "k0".into(), "k1".into()];
        assert_eq!(t.index(&reordered), 0);
        assert_eq!(t.index(&keys(2)), 0, "a vanished row selects the first");
    }

    #[test]
    fn window_moves_only_when_the_selection_leaves_it() {
        let t = TableState::default();
        assert_eq!(t.scroll(3, 20, 5), 0);
        assert_eq!(t.scroll(7, 20, 5), 3);
        assert_eq!(t.scroll(5, 20, 5), 3);
        assert_eq!(t.scroll(1, 20, 5), 1);
        assert_eq!(t.scroll(1, 3, 5), 0, "everything fits");
    }
}
