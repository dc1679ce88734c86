//! What the console shows and where the user is: kept apart from the Model,
//! which holds what opsdeck knows about the world.

use super::theme::Theme;
use crate::model::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Cpu,
    Memory,
    Load,
    Network,
    Disks,
}

impl Pane {
    pub const ALL: [Pane; 5] = [
        Pane::Cpu,
        Pane::Memory,
        Pane::Load,
        Pane::Network,
        Pane::Disks,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Cpu => "CPU",
            Pane::Memory => "Memory",
            Pane::Load => "Load",
            Pane::Network => "Network",
            Pane::Disks => "Disks",
        }
    }

    /// Lists that `/` can filter.
    pub fn is_list(self) -> bool {
        matches!(self, Pane::Network | Pane::Disks | Pane::Cpu)
    }

    /// Position in the overview grid (row, column); Disks spans the bottom row.
    pub fn cell(self) -> (usize, usize) {
        match self {
            Pane::Cpu => (0, 0),
            Pane::Memory => (0, 1),
            Pane::Load => (1, 0),
            Pane::Network => (1, 1),
            Pane::Disks => (2, 0),
        }
    }

    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Help,
    Command(String),
    Filter(String),
}

/// Chart spans: seconds per column. The first is replaced by the refresh interval.
pub const ZOOM_STEPS: [i64; 5] = [2, 10, 60, 300, 1800];

#[derive(Debug, Clone)]
pub struct UiState {
    pub theme: Theme,
    pub focus: Pane,
    pub mode: Mode,
    filters: [String; 5],
    pub message: Option<(String, Severity)>,
    pub zoom: usize,
    pub quit: bool,
}

impl UiState {
    pub fn new(theme: Theme) -> Self {
        UiState {
            theme,
            focus: Pane::Cpu,
            mode: Mode::Normal,
            filters: Default::default(),
            message: None,
            zoom: 0,
            quit: false,
        }
    }

    pub fn filter(&self, pane: Pane) -> &str {
        &self.filters[pane.index()]
    }

    pub fn set_filter(&mut self, pane: Pane, text: String) {
        self.filters[pane.index()] = text;
    }

    /// Seconds per chart column at the current zoom.
    pub fn chart_step(&self, refresh_secs: i64) -> i64 {
        if self.zoom == 0 {
            refresh_secs.max(1)
        } else {
            ZOOM_STEPS[self.zoom]
        }
    }

    pub fn cycle_focus(&mut self, forward: bool) {
        let n = Pane::ALL.len();
        let i = self.focus.index();
        self.focus = Pane::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }

    /// Moves focus to the neighbouring pane in the grid, staying put at an edge.
    pub fn move_focus(&mut self, drow: isize, dcol: isize) {
        let (r, c) = self.focus.cell();
        let (r, c) = (r as isize + drow, c as isize + dcol);
        let target = Pane::ALL
            .iter()
            .copied()
            .filter(|p| p.cell().0 as isize == r)
            .min_by_key(|p| (p.cell().1 as isize - c).abs());
        if let (Some(p), true) = (
            target,
            dcol == 0
                || Pane::ALL
                    .iter()
                    .any(|p| p.cell() == (r as usize, c as usize)),
        ) {
            self.focus = p;
        }
    }
}
