//! What the console asks the executors to do; each answer comes back as an
//! [`Event`](super::Event).

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Leave the console (the app loop, not an executor, acts on it).
    Quit,
    /// Load a theme by name or path; it comes back as `Event::Theme`.
    LoadTheme(String),
    /// Start streaming the logs of these containers (id, name) on `target`
    /// (a pod's id is `NAMESPACE/POD`); `previous` asks for the instances
    /// before the last restart. Lines come back as `Event::Logs { stream, .. }`.
    /// Stream numbers only grow.
    OpenLogs {
        stream: u64,
        target: String,
        instances: Vec<(String, String)>,
        previous: bool,
    },
    /// Stop the stream; later lines for it are ignored anyway.
    CloseLogs { stream: u64 },
    /// Read one object (`opsdeck describe` / `get` address) and answer with
    /// its description (or raw form, masked) as the lines of `Event::Logs`
    /// on `stream`; a failure to read is one stderr line saying why.
    Describe {
        stream: u64,
        address: String,
        raw: bool,
    },
    /// Work out what the request would change; answer with
    /// `Event::Action(ActionEvent::Planned(..))`.
    PlanAction(crate::action::Request),
    /// Run a plan the user confirmed; answer with `ActionEvent::Progress` and
    /// finally `ActionEvent::Done`.
    Execute(crate::action::Plan),
    /// Record a local acknowledgement of this alert with the note typed; the
    /// ack written comes back as `Event::Acknowledged`.
    Acknowledge {
        row: Box<crate::console::AlertRow>,
        note: String,
    },
    /// Ask every panel's Prometheus for `range_secs` up to `end`, one point
    /// every `step` seconds (`columns` points); answers come back as
    /// `Event::PanelRange`.
    QueryPanels {
        range_secs: i64,
        step: i64,
        end: i64,
        columns: u16,
    },
    /// Start runbook `id` with `params` given and an alert's `labels` bound;
    /// the run reports as `Event::Runbook`.
    StartRunbook {
        id: String,
        params: std::collections::BTreeMap<String, String>,
        labels: std::collections::BTreeMap<String, String>,
        /// The alert it was opened from, for the run's record and report.
        alert: Option<Box<crate::runbook::timeline::FiredAlert>>,
    },
    /// The person's answer to the question the run is waiting on.
    AnswerRunbook(super::runbook::Answer),
    /// The live Model's answer to a run's check (`RunEvent::Read` with this id).
    AnswerRead {
        id: u64,
        facts: crate::runbook::judge::Facts,
    },
    /// Write the run's Markdown report next to its timeline.
    WriteReport {
        runbook: Box<crate::runbook::spec::Runbook>,
        timeline: std::path::PathBuf,
    },
    /// Plan a load run through the action path, like `PlanAction`; once
    /// confirmed (`Execute`), its figures come back as `Event::Load`.
    PlanLoad(Box<crate::load::LoadSpec>),
    /// Plan a capacity run (`:load URL --stages ...`) the same way; what it
    /// reads beside its stages is set up with the plan, its progress comes
    /// back as `Event::Capacity` and its report as `Event::CapacityReport`.
    PlanCapacity(Box<CapacityAsk>),
    /// Stop the load run under way; its figures so far stand.
    StopLoad,
    /// Ask the workload's orchestrator for its revisions; the answer comes
    /// back as `Event::History`.
    History(crate::model::WorkloadAddr),
    /// Start watching a kubeconfig context chosen with `:ctx` (already added to the model).
    WatchContext(Box<crate::connect::kube::KubeTarget>),
    /// A shell (an exec; an empty command is the configured one) in a
    /// container. The app loop runs it, as it needs the terminal: the
    /// console steps aside until the command exits.
    Shell(crate::action::Request),
}

/// A capacity run as the console asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityAsk {
    pub spec: crate::load::capacity::spec::CapacitySpec,
    /// `--workload`: read beside the stages (default: found by the URL's port).
    pub workload: Option<crate::model::WorkloadAddr>,
    /// `--report FILE`.
    pub report: Option<std::path::PathBuf>,
}
