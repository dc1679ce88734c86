//! The flags that turn `opsdeck load URL` into a capacity run, shared by the
//! command and (later) the console's `:load` line.

use super::spec::CapacitySpec;
use super::stages::{self, Level};
use crate::load::LoadSpec;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct CapacityFlags {
    /// Stepped levels, each judged on its own: virtual users (50:2m,100:2m)
    /// or requests a second (20/s:1m,40/s:1m)
    #[arg(long, value_name = "LEVEL:DURATION,...")]
    pub stages: Option<String>,
    /// A sudden multiple of the first stage, cut into the stages: '10x@5m for 1m'
    #[arg(long, value_name = "'Nx@AT for DURATION'", requires = "stages")]
    pub spike: Option<String>,
    /// A condition each stage must meet, repeatable: 'p95<1s', 'errors<1%'
    /// (default: p95<1s and errors<1%)
    #[arg(long = "threshold", value_name = "EXPR", requires = "stages")]
    pub thresholds: Vec<String>,
    /// The stage that must pass for exit 0 (default: the last one), as in --stages: 100 or 40/s
    #[arg(long, value_name = "LEVEL", requires = "stages")]
    pub target: Option<String>,
    /// Run the stages above a failed one too (default: stop at the first failure)
    #[arg(long, requires = "stages")]
    pub keep_going: bool,
    /// The workload behind the URL (TARGET/GROUP/NAME on a Docker target), read
    /// beside each stage; default: the container publishing the URL's port
    #[arg(long, value_name = "TARGET/GROUP/NAME", requires = "stages")]
    pub workload: Option<crate::model::WorkloadAddr>,
    /// Write the capacity report (Markdown) to this file
    #[arg(long, value_name = "FILE", requires = "stages")]
    pub report: Option<PathBuf>,
}

impl CapacityFlags {
    pub fn is_capacity(&self) -> bool {
        self.stages.is_some()
    }

    /// The capacity run these flags ask for on top of the single-URL run.
    pub fn spec(&self, base: LoadSpec) -> Result<CapacitySpec, String> {
        let text = self
            .stages
            .as_deref()
            .ok_or("a capacity run needs --stages")?;
        let mut list = stages::parse_stages(text)?;
        if let Some(s) = &self.spike {
            list = stages::with_spike(&list, stages::parse_spike(s)?);
        }
        let target = match &self.target {
            None => None,
            Some(t) => Some(parse_target(t, &list)?),
        };
        CapacitySpec::new(base, list, &self.thresholds, target, self.keep_going)
    }
}

/// `--target 100` or `--target 40/s`, read like a stage's level.
fn parse_target(text: &str, list: &[stages::Stage]) -> Result<Level, String> {
    let parsed = stages::parse_stages(&format!("{text}:1s"))
        .map_err(|_| format!("--target {text}: expected a level as in --stages (100 or 40/s)"))?;
    let level = parsed[0].level;
    match (list.first().map(|s| s.level), level) {
        (Some(Level::Rate(_)), Level::Users(n)) => Ok(Level::Rate(n as f64)),
        _ => Ok(level),
    }
}
