//! Every key binding in one table: the handler looks keys up here, and the help
//! view and the footer list this same table, so none of them can disagree.
//! A binding belongs to a scope; the current view decides which scopes apply.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Quit,
    Help,
    /// Every target with its health and reason, over the view.
    Targets,
    NextPane,
    PrevPane,
    Left,
    Right,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Command,
    Filter,
    ZoomOut,
    ZoomIn,
    Back,
    /// Switch to the n-th top-level view (1 = overview).
    View(u8),
    Open,
    Logs,
    /// A shell in the selected container (or pod).
    Shell,
    Scale,
    Restart,
    Rollback,
    /// The workload's rollout history (revision, image, change-cause, age).
    History,
    /// The events view, narrowed to the selected workload.
    WorkloadEvents,
    Follow,
    Timestamps,
    /// Logs view: the container instances before their last restart, or back.
    Previous,
    NextMatch,
    PrevMatch,
    Apply,
    Cancel,
    Retry,
    Skip,
    Abort,
    Report,
    EditParams,
    /// Alerts view: show the next list (alerts, silences, Prometheus rules).
    NextList,
    Silence,
    Expire,
    Acknowledge,
    /// Database view: cancel the selected session's query.
    CancelQuery,
    /// Database view: terminate the selected session.
    Terminate,
    /// Database view: the restore drill of the marked `[[backup]]` (the backup runbook).
    VerifyBackup,
    /// Database view: mark the next `[[backup]]`.
    NextBackup,
    StopLoad,
    /// `d` / `y`: the selected object described, or raw (YAML/JSON).
    Describe,
    Raw,
    /// Ctrl-K, S on a container, Ctrl-D on a pod: through the action dialog.
    KillContainer,
    StopStart,
    DeletePod,
}

/// Where a binding works. Earlier scopes in `Scope::for_*` win on a shared key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    /// The host panes of the overview.
    Panes,
    /// Any table view: workloads, containers, events.
    Table,
    /// Views whose rows are containers (or pods): ahead of Workload, so
    /// `s` is a shell there, as in k9s, lazydocker and oxker.
    Instance,
    /// Views whose rows are (or belong to) a workload.
    Workload,
    /// The Database view's sessions.
    Database,
    Logs,
    /// The alerts view: its lists, silences and acknowledgements.
    Alerts,
    /// The metrics view: services and panels.
    Metrics,
    /// A runbook run.
    Runbook,
    /// The action confirmation dialog.
    Confirm,
    /// The load view.
    Load,
}

/// A key as the table spells it: a code, and whether Ctrl must be held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

pub struct Binding {
    pub scope: Scope,
    /// How help spells the keys.
    pub label: &'static str,
    pub keys: &'static [(Key, Intent)],
    pub what: &'static str,
    /// Short key and word for the footer, when the binding earns a place there.
    pub footer: Option<(&'static str, &'static str)>,
}

const fn b(
    scope: Scope,
    label: &'static str,
    keys: &'static [(Key, Intent)],
    what: &'static str,
    footer: Option<(&'static str, &'static str)>,
) -> Binding {
    Binding {
        scope,
        label,
        keys,
        what,
        footer,
    }
}

use Intent as A;
use Scope as S;

const ARROWS: &[(Key, Intent)] = &[
    (code(KeyCode::Left), A::Left),
    (k('h'), A::Left),
    (code(KeyCode::Down), A::Down),
    (k('j'), A::Down),
    (code(KeyCode::Up), A::Up),
    (k('k'), A::Up),
    (code(KeyCode::Right), A::Right),
    (k('l'), A::Right),
];

const ROWS: &[(Key, Intent)] = &[
    (code(KeyCode::Down), A::Down),
    (k('j'), A::Down),
    (code(KeyCode::Up), A::Up),
    (k('k'), A::Up),
];

const PAGES: &[(Key, Intent)] = &[
    (code(KeyCode::PageUp), A::PageUp),
    (code(KeyCode::PageDown), A::PageDown),
    (code(KeyCode::Home), A::Top),
    (k('g'), A::Top),
    (code(KeyCode::End), A::Bottom),
    (k('G'), A::Bottom),
];

pub const BINDINGS: &[Binding] = &[
    b(
        S::Global,
        "?",
        &[(k('?'), A::Help)],
        "show or hide this help",
        Some(("?", "help")),
    ),
    b(
        S::Global,
        "q  Ctrl-C",
        &[(k('q'), A::Quit), (ctrl('c'), A::Quit)],
        "quit",
        Some(("q", "quit")),
    ),
    b(
        S::Global,
        "1 2 3 4 5 6 7",
        &[
            (k('1'), A::View(1)),
            (k('2'), A::View(2)),
            (k('3'), A::View(3)),
            (k('4'), A::View(4)),
            (k('5'), A::View(5)),
            (k('6'), A::View(6)),
            (k('7'), A::View(7)),
        ],
        "overview · workloads · containers · events · alerts · metrics · database",
        Some(("1-7", "view")),
    ),
    b(
        S::Global,
        "T",
        &[(k('T'), A::Targets)],
        "every target with its health and why it is degraded",
        None,
    ),
    b(
        S::Panes,
        "Tab  Shift-Tab",
        &[
            (code(KeyCode::Tab), A::NextPane),
            (code(KeyCode::BackTab), A::PrevPane),
        ],
        "next / previous pane",
        Some(("Tab", "pane")),
    ),
    b(
        S::Panes,
        "←↓↑→  h j k l",
        ARROWS,
        "move to the pane in that direction",
        None,
    ),
    b(
        S::Panes,
        "/",
        &[(k('/'), A::Filter)],
        "filter the focused list (Enter keeps, Esc clears)",
        Some(("/", "filter")),
    ),
    b(
        S::Panes,
        "[  ]",
        &[(k('['), A::ZoomOut), (k(']'), A::ZoomIn)],
        "charts: longer / shorter time span",
        Some(("[ ]", "span")),
    ),
    b(
        S::Table,
        "↓↑  j k",
        ROWS,
        "select the next / previous row",
        None,
    ),
    b(
        S::Table,
        "PgUp PgDn g G",
        PAGES,
        "page up / down, first / last row",
        None,
    ),
    b(
        S::Table,
        "/",
        &[(k('/'), A::Filter)],
        "filter the rows (Enter keeps, Esc clears)",
        Some(("/", "filter")),
    ),
    b(
        S::Table,
        "Enter",
        &[(code(KeyCode::Enter), A::Open)],
        "workloads: its pods or containers; a pod: its containers (Esc goes back)",
        Some(("Enter", "open")),
    ),
    b(
        S::Workload,
        "l",
        &[(k('l'), A::Logs)],
        "logs of the selected container or workload",
        Some(("l", "logs")),
    ),
    b(
        S::Instance,
        "s",
        &[(k('s'), A::Shell)],
        "a shell in the selected container (exec_command, else /bin/sh; :exec CMD runs CMD); exit returns here",
        Some(("s", "shell")),
    ),
    b(
        S::Workload,
        "s",
        &[(k('s'), A::Scale)],
        "scale the workload (asks for the replica count)",
        Some(("s", "scale")),
    ),
    b(
        S::Workload,
        "r",
        &[(k('r'), A::Restart)],
        "restart the workload",
        Some(("r", "restart")),
    ),
    b(
        S::Workload,
        "b",
        &[(k('b'), A::Rollback)],
        "roll the workload back to its previous revision",
        Some(("b", "rollback")),
    ),
    b(
        S::Workload,
        "h",
        &[(k('h'), A::History)],
        "rollout history of the workload: revision, image, change-cause, age (Esc closes)",
        Some(("h", "history")),
    ),
    b(
        S::Workload,
        "e",
        &[(k('e'), A::WorkloadEvents)],
        "events of the workload (the events view, filtered to it; / Esc clears)",
        None,
    ),
    b(
        S::Workload,
        "d  y",
        &[(k('d'), A::Describe), (k('y'), A::Raw)],
        "describe the selected row (status, events, containers, labels) / its raw object; / n N search",
        None,
    ),
    b(
        S::Workload,
        "Ctrl-K  S  Ctrl-D",
        &[(ctrl('k'), A::KillContainer), (k('S'), A::StopStart), (ctrl('d'), A::DeletePod)],
        "container: kill (SIGKILL) / stop or start it; pod: delete it (its controller replaces it)",
        None,
    ),
    b(
        S::Alerts,
        "Tab",
        &[(code(KeyCode::Tab), A::NextList)],
        "alerts · silences · Prometheus rules",
        Some(("Tab", "list")),
    ),
    b(
        S::Alerts,
        "S",
        &[(k('S'), A::Silence)],
        "silence the selected alert on its Alertmanager (asks duration, comment)",
        Some(("S", "silence")),
    ),
    b(
        S::Alerts,
        "X",
        &[(k('X'), A::Expire)],
        "silences: expire the selected silence",
        Some(("X", "expire")),
    ),
    b(
        S::Alerts,
        "a",
        &[(k('a'), A::Acknowledge)],
        "acknowledge the selected alert here (asks for a note)",
        Some(("a", "ack")),
    ),
    b(
        S::Metrics,
        "[  ]",
        &[(k('['), A::ZoomOut), (k(']'), A::ZoomIn)],
        "panels: longer / shorter range (5m 1h 6h 24h)",
        Some(("[ ]", "range")),
    ),
    b(
        S::Runbook,
        "y",
        &[(k('y'), A::Apply)],
        "yes: apply the proposed action, or continue after a note",
        Some(("y", "yes")),
    ),
    b(
        S::Runbook,
        "n",
        &[(k('n'), A::Cancel)],
        "no: decline the proposed action",
        Some(("n", "no")),
    ),
    b(
        S::Runbook,
        "Enter",
        &[(code(KeyCode::Enter), A::Open)],
        "continue after a note; give the value typed",
        None,
    ),
    b(
        S::Runbook,
        "r  s  x",
        &[(k('r'), A::Retry), (k('s'), A::Skip), (k('x'), A::Abort)],
        "a failed step: retry it, skip it, or abort the run",
        Some(("r s x", "retry/skip/abort")),
    ),
    b(
        S::Runbook,
        "w",
        &[(k('w'), A::Report)],
        "write the Markdown incident report",
        Some(("w", "report")),
    ),
    b(
        S::Runbook,
        "p",
        &[(k('p'), A::EditParams)],
        "edit the params and run it again (the command line, filled in)",
        Some(("p", "params")),
    ),
    b(
        S::Runbook,
        "j k ↓ ↑",
        ROWS,
        "scroll what the run asks (a long plan)",
        None,
    ),
    b(
        S::Runbook,
        "Esc",
        &[(code(KeyCode::Esc), A::Back)],
        "back to the view it came from (the run goes on; :runbook returns)",
        Some(("Esc", "back")),
    ),
    b(
        S::Database,
        "Enter",
        &[(code(KeyCode::Enter), A::Open)],
        "the session whole: query, transaction, lock chain, locks waited for and held (Esc closes)",
        Some(("Enter", "detail")),
    ),
    b(
        S::Database,
        "Tab",
        &[(code(KeyCode::Tab), A::NextList)],
        "sessions · who holds the connections (by user, application, client, state)",
        Some(("Tab", "holders")),
    ),
    b(
        S::Database,
        "c",
        &[(k('c'), A::CancelQuery)],
        "cancel the selected session's query (pg_cancel_backend); on a waiter, its lock chain's root",
        Some(("c", "cancel query")),
    ),
    b(
        S::Database,
        "x",
        &[(k('x'), A::Terminate)],
        "terminate the selected session (pg_terminate_backend); on a waiter, its lock chain's root; on a holder, its sessions",
        Some(("x", "terminate")),
    ),
    b(
        S::Database,
        "v  b",
        &[(k('v'), A::VerifyBackup), (k('b'), A::NextBackup)],
        "restore drill of the marked backup (▸): the backup runbook at its drill, plan confirmed in the run / mark the next backup",
        Some(("v", "drill")),
    ),
    b(
        S::Logs,
        "f",
        &[(k('f'), A::Follow)],
        "follow new lines on / off (scrolling up pauses)",
        Some(("f", "follow")),
    ),
    b(
        S::Logs,
        "t",
        &[(k('t'), A::Timestamps)],
        "show / hide timestamps",
        Some(("t", "time")),
    ),
    b(
        S::Logs,
        "p",
        &[(k('p'), A::Previous)],
        "Kubernetes: the previous container instance's output (after a crash or OOMKilled restart) / the current one",
        Some(("p", "prev")),
    ),
    b(
        S::Logs,
        "/  n N",
        &[
            (k('/'), A::Filter),
            (k('n'), A::NextMatch),
            (k('N'), A::PrevMatch),
        ],
        "search; next (newer) / previous (older) match",
        Some(("/ n N", "search")),
    ),
    b(
        S::Logs,
        "Esc",
        &[(code(KeyCode::Esc), A::Back)],
        "close the logs (stops the stream)",
        Some(("Esc", "close")),
    ),
    b(S::Logs, "↓↑  j k", ROWS, "scroll one line", None),
    b(
        S::Logs,
        "PgUp PgDn g G",
        PAGES,
        "scroll a page; oldest / newest line",
        None,
    ),
    b(
        S::Load,
        "x",
        &[(k('x'), A::StopLoad)],
        "stop the load run (the figures cover what was sent)",
        Some(("x", "stop")),
    ),
    b(
        S::Load,
        ":load URL",
        &[],
        "start a run: -c N -d 30s|-n N --rate R --profile constant|ramp|spike ...",
        Some((":load", "new run")),
    ),
    b(
        S::Confirm,
        "y",
        &[(k('y'), A::Apply)],
        "apply the plan",
        Some(("y", "apply")),
    ),
    b(
        S::Confirm,
        "n  Esc",
        &[(k('n'), A::Cancel), (code(KeyCode::Esc), A::Cancel)],
        "cancel",
        Some(("n/Esc", "cancel")),
    ),
    b(
        S::Global,
        ":",
        &[(k(':'), A::Command)],
        "command line (:theme NAME, :runbook ID [k=v...], :load URL ..., :q, :help)",
        Some((":", "command")),
    ),
    b(
        S::Global,
        "Esc",
        &[(code(KeyCode::Esc), A::Back)],
        "close help or logs, cancel input, clear message",
        None,
    ),
];

impl Key {
    fn matches(&self, key: &KeyEvent) -> bool {
        // Shift is part of the character ('N', '?'), so only Ctrl is compared.
        self.code == key.code && self.ctrl == key.modifiers.contains(KeyModifiers::CONTROL)
    }
}

/// The action `key` has in the given scopes, the first scope winning.
pub fn intent_for(scopes: &[Scope], key: KeyEvent) -> Option<Intent> {
    scopes.iter().find_map(|scope| {
        BINDINGS
            .iter()
            .filter(|b| b.scope == *scope)
            .flat_map(|b| b.keys.iter())
            .find(|(k, _)| k.matches(&key))
            .map(|(_, a)| *a)
    })
}

/// The bindings of one scope, in table order.
pub fn bindings_of(scope: Scope) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.scope == scope)
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
