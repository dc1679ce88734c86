//! What the console shows and where the user is: kept apart from the Model,
//! which holds what opsdeck knows about the world.

pub mod action_flow;
pub mod database;
pub mod log_view;
pub mod table;

pub use action_flow::ActionFlow;
pub use log_view::LogView;
pub use table::TableState;

use super::keymap::Scope;
use crate::config::theme::Theme;
use crate::model::{Severity, WorkloadAddr};

/// The top-level screens. Logs is entered from a list with `l`, not by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Overview,
    Workloads,
    Containers,
    Events,
    Alerts,
    Metrics,
    Database,
    Logs,
    /// A runbook run: reached from an alert (Enter) or `:runbook ID`.
    Runbook,
    /// A load run started with `:load`.
    Load,
}

impl View {
    /// The views reached by the number keys, in order.
    pub const NUMBERED: [View; 7] = [
        View::Overview,
        View::Workloads,
        View::Containers,
        View::Events,
        View::Alerts,
        View::Metrics,
        View::Database,
    ];

    pub fn title(self) -> &'static str {
        match self {
            View::Overview => "Overview",
            View::Workloads => "Workloads",
            View::Containers => "Containers",
            View::Events => "Events",
            View::Alerts => "Alerts",
            View::Metrics => "Metrics",
            View::Database => "Database",
            View::Logs => "Logs",
            View::Runbook => "Runbook",
            View::Load => "Load",
        }
    }

    /// The key scopes that apply here, the first winning on a shared key.
    pub fn scopes(self) -> &'static [Scope] {
        match self {
            View::Overview => &[Scope::Panes, Scope::Global],
            View::Workloads => &[Scope::Table, Scope::Workload, Scope::Global],
            View::Containers => &[
                Scope::Table,
                Scope::Instance,
                Scope::Workload,
                Scope::Global,
            ],
            View::Events => &[Scope::Table, Scope::Global],
            View::Alerts => &[Scope::Alerts, Scope::Table, Scope::Global],
            View::Metrics => &[Scope::Metrics, Scope::Table, Scope::Global],
            View::Database => &[Scope::Database, Scope::Table, Scope::Global],
            View::Logs => &[Scope::Logs, Scope::Global],
            View::Runbook => &[Scope::Runbook, Scope::Global],
            View::Load => &[Scope::Load, Scope::Global],
        }
    }
}

/// The table views' states, one each.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    pub workloads: TableState,
    pub containers: TableState,
    pub events: TableState,
    pub alerts: TableState,
    pub silences: TableState,
    pub rules: TableState,
    /// Which list the alerts view shows.
    pub alerts_list: AlertsList,
    pub services: TableState,
    /// Sessions of every PostgreSQL target.
    pub database: TableState,
    /// Containers of this workload only (after Enter on a workload).
    pub containers_of: Option<WorkloadAddr>,
    /// `:ctx`: only this target's workloads, pods and events.
    pub context: Option<String>,
    /// `:ns`: only this namespace (group).
    pub namespace: Option<String>,
}

/// The alerts view's three lists, cycled with Tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertsList {
    #[default]
    Alerts,
    /// Each Alertmanager's silences.
    Silences,
    /// Each Prometheus's own alerting rules.
    Rules,
}

impl AlertsList {
    pub fn next(self) -> Self {
        match self {
            AlertsList::Alerts => AlertsList::Silences,
            AlertsList::Silences => AlertsList::Rules,
            AlertsList::Rules => AlertsList::Alerts,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            AlertsList::Alerts => "Alerts",
            AlertsList::Silences => "Silences",
            AlertsList::Rules => "Prometheus rules",
        }
    }
}

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
    /// The list of every target over the view (`T`, `:targets`).
    Targets,
    Command(String),
    Filter(String),
}

/// Chart spans: seconds per column. The first is replaced by the refresh interval.
pub const ZOOM_STEPS: [i64; 5] = [2, 10, 60, 300, 1800];

#[derive(Debug, Clone)]
pub struct UiState {
    pub theme: Theme,
    pub view: View,
    pub focus: Pane,
    pub mode: Mode,
    filters: [String; 5],
    pub message: Option<(String, Severity)>,
    pub zoom: usize,
    pub quit: bool,
    pub tables: Tables,
    /// The open logs view; None when it is closed.
    pub logs: Option<LogView>,
    /// Where Esc from the logs view returns to.
    pub logs_from: View,
    /// The number the next log stream gets; streams never reuse one.
    pub next_stream: u64,
    pub action: Option<ActionFlow>,
    /// Index into `PANEL_RANGES`: the span the metrics view's panels cover.
    pub panel_range: usize,
    /// The panels' last range query, so the next is asked only when due.
    pub panels_asked: Option<PanelAsk>,
    /// The terminal's width, which decides how many points a chart needs.
    pub screen_width: u16,
    /// Where Esc from the runbook view returns to.
    pub runbook_from: View,
    /// The last run asked for, kept so that naming a missing param on the
    /// command line starts it with the alert it came from.
    pub pending_run: Option<PendingRun>,
    /// Lines scrolled in the runbook view's question pane (a long plan).
    pub question_scroll: u16,
    /// Each Kubernetes target with the contexts of its kubeconfig, read at
    /// start, for `:ctx`.
    pub kube_contexts: Vec<(crate::connect::kube::KubeTarget, Vec<String>)>,
    /// The rollout history shown over the list (`h`); None when closed.
    pub history: Option<HistoryPane>,
    /// The pod (its key in the pods list) whose containers are shown over
    /// the list (Enter on a pod); None when closed.
    pub pod_containers: Option<String>,
    /// The Database view's list, session detail and root offer.
    pub db: database::DbView,
}

/// A run asked for: what it was given and the alert it answers.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRun {
    pub id: String,
    pub params: std::collections::BTreeMap<String, String>,
    pub labels: std::collections::BTreeMap<String, String>,
    pub alert: Option<crate::runbook::timeline::FiredAlert>,
}

/// A workload's revisions as its orchestrator lists them, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPane {
    pub workload: WorkloadAddr,
    /// None while asking; then the revisions or why there are none.
    pub revisions: Option<Result<Vec<crate::action::Revision>, String>>,
}

/// What the metrics view last asked Prometheus for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanelAsk {
    pub at: i64,
    pub range_secs: i64,
    pub columns: u16,
}

impl UiState {
    pub fn new(theme: Theme) -> Self {
        UiState {
            theme,
            view: View::Overview,
            focus: Pane::Cpu,
            mode: Mode::Normal,
            filters: Default::default(),
            message: None,
            zoom: 0,
            quit: false,
            tables: Tables::default(),
            logs: None,
            logs_from: View::Workloads,
            next_stream: 1,
            action: None,
            panel_range: 0,
            panels_asked: None,
            screen_width: 80,
            runbook_from: View::Alerts,
            pending_run: None,
            question_scroll: 0,
            kube_contexts: Vec::new(),
            history: None,
            pod_containers: None,
            db: database::DbView::default(),
        }
    }

    pub fn filter(&self, pane: Pane) -> &str {
        &self.filters[pane.index()]
    }

    pub fn set_filter(&mut self, pane: Pane, text: String) {
        self.filters[pane.index()] = text;
    }

    pub fn table(&self, view: View) -> Option<&TableState> {
        match view {
            View::Workloads => Some(&self.tables.workloads),
            View::Containers => Some(&self.tables.containers),
            View::Events => Some(&self.tables.events),
            View::Alerts => Some(match self.tables.alerts_list {
                AlertsList::Alerts => &self.tables.alerts,
                AlertsList::Silences => &self.tables.silences,
                AlertsList::Rules => &self.tables.rules,
            }),
            View::Metrics => Some(&self.tables.services),
            View::Database => Some(match self.db.list {
                database::DbList::Sessions => &self.tables.database,
                database::DbList::Holders => &self.db.holders,
            }),
            View::Overview | View::Logs | View::Runbook | View::Load => None,
        }
    }

    pub fn table_mut(&mut self, view: View) -> Option<&mut TableState> {
        match view {
            View::Workloads => Some(&mut self.tables.workloads),
            View::Containers => Some(&mut self.tables.containers),
            View::Events => Some(&mut self.tables.events),
            View::Alerts => Some(match self.tables.alerts_list {
                AlertsList::Alerts => &mut self.tables.alerts,
                AlertsList::Silences => &mut self.tables.silences,
                AlertsList::Rules => &mut self.tables.rules,
            }),
            View::Metrics => Some(&mut self.tables.services),
            View::Database => Some(match self.db.list {
                database::DbList::Sessions => &mut self.tables.database,
                database::DbList::Holders => &mut self.db.holders,
            }),
            View::Overview | View::Logs | View::Runbook | View::Load => None,
        }
    }

    /// The text `/` edits in the current view: a pane's filter, a table's
    /// filter or the logs search.
    pub fn current_filter(&self) -> &str {
        match self.view {
            View::Overview => self.filter(self.focus),
            View::Logs => self.logs.as_ref().map_or("", |l| l.search.as_str()),
            v => self.table(v).map_or("", |t| t.filter.as_str()),
        }
    }

    pub fn set_current_filter(&mut self, text: String) {
        match self.view {
            View::Overview => self.set_filter(self.focus, text),
            View::Logs => {
                if let Some(l) = self.logs.as_mut() {
                    l.search = text;
                    l.current = None;
                }
            }
            v => {
                if let Some(t) = self.table_mut(v) {
                    t.filter = text;
                }
            }
        }
    }

    /// What the filter line calls the thing being filtered.
    pub fn filter_label(&self) -> String {
        match self.view {
            View::Overview => self.focus.title().to_lowercase(),
            View::Logs => "search".into(),
            v => v.title().to_lowercase(),
        }
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
