//! The config model (`config.toml`), as DESIGN.md shows it. Every table denies
//! unknown keys so a typo is an error with a did-you-mean, not a silent default.

pub mod alert_rule;
mod backup_check;
mod init_template;
mod load;
pub mod paths;
mod targets;
pub mod term_caps;
pub mod theme;

pub use crate::base::duration::HumanDuration;
pub use init_template::INIT_TEMPLATE;
pub use load::{load, parse, split_command, validate, Loaded};
pub use targets::*;

use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub theme: String,
    pub refresh: HumanDuration,
    pub runbook_dirs: Vec<PathBuf>,
    /// As `--read-only` on every run: a shared jump host cannot act by accident.
    pub read_only: bool,
    /// What `s` and `opsdeck exec` run in a container when no command is
    /// given: a command line, split as a shell splits it (default `/bin/sh`).
    pub exec_command: Option<toml::Spanned<String>>,
    /// Names of built-in alert rules to switch off.
    pub disable_alerts: Vec<String>,
    pub docker: Vec<DockerTarget>,
    pub kubernetes: Vec<KubernetesTarget>,
    pub prometheus: Vec<PrometheusTarget>,
    pub alertmanager: Vec<AlertmanagerTarget>,
    pub scrape: Vec<ScrapeTarget>,
    pub probe: Vec<ProbeTarget>,
    pub postgres: Vec<PostgresTarget>,
    pub redis: Vec<RedisTarget>,
    pub backup: Vec<BackupTarget>,
    pub panel: Vec<Panel>,
    pub service: Vec<Service>,
    /// The user's alert rules, kept with their place in the file for errors.
    pub alert: Vec<toml::Spanned<alert_rule::RuleSpec>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            theme: "default".into(),
            refresh: HumanDuration::from_secs(2),
            runbook_dirs: Vec::new(),
            read_only: false,
            exec_command: None,
            disable_alerts: Vec::new(),
            docker: Vec::new(),
            kubernetes: Vec::new(),
            prometheus: Vec::new(),
            alertmanager: Vec::new(),
            scrape: Vec::new(),
            probe: Vec::new(),
            postgres: Vec::new(),
            redis: Vec::new(),
            backup: Vec::new(),
            panel: Vec::new(),
            service: Vec::new(),
            alert: Vec::new(),
        }
    }
}
