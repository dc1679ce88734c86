//! Command-line parsing and dispatch; one file per subcommand family.

pub mod act;
mod alerts;
mod audit_cmd;
mod backup;
mod cache;
mod capacity;
mod config_cmd;
mod db;
mod demo_cmd;
mod describe;
mod exec_cmd;
pub mod load;
mod logs;
mod objects;
mod runbook;
mod runbook_term;
mod silences;
mod status;
mod subcommands;
mod themes;
mod workloads;

use crate::action::{docker::HealthGate, Verb};
use crate::config;
use crate::config::theme::Theme;
use crate::config::Config;
use crate::model::WorkloadAddr;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
pub use subcommands::{AlertsAction, ConfigAction, DemoAction};

#[derive(Debug, Parser)]
#[command(
    name = "opsdeck",
    version,
    about = "A keyboard-driven operations console for on-call engineers"
)]
pub struct Cli {
    /// Config file (default: the platform config dir's opsdeck/config.toml)
    #[arg(long, global = true, env = "OPSDECK_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Theme name (see `opsdeck themes`) or path to a theme file
    #[arg(long, global = true, value_name = "NAME|PATH")]
    pub theme: Option<String>,
    /// Disable every action that changes the outside world (verbs then exit 3)
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Draw the console with ASCII borders and bars (automatic for TERM=linux, vt100, dumb)
    #[arg(long, global = true)]
    pub ascii: bool,
    #[command(subcommand)]
    pub command: Option<Commands>,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// One snapshot of every target; exit 0 all clear, 1 warning firing, 2 critical firing
    Status {
        /// Print JSON (shape documented in the README)
        #[arg(long)]
        json: bool,
        /// Take a second reading after this long, for rates (default 2s when a scrape,
        /// PostgreSQL or Redis target gives rates; 0 takes one reading)
        #[arg(long, value_name = "DURATION", value_parser = status::parse_window)]
        window: Option<std::time::Duration>,
    },
    /// Alerts now: opsdeck's rules evaluated once (pending until `for` passes) and each Prometheus's;
    /// exit 0 none firing, 1 warning firing, 2 critical firing
    Alerts {
        /// Print JSON (shape documented in src/cli/alerts.rs)
        #[arg(long)]
        json: bool,
        /// Take a second reading after this long, for rates (as `status --window`)
        #[arg(long, value_name = "DURATION", value_parser = status::parse_window)]
        window: Option<std::time::Duration>,
        #[command(subcommand)]
        action: Option<AlertsAction>,
    },
    /// Every workload with replicas, images, CPU and memory
    Workloads {
        /// Print JSON (shape documented in src/cli/workloads.rs)
        #[arg(long)]
        json: bool,
    },
    /// Output of a workload's containers (TARGET/GROUP/NAME) or one container (TARGET/CONTAINER)
    Logs(logs::LogsArgs),
    /// A shell (or CMD) in a running container; audited, refused by --read-only
    Exec(exec_cmd::ExecArgs),
    /// Create, locate or validate the config file
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// List the built-in themes
    Themes,
    /// Scale a workload to N replicas (Compose: clones a replica; Swarm: service update)
    Scale {
        /// TARGET/GROUP/NAME, e.g. local/shop/api (GROUP `_` for a plain container)
        workload: WorkloadAddr,
        replicas: u32,
        #[command(flatten)]
        flags: act::ActFlags,
    },
    /// Restart a workload, one replica at a time, waiting for health
    Restart {
        /// TARGET/GROUP/NAME, e.g. local/shop/api (GROUP `_` for a plain container)
        workload: WorkloadAddr,
        #[command(flatten)]
        flags: act::ActFlags,
    },
    /// Roll a workload back to the image a deploy replaced (see `history`)
    Rollback {
        /// TARGET/GROUP/NAME, e.g. local/shop/api (GROUP `_` for a plain container)
        workload: WorkloadAddr,
        /// Revision number from `opsdeck history W` (default: the previous image)
        #[arg(long, value_name = "REV")]
        to: Option<String>,
        #[command(flatten)]
        flags: act::ActFlags,
    },
    /// Rolling, health-gated deploy of IMAGE; rolls back by itself when a new replica stays unhealthy
    Deploy {
        /// TARGET/GROUP/NAME, e.g. local/shop/api (GROUP `_` for a plain container)
        workload: WorkloadAddr,
        /// An image already on the target (nothing is pulled); on Kubernetes
        /// also CONTAINER=IMAGE, as kubectl set image takes it
        image: String,
        /// Kubernetes: the container of the pod template to set the image of
        /// (needed when the pod runs several)
        #[arg(long)]
        container: Option<String>,
        #[command(flatten)]
        gate: act::GateFlags,
        #[command(flatten)]
        flags: act::ActFlags,
    },
    /// Change the bounds of the HorizontalPodAutoscaler that manages a Kubernetes
    /// Deployment or StatefulSet (as `scale` cannot: the autoscaler would undo it)
    #[command(group(clap::ArgGroup::new("bounds").required(true).multiple(true).args(["min", "max"])))]
    Autoscale {
        /// TARGET/NAMESPACE/NAME of the workload the autoscaler manages
        workload: WorkloadAddr,
        /// New minReplicas (kept when not given)
        #[arg(long, value_name = "N")]
        min: Option<u32>,
        /// New maxReplicas (kept when not given)
        #[arg(long, value_name = "N")]
        max: Option<u32>,
        #[command(flatten)]
        flags: act::ActFlags,
    },
    /// Raise a [[redis]] cache's maxmemory (CONFIG SET), up to its max_maxmemory; the plan
    /// shows the current limit and memory used
    Maxmemory {
        /// The [[redis]] target's name
        cache: String,
        /// The new limit: 512mb, 2gb, or bytes (1024-based, as Redis reads them)
        #[arg(value_parser = crate::base::units::parse_bytes)]
        size: u64,
        #[command(flatten)]
        flags: act::ActFlags,
    },
    /// The images opsdeck replaced on a workload, for rollback --to
    History {
        /// TARGET/GROUP/NAME, e.g. local/shop/api (GROUP `_` for a plain container)
        workload: WorkloadAddr,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// The audit log of every action: who, when, what was planned, how it ended
    Audit {
        /// Print JSON lines, one record each
        #[arg(long)]
        json: bool,
    },
    /// Guided runbooks: list, show, lint, and run them headless
    Runbook {
        #[command(subcommand)]
        action: runbook::RunbookAction,
    },
    /// PostgreSQL sessions, and cancelling or terminating one (through the action path)
    Db {
        #[command(subcommand)]
        action: db::DbAction,
    },
    /// Each [[redis]] cache (or NAME's): memory vs maxmemory, hit ratio, evictions, clients,
    /// round-trip latency, slow log, replication and persistence; exit 1 when one cannot be read
    Cache {
        /// A [[redis]] target name; all of them when omitted
        name: Option<String>,
        /// Print JSON (shape documented in src/cli/cache.rs)
        #[arg(long)]
        json: bool,
        /// The time between the two readings the rates come from (0: one reading, no rates)
        #[arg(long, value_name = "DURATION", value_parser = status::parse_window, default_value = "2s")]
        window: std::time::Duration,
    },
    /// Backups of PostgreSQL targets: how fresh and whole each [[backup]] is
    Backup {
        #[command(subcommand)]
        action: backup::BackupAction,
    },
    /// Load test an HTTP endpoint: constant, ramp or spike rate, live latency percentiles
    Load(Box<load::LoadArgs>),
    #[command(flatten)]
    Object(objects::ObjectCommand),
    /// The demo service that tests and the playground run
    Demo {
        #[command(subcommand)]
        action: DemoAction,
    },
}

/// Loads the config, printing every problem; None means "stop, exit 2".
/// With no config file, the probes the local engine's containers ask for
/// are added, as the console adds them.
fn load_config(cli: &Cli) -> Option<config::Loaded> {
    let mut loaded = crate::exec::files::load_config_or_report(cli.config.clone())?;
    crate::exec::add_labelled_probes(&mut loaded);
    Some(loaded)
}

/// `--read-only`, or `read_only = true` in the config.
pub fn read_only(cli: &Cli, config: &Config) -> bool {
    cli.read_only || config.read_only
}

fn load_theme(cli: &Cli, config: &Config) -> Result<Theme, crate::base::diag::FileError> {
    Theme::load(cli.theme.as_deref().unwrap_or(&config.theme))
}

pub fn run(cli: Cli) -> color_eyre::Result<ExitCode> {
    match &cli.command {
        Some(Commands::Config { action }) => Ok(config_cmd::run(&cli, action)),
        Some(Commands::Themes) => Ok(themes::run()),
        // Neither needs a config file or touches the terminal: they run in containers.
        Some(Commands::Demo {
            action: DemoAction::Serve(a),
        }) => Ok(runtime()?.block_on(crate::demo::run_serve(a))),
        Some(Commands::Demo {
            action: DemoAction::Check(a),
        }) => Ok(runtime()?.block_on(crate::demo::run_check(a))),
        Some(Commands::Demo {
            action: DemoAction::Front(a),
        }) => Ok(runtime()?.block_on(crate::demo::run_front(a))),
        Some(Commands::Demo {
            action:
                DemoAction::Up {
                    target,
                    project,
                    port,
                },
        }) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            Ok(runtime()?.block_on(demo_cmd::up(&loaded.config, target, project, *port)))
        }
        Some(Commands::Demo {
            action: DemoAction::Down { target, project },
        }) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            Ok(runtime()?.block_on(demo_cmd::down(&loaded.config, target, project)))
        }
        Some(Commands::Audit { json }) => Ok(audit_cmd::run(*json)),
        Some(Commands::Load(args)) => {
            // Only for read_only: a load run is an action a read-only host refuses.
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            let read_only = read_only(&cli, &loaded.config);
            Ok(runtime()?.block_on(load::run(args, read_only, &loaded.config)))
        }
        Some(Commands::Runbook { action }) => runbook::command(&cli, action),
        Some(Commands::History { workload, json }) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            Ok(runtime()?.block_on(act::history(&loaded.config, workload, *json)))
        }
        Some(Commands::Scale {
            workload,
            replicas,
            flags,
        }) => act_on(
            &cli,
            workload,
            Verb::Scale {
                replicas: *replicas,
            },
            flags,
            HealthGate::default(),
        ),
        Some(Commands::Autoscale {
            workload,
            min,
            max,
            flags,
        }) => act_on(
            &cli,
            workload,
            Verb::Autoscale {
                min: *min,
                max: *max,
            },
            flags,
            HealthGate::default(),
        ),
        Some(Commands::Maxmemory { cache, size, flags }) => act_on(
            &cli,
            &crate::action::redis::maxmemory_addr(cache),
            Verb::Maxmemory { bytes: *size },
            flags,
            HealthGate::default(),
        ),
        Some(Commands::Restart { workload, flags }) => {
            act_on(&cli, workload, Verb::Restart, flags, HealthGate::default())
        }
        Some(Commands::Rollback {
            workload,
            to,
            flags,
        }) => act_on(
            &cli,
            workload,
            Verb::Rollback { to: to.clone() },
            flags,
            HealthGate::default(),
        ),
        Some(Commands::Deploy {
            workload,
            image,
            container,
            gate,
            flags,
        }) => {
            let gate = HealthGate {
                url: gate.health_url.clone(),
                timeout: gate.health_timeout,
            };
            act_on(
                &cli,
                workload,
                Verb::Deploy {
                    image: match container {
                        Some(c) => format!("{c}={image}"),
                        None => image.clone(),
                    },
                },
                flags,
                gate,
            )
        }
        Some(Commands::Db { action }) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            Ok(runtime()?.block_on(db::run(
                &loaded.config,
                read_only(&cli, &loaded.config),
                action,
            )))
        }
        Some(Commands::Cache { name, json, window }) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            Ok(runtime()?.block_on(cache::run(&loaded.config, name.as_deref(), *json, *window)))
        }
        Some(Commands::Backup { action }) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            Ok(runtime()?.block_on(backup::run(
                &loaded.config,
                read_only(&cli, &loaded.config),
                action,
            )))
        }
        Some(Commands::Status { json, window }) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            runtime()?.block_on(status::run(
                &loaded.config,
                read_only(&cli, &loaded.config),
                *json,
                *window,
            ))
        }
        Some(Commands::Alerts {
            action:
                Some(AlertsAction::Import {
                    file,
                    prometheus,
                    prefix,
                }),
            ..
        }) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            Ok(alerts::import(&loaded, file, prometheus, prefix))
        }
        Some(Commands::Alerts {
            action:
                Some(AlertsAction::Silence {
                    alertmanager,
                    matchers,
                    duration,
                    comment,
                    flags,
                }),
            ..
        }) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            let args = silences::SilenceArgs {
                alertmanager,
                matchers,
                duration: *duration,
                comment,
            };
            Ok(runtime()?.block_on(silences::silence(
                &loaded.config,
                read_only(&cli, &loaded.config),
                &args,
                flags,
            )))
        }
        Some(Commands::Alerts {
            action: Some(AlertsAction::Silences { alertmanager, json }),
            ..
        }) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            Ok(runtime()?.block_on(silences::list(&loaded.config, alertmanager, *json)))
        }
        Some(Commands::Alerts {
            action:
                Some(AlertsAction::Expire {
                    alertmanager,
                    id,
                    flags,
                }),
            ..
        }) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            Ok(runtime()?.block_on(silences::expire(
                &loaded.config,
                read_only(&cli, &loaded.config),
                alertmanager,
                id,
                flags,
            )))
        }
        Some(Commands::Alerts {
            json,
            window,
            action: None,
        }) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            runtime()?.block_on(alerts::run(&loaded.config, *json, *window))
        }
        Some(Commands::Workloads { json }) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            runtime()?.block_on(workloads::run(&loaded.config, *json))
        }
        Some(Commands::Logs(args)) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            runtime()?.block_on(logs::run(&loaded.config, args))
        }
        Some(Commands::Object(command)) => objects::run(&cli, command),
        Some(Commands::Exec(args)) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            let read_only = read_only(&cli, &loaded.config);
            Ok(runtime()?.block_on(exec_cmd::run(&loaded.config, read_only, args)))
        }
        // The console itself is the ui's: main.rs starts it.
        None => Ok(ExitCode::SUCCESS),
    }
}

fn act_on(
    cli: &Cli,
    workload: &WorkloadAddr,
    verb: Verb,
    flags: &act::ActFlags,
    gate: HealthGate,
) -> color_eyre::Result<ExitCode> {
    let Some(loaded) = load_config(cli) else {
        return Ok(ExitCode::from(2));
    };
    let request = act::request(workload, verb);
    Ok(runtime()?.block_on(act::run(
        &loaded.config,
        read_only(cli, &loaded.config),
        request,
        flags,
        gate,
    )))
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    crate::exec::runtime()
}
