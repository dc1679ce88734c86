//! The flags that turn `opsdeck load URL` into a capacity run, shared by the
//! command and the console's `:load` line.

use super::spec::CapacitySpec;
use super::stages::{self, Level};
use crate::load::args::LoadFlags;
use crate::load::scenario::Scenario;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct CapacityFlags {
    /// Stepped levels, each judged on its own: virtual users (50:2m,100:2m)
    /// or requests a second (20/s:1m,40/s:1m)
    #[arg(long, value_name = "LEVEL:DURATION,...")]
    pub stages: Option<String>,
    /// A sudden multiple of the first stage, cut into the stages: '10x@5m for 1m'
    #[arg(long, value_name = "'Nx@AT for DURATION'")]
    pub spike: Option<String>,
    /// A condition each stage must meet, repeatable: 'p95<1s', 'errors<1%'
    /// (default: p95<1s and errors<1%)
    #[arg(long = "threshold", value_name = "EXPR")]
    pub thresholds: Vec<String>,
    /// The stage that must pass for exit 0 (default: the last one), as in --stages: 100 or 40/s
    #[arg(long, value_name = "LEVEL")]
    pub target: Option<String>,
    /// Run the stages above a failed one too (default: stop at the first failure)
    #[arg(long)]
    pub keep_going: bool,
    /// The workload behind the URL (TARGET/GROUP/NAME on a Docker target,
    /// TARGET/NAMESPACE/NAME on a Kubernetes one), read beside each stage;
    /// default: the Docker container publishing the URL's port
    #[arg(long, value_name = "TARGET/GROUP/NAME")]
    pub workload: Option<crate::model::WorkloadAddr>,
    /// Plan the stages from SERVICE's requests/s now (as the metrics view reads
    /// it: PromQL, scrape or probe): 1×, 2×, 3× for -d each (default 1m) and a
    /// 10× spike in the 3× step
    #[arg(long, value_name = "SERVICE", conflicts_with_all = ["stages", "scenario", "spike"])]
    pub from_current: Option<String>,
    /// A scenario file (TOML): the requests each virtual user sends in a loop
    /// (see README "Capacity runs"); the stages are then users
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Virtual users running the scenario, for -d (without --stages)
    #[arg(long, value_name = "N", requires = "scenario")]
    pub users: Option<usize>,
    /// Write the capacity report (Markdown) to this file
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

impl CapacityFlags {
    /// Any of these flags makes the run a capacity run (and one that lacks
    /// --stages or --scenario is refused, rather than run without them).
    pub fn is_capacity(&self) -> bool {
        self.stages.is_some()
            || self.from_current.is_some()
            || self.scenario.is_some()
            || self.spike.is_some()
            || !self.thresholds.is_empty()
            || self.target.is_some()
            || self.keep_going
            || self.workload.is_some()
            || self.report.is_some()
    }

    /// The capacity run these flags ask for, with the single-URL flags'
    /// connections, headers, timeout and protocol.
    /// `current`: the requests/s `--from-current` read (the caller reads it).
    pub fn spec(&self, load: &LoadFlags, current: Option<f64>) -> Result<CapacitySpec, String> {
        let scenario = match &self.scenario {
            None => None,
            Some(path) => Some(Arc::new(Scenario::load(path)?)),
        };
        let base = match (
            load.url.as_deref(),
            scenario.as_ref().and_then(|s| s.base_url.as_deref()),
        ) {
            (Some(url), _) | (None, Some(url)) => load.spec_at(url)?,
            (None, None) => {
                return Err("give the URL, or base_url in the scenario file".into());
            }
        };
        if let Some(service) = &self.from_current {
            let rate = current.ok_or_else(|| format!("--from-current {service}: no reading"))?;
            if !(rate.is_finite() && rate > 0.0) {
                return Err(format!(
                    "--from-current {service}: it serves {rate} requests/s now, nothing to multiply; give --stages"
                ));
            }
            let hold = load.duration.unwrap_or(std::time::Duration::from_secs(60));
            let list = stages::from_current(rate, hold);
            let target = match &self.target {
                None => None,
                Some(t) => Some(parse_target(t, &list)?),
            };
            let mut spec =
                CapacitySpec::new(base, list, &self.thresholds, target, self.keep_going)?;
            spec.planned_from = Some(format!(
                "{service} at {} requests/s now",
                super::threshold::short(rate)
            ));
            return Ok(spec);
        }
        let text = match (&self.stages, &scenario, self.users) {
            (Some(t), _, None) => t.clone(),
            (Some(_), _, Some(_)) => {
                return Err("--users is the level of a run without --stages; with --stages, each stage names its users".into())
            }
            (None, Some(_), Some(n)) => {
                let d = load.duration.unwrap_or(std::time::Duration::from_secs(10));
                format!("{n}:{}", crate::base::duration::HumanDuration(d))
            }
            (None, Some(_), None) => return Err("--scenario needs --users N (or --stages)".into()),
            (None, None, _) => {
                return Err("--threshold, --target, --spike, --report and --workload judge a capacity run: give --stages, --from-current or --scenario with --users".into())
            }
        };
        let mut list = stages::parse_stages(&text)?;
        if let Some(s) = &self.spike {
            list = stages::with_spike(&list, stages::parse_spike(s)?);
        }
        let target = match &self.target {
            None => None,
            Some(t) => Some(parse_target(t, &list)?),
        };
        let spec = CapacitySpec::new(base, list, &self.thresholds, target, self.keep_going)?;
        match scenario {
            Some(s) => spec.with_scenario(s),
            None => Ok(spec),
        }
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
