//! The one table every list view draws with: columns that shrink to their
//! minimum and then drop (lowest priority first) as the screen narrows, a
//! selected row that stays in the window, and cells coloured by theme role.

use crate::config::term_caps::ColorDepth;
use crate::config::theme::Theme;
use crate::model::Severity;
use crate::ui::state::table::TableState;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    pub min: u16,
    /// The widest the column grows, however long its text.
    pub max: u16,
    pub align: Align,
    /// Columns with lower priority are dropped first when space runs out.
    pub priority: u8,
    /// Grows last, into whatever the other columns leave (a query, a message).
    pub fill: bool,
}

impl Column {
    pub const fn left(title: &'static str, min: u16, max: u16, priority: u8) -> Column {
        Column {
            title,
            min,
            max,
            align: Align::Left,
            priority,
            fill: false,
        }
    }

    pub const fn right(title: &'static str, min: u16, max: u16, priority: u8) -> Column {
        Column {
            title,
            min,
            max,
            align: Align::Right,
            priority,
            fill: false,
        }
    }

    /// This column takes the width the others leave once they have theirs.
    pub const fn filling(mut self) -> Column {
        self.fill = true;
        self
    }
}

/// The theme role a cell is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Muted,
    Good,
    Sev(Severity),
}

impl Tone {
    pub fn style(self, t: &Theme) -> Style {
        match self {
            Tone::Plain | Tone::Sev(Severity::Ok | Severity::Info) => t.text,
            Tone::Muted => t.muted,
            Tone::Good => t.ok,
            Tone::Sev(s) => t.severity(s),
        }
    }

    /// Problems keep their colour on the selected row, so selecting a red row
    /// does not hide that it is red.
    fn alarming(self) -> bool {
        matches!(self, Tone::Sev(Severity::Warning | Severity::Critical))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub tone: Tone,
}

impl Cell {
    pub fn new(text: impl Into<String>, tone: Tone) -> Cell {
        Cell {
            text: text.into(),
            tone,
        }
    }

    pub fn plain(text: impl Into<String>) -> Cell {
        Cell::new(text, Tone::Plain)
    }

    pub fn muted(text: impl Into<String>) -> Cell {
        Cell::new(text, Tone::Muted)
    }

    pub fn sev(text: impl Into<String>, s: Severity) -> Cell {
        Cell::new(text, Tone::Sev(s))
    }
}

/// A table's rows, built only for the window on screen: a cluster's 10,000
/// pods are formatted 40 at a time, not all of them every frame.
pub struct Rows<'a> {
    len: usize,
    build: Box<dyn Fn(usize) -> Vec<Cell> + 'a>,
}

impl<'a> Rows<'a> {
    /// `len` rows, row `n` made by `build(n)` when it is drawn.
    pub fn lazy(len: usize, build: impl Fn(usize) -> Vec<Cell> + 'a) -> Rows<'a> {
        Rows {
            len,
            build: Box::new(build),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl From<Vec<Vec<Cell>>> for Rows<'_> {
    fn from(rows: Vec<Vec<Cell>>) -> Self {
        Rows::lazy(rows.len(), move |n| rows[n].clone())
    }
}

pub struct DataTable<'a> {
    pub columns: &'a [Column],
    pub rows: Rows<'a>,
    pub selected: usize,
    pub state: &'a TableState,
    pub theme: &'a Theme,
    /// Shown instead of rows when there are none.
    pub empty: &'a str,
}

/// Which columns are shown (by index, in order) and how wide, for `width`
/// cells. `natural` is each column's widest text (title included).
pub fn fit_columns(columns: &[Column], natural: &[u16], width: u16) -> Vec<(usize, u16)> {
    let mut by_priority: Vec<usize> = (0..columns.len()).collect();
    by_priority.sort_by_key(|i| std::cmp::Reverse(columns[*i].priority));
    // A filling column keeps a quarter of the width from less important
    // columns and from the others' growth: a wide screen shows more query.
    let share = |i: usize| (width / 4).clamp(columns[i].min, columns[i].max) - columns[i].min;
    let mut chosen: Vec<usize> = Vec::new();
    let mut used = 0u16;
    let mut reserved = 0u16;
    for i in by_priority {
        let need = columns[i].min + u16::from(!chosen.is_empty());
        let keep = if columns[i].fill { share(i) } else { 0 };
        // A less important column never takes the place of a more important one.
        if used + need + reserved + keep > width {
            break;
        }
        used += need;
        reserved += keep;
        chosen.push(i);
    }
    // Space left over widens columns towards their natural width, most
    // important first; filling columns last, with all that is left.
    let mut spare = width - used;
    let mut widths: Vec<(usize, u16)> = chosen.iter().map(|i| (*i, columns[*i].min)).collect();
    for filling in [false, true] {
        for (i, w) in widths
            .iter_mut()
            .filter(|(i, _)| columns[*i].fill == filling)
        {
            let want = if filling {
                columns[*i].max
            } else {
                natural[*i].clamp(columns[*i].min, columns[*i].max)
            };
            let room = if filling {
                spare
            } else {
                spare.saturating_sub(reserved)
            };
            let grow = want.saturating_sub(*w).min(room);
            *w += grow;
            spare -= grow;
        }
    }
    widths.sort_by_key(|(i, _)| *i);
    widths
}

/// `text` cut to `width` characters, with `…` where it was cut.
pub fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut s: String = text.chars().take(width - 1).collect();
    s.push('…');
    s
}

fn put(buf: &mut Buffer, x: u16, y: u16, w: u16, text: &str, align: Align, style: Style) {
    let text = clip(text, w as usize);
    let len = text.chars().count() as u16;
    let x = match align {
        Align::Left => x,
        Align::Right => x + w.saturating_sub(len),
    };
    buf.set_stringn(x, y, &text, w as usize, style);
}

impl Widget for DataTable<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let t = self.theme;
        // Without colour the selected row also carries a `>` in a margin of
        // its own, so reverse video is not the only sign of where `j` went.
        let full = area;
        let marker = t.caps.color == ColorDepth::Mono && area.width > 2;
        let area = if marker {
            Rect {
                x: area.x + 2,
                width: area.width - 2,
                ..area
            }
        } else {
            area
        };
        let body = area.height.saturating_sub(1) as usize;
        let (first, selected) = if self.rows.is_empty() {
            (0, 0)
        } else {
            let selected = self.selected.min(self.rows.len() - 1);
            (self.state.scroll(selected, self.rows.len(), body), selected)
        };
        let shown: Vec<Vec<Cell>> = (first..self.rows.len().min(first + body))
            .map(|n| (self.rows.build)(n))
            .collect();
        // Widths follow the rows on screen: measuring every row is what made
        // a 10,000-pod view take 40 ms a frame.
        let natural: Vec<u16> = self
            .columns
            .iter()
            .enumerate()
            .map(|(c, col)| {
                shown
                    .iter()
                    .map(|r| r.get(c).map_or(0, |cell| cell.text.chars().count()))
                    .chain([col.title.chars().count()])
                    .max()
                    .unwrap_or(0) as u16
            })
            .collect();
        let layout = fit_columns(self.columns, &natural, area.width);
        let mut x = area.x;
        for (c, w) in &layout {
            let col = &self.columns[*c];
            put(buf, x, area.y, *w, col.title, col.align, t.title);
            x += w + 1;
        }
        if self.rows.is_empty() {
            if body > 0 {
                buf.set_stringn(area.x, area.y + 1, self.empty, area.width as usize, t.muted);
            }
            return;
        }
        for (k, row) in shown.iter().enumerate() {
            let y = area.y + 1 + k as u16;
            let is_selected = first + k == selected;
            if is_selected {
                buf.set_style(Rect::new(full.x, y, full.width, 1), t.selection);
                if marker {
                    buf.set_string(full.x, y, ">", t.selection);
                }
            }
            let mut x = area.x;
            for (c, w) in &layout {
                if let Some(cell) = row.get(*c) {
                    let style = if is_selected && !cell.tone.alarming() {
                        t.selection
                    } else {
                        cell.tone.style(t)
                    };
                    put(buf, x, y, *w, &cell.text, self.columns[*c].align, style);
                }
                x += w + 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [Column; 3] = [
        Column::left("NAME", 8, 30, 9),
        Column::right("CPU", 5, 6, 5),
        Column::left("IMAGE", 10, 40, 1),
    ];

    #[test]
    fn columns_grow_to_fit_and_drop_by_priority() {
        let natural = [20, 5, 30];
        assert_eq!(
            fit_columns(&COLS, &natural, 100),
            vec![(0, 20), (1, 5), (2, 30)]
        );
        // Minimums first (8 + 1 + 5 + 1 + 10 = 25), then the name grows.
        assert_eq!(
            fit_columns(&COLS, &natural, 30),
            vec![(0, 13), (1, 5), (2, 10)]
        );
        assert_eq!(fit_columns(&COLS, &natural, 20), vec![(0, 14), (1, 5)]);
        assert_eq!(fit_columns(&COLS, &natural, 5), vec![]);
    }

    #[test]
    fn a_filling_column_takes_what_the_others_leave() {
        let cols = [
            Column::left("QUERY", 10, 160, 9).filling(),
            Column::left("NAME", 4, 30, 5),
            Column::left("USER", 4, 12, 1),
        ];
        // Important as it is, the query grows only after the name and user
        // have theirs, but keeps a quarter of the width for itself.
        assert_eq!(
            fit_columns(&cols, &[200, 12, 6], 60),
            vec![(0, 40), (1, 12), (2, 6)]
        );
        assert_eq!(
            fit_columns(&cols, &[200, 40, 6], 60),
            vec![(0, 22), (1, 30), (2, 6)]
        );
        assert_eq!(fit_columns(&cols, &[200, 12, 6], 18), vec![(0, 10), (1, 7)]);
    }

    fn draw(state: &TableState, selected: usize, height: u16) -> Vec<String> {
        let theme = Theme::default();
        let rows = Rows::lazy(10, |i| {
            vec![
                Cell::plain(format!("row{i}")),
                Cell::sev("9.0%", Severity::Critical),
            ]
        });
        let area = Rect::new(0, 0, 20, height);
        let mut buf = Buffer::empty(area);
        DataTable {
            columns: &COLS[..2],
            rows,
            selected,
            state,
            theme: &theme,
            empty: "none",
        }
        .render(area, &mut buf);
        let sel = buf[(0, 1 + (selected - state.offset.get()) as u16)].style();
        assert_eq!(sel.bg, theme.selection.bg, "the selected row is marked");
        (0..height)
            .map(|y| (0..20).map(|x| buf[(x, y)].symbol()).collect::<String>())
            .map(|l| l.trim_end().to_string())
            .collect()
    }

    #[test]
    fn the_window_follows_the_selection() {
        let state = TableState::default();
        let lines = draw(&state, 1, 4);
        assert_eq!(lines[0], "NAME       CPU");
        assert_eq!(
            &lines[1..],
            ["row0      9.0%", "row1      9.0%", "row2      9.0%"]
        );
        let lines = draw(&state, 7, 4);
        assert_eq!(
            &lines[1..],
            ["row5      9.0%", "row6      9.0%", "row7      9.0%"]
        );
        let lines = draw(&state, 6, 4);
        assert_eq!(
            lines[1], "row5      9.0%",
            "moving up inside the window keeps it"
        );
        assert_eq!(state.page.get(), 3);
    }

    #[test]
    fn only_the_rows_on_screen_are_built_and_measured() {
        let theme = Theme::default();
        let state = TableState::default();
        let built = std::cell::Cell::new(0);
        let area = Rect::new(0, 0, 40, 6);
        let mut buf = Buffer::empty(area);
        DataTable {
            columns: &COLS,
            rows: Rows::lazy(10_000, |i| {
                built.set(built.get() + 1);
                // A long name far below the window must not widen the column.
                let name = if i == 9_000 {
                    "x".repeat(30)
                } else {
                    format!("r{i}")
                };
                vec![Cell::plain(name), Cell::plain("1%"), Cell::plain("img")]
            }),
            selected: 2,
            state: &state,
            theme: &theme,
            empty: "none",
        }
        .render(area, &mut buf);
        assert_eq!(built.get(), 5, "a header and five rows fit");
        let header: String = (0..40).map(|x| buf[(x, 0)].symbol()).collect();
        assert_eq!(header.trim_end(), "NAME       CPU IMAGE");
    }

    #[test]
    fn clipping_marks_the_cut() {
        assert_eq!(clip("shop-api-1", 20), "shop-api-1");
        assert_eq!(clip("shop-api-1", 6), "shop-…");
        assert_eq!(clip("abc", 0), "");
    }
}
