//! The load view's state: the run asked for, the latest figures, and the
//! workload the URL reaches, whose CPU and memory sit beside them; for a
//! capacity run (`:load URL --stages ...`), its stages as judged so far. Pure.

use crate::console::Model;
use crate::load::capacity::run::Progress;
use crate::load::capacity::spec::CapacitySpec;
use crate::load::{Endpoint, LoadFigures, LoadSpec};
use crate::model::WorkloadAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct LoadRun {
    /// The request, connections and protocol (a capacity run's base).
    pub spec: LoadSpec,
    /// The newest figures (a capacity run's: of the stage running); None
    /// until the run (or the stage) has sent something.
    pub figures: Option<LoadFigures>,
    /// The workload whose published port the URL names (or `--workload`), if one is known.
    pub workload: Option<WorkloadAddr>,
    pub capacity: Option<CapacityRun>,
}

/// A capacity run in the console: what was asked, where it is, and the report.
#[derive(Debug, Clone)]
pub struct CapacityRun {
    pub spec: CapacitySpec,
    pub progress: Progress,
    /// `--report FILE`: where the report goes once the run is over.
    pub report: Option<PathBuf>,
    /// The report written, or why not; None until the run is over.
    pub written: Option<Result<PathBuf, String>>,
}

impl LoadRun {
    pub fn new(spec: LoadSpec, model: &Model) -> Self {
        let workload = workload_for(model, &spec.endpoint);
        LoadRun {
            spec,
            figures: None,
            workload,
            capacity: None,
        }
    }

    /// A capacity run against `named` (`--workload`) or, as for one URL, the
    /// workload publishing the URL's port.
    pub fn capacity(
        spec: CapacitySpec,
        named: Option<WorkloadAddr>,
        report: Option<PathBuf>,
        model: &Model,
    ) -> Self {
        let mut run = LoadRun::new(spec.base.clone(), model);
        if named.is_some() {
            run.workload = named;
        }
        run.capacity = Some(CapacityRun {
            spec,
            progress: Progress::default(),
            report,
            written: None,
        });
        run
    }

    /// A capacity run's progress: a new stage starts without figures, so
    /// the last stage's never stand for it; when the run is over the last
    /// stage's stay.
    pub fn on_progress(&mut self, progress: Progress) {
        let Some(c) = self.capacity.as_mut() else {
            return;
        };
        if progress.current.is_some() && progress.current != c.progress.current {
            self.figures = None;
        }
        c.progress = progress;
    }
}

/// The workload with a container publishing the URL's port on an address
/// the URL reaches (its own, or every address), among the known inventories.
pub fn workload_for(model: &Model, e: &Endpoint) -> Option<WorkloadAddr> {
    let local = matches!(e.host.as_str(), "127.0.0.1" | "localhost" | "::1");
    model
        .inventories
        .iter()
        .flat_map(|(_, inv)| &inv.instances)
        .find(|i| {
            i.ports.iter().any(|p| {
                let Some((published, _)) = p.split_once("->") else {
                    return false;
                };
                let Some((ip, port)) = published.rsplit_once(':') else {
                    return false;
                };
                let ip = ip.trim_matches(['[', ']']);
                port.parse() == Ok(e.port)
                    && (ip == e.host || ((ip == "0.0.0.0" || ip == "::") && local))
            })
        })
        .map(|i| i.workload.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::sample_model;

    #[test]
    fn a_published_port_names_its_workload() {
        let model = sample_model(1_790_000_000, 2, 60);
        let e = Endpoint::parse("http://127.0.0.1:8082/work").unwrap();
        assert_eq!(
            workload_for(&model, &e).map(|w| w.to_string()),
            Some("local/shop/api".to_string())
        );
        let e = Endpoint::parse("http://127.0.0.1:9999/").unwrap();
        assert_eq!(workload_for(&model, &e), None);
        let e = Endpoint::parse("http://10.0.0.9:8081/").unwrap();
        assert_eq!(workload_for(&model, &e), None);
    }
}
