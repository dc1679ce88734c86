//! Command-line parsing and dispatch; one file per subcommand family.

mod config_cmd;
mod logs;
mod status;
mod themes;
mod workloads;

use crate::config::{self, Config};
use crate::ui::theme::Theme;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Disable every action that changes the outside world
    #[arg(long, global = true)]
    pub read_only: bool,
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
    },
    /// Every workload with replicas, images, CPU and memory
    Workloads {
        /// Print JSON (shape documented in src/cli/workloads.rs)
        #[arg(long)]
        json: bool,
    },
    /// Output of a workload's containers (TARGET/GROUP/NAME) or one container (TARGET/CONTAINER)
    Logs(logs::LogsArgs),
    /// Create, locate or validate the config file
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// List the built-in themes
    Themes,
    /// The demo service that tests and the playground run
    Demo {
        #[command(subcommand)]
        action: DemoAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum DemoAction {
    /// Serve the demo HTTP service (/health, /metrics, /fault)
    Serve(crate::demo::DemoServeArgs),
    /// Exit 0 if URL answers 2xx (the scratch image's HEALTHCHECK)
    Check(crate::demo::DemoCheckArgs),
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

/// Loads config and theme, printing every problem; None means "stop, exit 2".
fn load_config(cli: &Cli) -> Option<config::Loaded> {
    match config::load(cli.config.clone()) {
        Ok(loaded) => Some(loaded),
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!(
                "{} error(s) in the config; nothing was started",
                errors.len()
            );
            None
        }
    }
}

fn load_theme(cli: &Cli, config: &Config) -> Result<Theme, crate::diag::FileError> {
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
        Some(Commands::Status { json }) => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            runtime()?.block_on(status::run(&loaded.config, cli.read_only, *json))
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
        None => {
            let Some(loaded) = load_config(&cli) else {
                return Ok(ExitCode::from(2));
            };
            let theme = match load_theme(&cli, &loaded.config) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            let opts = crate::ui::app::Options {
                config: loaded.config,
                theme,
                read_only: cli.read_only,
            };
            runtime()?.block_on(crate::ui::app::run(opts))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}
