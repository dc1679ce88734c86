//! `opsdeck alerts [--json]`: one evaluation of every alert rule, with the
//! alerts each configured Prometheus reports; and `opsdeck alerts import`,
//! which turns a Prometheus rule file into `[[alert]]` tables.
//!
//! A one-shot command cannot wait out a `for` duration: it polls every target
//! once and evaluates once, so a rule whose condition holds shows as pending,
//! or firing when its `for` is 0. Prometheus's own alerts come as Prometheus
//! reports them (pending or firing), since Prometheus keeps their history.
//!
//! `--json` prints `{ "generated_at", "targets": [Target], "alerts": [Alert] }`
//! where an Alert is `{ "source": "opsdeck" | PROMETHEUS, "rule", "series",
//! "labels", "annotations", "state": "pending" | "firing" | "resolved" |
//! "no-data" | "error", "severity", "value", "threshold", "op", "since",
//! "active_since", "runbook": {"id"|"url": ..} | null, "runbook_id", "message",
//! "flapping", "muted_by": [..] (when muted), "ack": {"who", "at", "note",
//! ..} (when acknowledged in its current state) }`, worst first; "rules" are
//! each Prometheus's alerting rules `{ "source", "group", "name", "query",
//! "state": "inactive" | "pending" | "firing", "health", "last_error",
//! "severity", "for_secs", "runbook", "runbook_id" }`, firing first; and
//! "silences" each Alertmanager's (shape in src/cli/silences.rs). Each alert is
//! listed once with every source that reports it (`"sources"`). Exit 0 when
//! nothing fires and every alert source was read, 1 when a warning fires or a
//! Prometheus or Alertmanager cannot be read (stderr names it and why), 2 when
//! a critical alert fires.

use super::status::collect;
use crate::base::time::rfc3339;
use crate::config::Config;
use crate::console::{AlertRow, SilenceRow};
use crate::model::{Health, Severity, Target};
use crate::prometheus::PromRuleRow;

use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Serialize)]
struct Report<'a> {
    generated_at: String,
    targets: &'a [Target],
    alerts: Vec<AlertRow>,
    /// Each Prometheus's own alerting rules.
    rules: Vec<PromRuleRow>,
    /// Each Alertmanager's silences.
    silences: Vec<SilenceRow>,
}

pub async fn run(
    config: &Config,
    json: bool,
    window: Option<std::time::Duration>,
) -> color_eyre::Result<ExitCode> {
    let (model, _) = collect(config, true, window).await;
    let report = Report {
        generated_at: rfc3339(crate::base::time::unix_now()),
        targets: &model.targets,
        alerts: model.alerts.rows(),
        rules: model.alerts.prom_rule_rows(),
        silences: model.alerts.silence_rows(),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_text(&report);
    }
    // Blind is not green: a Prometheus or Alertmanager that cannot be read may
    // hold alerts that are firing now.
    let blind = unreadable_alert_sources(&model.targets);
    for (name, reason) in &blind {
        eprintln!("error: alert source {name} cannot be read: {reason}");
    }
    let code = exit_code(model.alerts.worst_firing()).max(u8::from(!blind.is_empty()));
    Ok(ExitCode::from(code))
}

/// Each Prometheus or Alertmanager that could not be read, with why.
pub fn unreadable_alert_sources(targets: &[Target]) -> Vec<(String, String)> {
    use crate::model::TargetKind;
    targets
        .iter()
        .filter(|t| matches!(t.kind, TargetKind::Prometheus | TargetKind::Alertmanager))
        .filter_map(|t| match &t.health {
            Health::Degraded { reason, .. } => Some((t.name.clone(), reason.clone())),
            Health::Connecting => Some((t.name.clone(), "no answer yet".into())),
            Health::Ok => None,
        })
        .collect()
}

pub fn exit_code(worst_firing: Option<Severity>) -> u8 {
    match worst_firing {
        Some(Severity::Critical) => 2,
        Some(Severity::Warning) => 1,
        _ => 0,
    }
}

fn print_text(r: &Report) {
    for t in r.targets {
        if let Health::Degraded { reason, .. } = &t.health {
            eprintln!("note: {} is degraded: {reason}", t.name);
        }
    }
    if r.alerts.is_empty() {
        println!("no alert is pending or firing");
        return;
    }
    for a in &r.alerts {
        let v = &a.alert;
        let runbook = a
            .runbook_id
            .as_deref()
            .map(|id| format!("  runbook {id}"))
            .unwrap_or_default();
        let what = if v.series.is_empty() { "-" } else { &v.series };
        let state = if a.muted() {
            "silenced"
        } else {
            v.state.as_str()
        };
        let ack = a
            .ack
            .as_ref()
            .map(|k| format!("  ack by {}", k.who))
            .unwrap_or_default();
        println!(
            "{:<8} {:<8} {:<20} {:<16} {what}  [{}]{runbook}{ack}",
            v.severity.as_str(),
            state,
            v.rule,
            a.value_text(),
            a.sources.join("+")
        );
    }
}

/// Prints the converted rules as TOML on stdout, ready to append to the
/// config (a comment when there is no alerting rule), and what was not
/// converted on stderr. Exit 0 when every alerting rule converted (caveats
/// and recording rules are only notes), 1 when some were left out, 2 when
/// the file could not be read at all.
pub fn import(
    loaded: &crate::config::Loaded,
    file: &Path,
    prometheus: &str,
    prefix: &str,
) -> ExitCode {
    let config = &loaded.config;
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: cannot read: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let (catalog, _) = crate::exec::files::load_catalog(&config.runbook_dirs);
    let existing = config
        .alert
        .iter()
        .map(|r| {
            let (line, _) = crate::base::diag::line_col(&loaded.text, r.span().start);
            (
                r.get_ref().name.clone(),
                format!("{}:{line}", loaded.path.display()),
            )
        })
        .collect();
    let options = crate::alert::promfile::ImportOptions {
        prometheus,
        prefix,
        existing,
        known_runbooks: catalog
            .entries()
            .iter()
            .map(|e| e.runbook.id.clone())
            .collect(),
    };
    let report = match crate::alert::import_rule_file(file, &text, &options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if !config
        .prometheus
        .iter()
        .any(|p| p.name.get_ref() == prometheus)
    {
        eprintln!(
            "note: no [[prometheus]] named {prometheus:?} is configured yet; add one before these rules"
        );
    }
    let recording = report.notes.iter().filter(|n| n.recording).count();
    // Only tables or comments: appended to a valid config, the config stays valid.
    if report.rules.is_empty() {
        println!(
            "# {}: no alerting rules to import ({recording} recording rule(s), left to Prometheus)",
            file.display()
        );
    } else {
        match crate::alert::rules_to_toml(&report.rules) {
            Ok(toml) => print!(
                "\n# imported from {} (opsdeck alerts import --prometheus {prometheus})\n{toml}",
                file.display()
            ),
            Err(e) => {
                eprintln!("error: cannot write the rules as TOML: {e}");
                return ExitCode::from(2);
            }
        }
    }
    for note in &report.notes {
        eprintln!("{}: {note}", file.display());
    }
    eprintln!(
        "{} rule(s) converted, {recording} recording rule(s) left to Prometheus, {} note(s)",
        report.rules.len(),
        report.notes.len()
    );
    if report.notes.iter().all(|n| n.converted || n.recording) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
