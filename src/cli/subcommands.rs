//! The verbs under `opsdeck demo`, `opsdeck alerts` and `opsdeck config`.

use super::act;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum DemoAction {
    /// Serve the demo HTTP service (/health, /metrics, /fault)
    Serve(crate::demo::DemoServeArgs),
    /// Exit 0 if URL answers 2xx (the scratch image's HEALTHCHECK)
    Check(crate::demo::DemoCheckArgs),
    /// Forward connections to the service's replicas: the demo's front door
    Front(crate::demo::DemoFrontArgs),
    /// Start the playground: Compose project opsdeck-demo, service api, 2 replicas
    Up {
        /// Docker target to run it on
        #[arg(long, default_value = "local")]
        target: String,
        /// Compose project name
        #[arg(long, default_value = crate::demo::playground::PROJECT)]
        project: String,
        /// The front door's port on 127.0.0.1: the one URL that stays put
        #[arg(long, default_value_t = crate::demo::playground::FRONT_PORT)]
        port: u16,
    },
    /// Remove the playground project, whatever it was scaled to
    Down {
        #[arg(long, default_value = "local")]
        target: String,
        #[arg(long, default_value = crate::demo::playground::PROJECT)]
        project: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AlertsAction {
    /// Turn a Prometheus rule file into [[alert]] TOML on stdout; what cannot be converted goes to stderr
    Import {
        /// A Prometheus rule file (YAML `groups:`, or PrometheusRule resources; several documents allowed)
        file: PathBuf,
        /// The [[prometheus]] the converted PromQL rules run against
        #[arg(long, value_name = "NAME")]
        prometheus: String,
        /// Put before every imported rule's name, to keep names apart across files
        #[arg(long, value_name = "TEXT", default_value = "")]
        prefix: String,
    },
    /// Create a silence on an [[alertmanager]]; the plan lists the alerts it mutes now
    Silence {
        /// The [[alertmanager]]'s name
        alertmanager: String,
        /// A label matcher: NAME=VALUE, NAME!=VALUE, NAME=~REGEX or NAME!~REGEX (repeat for more)
        #[arg(long = "matcher", short = 'm', value_name = "MATCHER", required = true)]
        matchers: Vec<String>,
        /// How long it lasts
        #[arg(long, value_name = "DURATION", default_value = "2h", value_parser = act::parse_duration)]
        duration: std::time::Duration,
        /// Why (Alertmanager requires one)
        #[arg(long, value_name = "TEXT")]
        comment: String,
        #[command(flatten)]
        flags: act::ActFlags,
    },
    /// An [[alertmanager]]'s active, pending and recently expired silences
    Silences {
        /// The [[alertmanager]]'s name
        alertmanager: String,
        /// Print JSON (shape documented in src/cli/silences.rs)
        #[arg(long)]
        json: bool,
    },
    /// Expire a silence on an [[alertmanager]] now; the plan lists the alerts it unmutes
    Expire {
        /// The [[alertmanager]]'s name
        alertmanager: String,
        /// The silence's id (see `opsdeck alerts silences AM`)
        id: String,
        #[command(flatten)]
        flags: act::ActFlags,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Write a commented config file with the defaults
    Init {
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
    /// Print the path of the config file in use
    Path,
    /// Validate the config file (and its theme); every error with file, line and column
    Check,
}
