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

/// A workload the config says serves a URL: a `[[probe]]` or `[[scrape]]`
/// with `workload`, standing for every URL of the same origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// `probe demo`, for the plan and for a refusal.
    pub by: String,
    pub origin: Endpoint,
    pub workload: WorkloadAddr,
}

/// Every workload the config's probes and scrapes declare (config check
/// has already refused a malformed URL or address; such entries are left out).
pub fn declared_workloads(config: &crate::config::Config) -> Vec<Declared> {
    let probes = config
        .probe
        .iter()
        .map(|p| ("probe", &p.name, &p.url, &p.workload));
    let scrapes = config
        .scrape
        .iter()
        .map(|s| ("scrape", &s.name, &s.url, &s.workload));
    probes
        .chain(scrapes)
        .filter_map(|(kind, name, url, workload)| {
            Some(Declared {
                by: format!("{kind} {}", name.get_ref()),
                origin: Endpoint::parse(url.get_ref()).ok()?,
                workload: workload.as_ref()?.get_ref().parse().ok()?,
            })
        })
        .collect()
}

/// The declared workload behind the URL's origin (scheme, host and port):
/// what serves the front door is what the operator said, not the proxy
/// whose port it is.
pub fn declared_for<'a>(declared: &'a [Declared], e: &Endpoint) -> Option<&'a Declared> {
    declared.iter().find(|d| {
        d.origin.https == e.https
            && d.origin.port == e.port
            && (d.origin.host == e.host || (loopback(&d.origin.host) && loopback(&e.host)))
    })
}

/// A name for this machine, as a URL may spell it.
fn loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "::1")
}

/// The workload behind the URL: the one a probe or scrape of its origin
/// declares, else the one with a container publishing the URL's port on an
/// address the URL reaches (its own, or every address), among the known
/// inventories.
pub fn workload_for(model: &Model, e: &Endpoint) -> Option<WorkloadAddr> {
    if let Some(d) = declared_for(&model.declared, e) {
        return Some(d.workload.clone());
    }
    let local = loopback(&e.host);
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

    #[test]
    fn a_probe_of_the_same_origin_names_the_workload_before_the_port_does() {
        let config = crate::config::parse(
            std::path::Path::new("t.toml"),
            r#"
            [[docker]]
            name = "local"
            [[probe]]
            name = "front"
            url = "http://localhost:8082/health"
            workload = "local/shop/db"
            [[probe]]
            name = "other"
            url = "https://127.0.0.1:8082/health"
            workload = "local/shop/web"
            "#,
        )
        .unwrap();
        let mut model = sample_model(1_790_000_000, 2, 60).with_config(&config, vec![]);
        let at = |model: &Model, url: &str| {
            let e = Endpoint::parse(url).unwrap();
            workload_for(model, &e).map(|w| w.to_string())
        };
        // Same scheme, port and (loopback) host as the `front` probe.
        assert_eq!(
            at(&model, "http://127.0.0.1:8082/work").as_deref(),
            Some("local/shop/db")
        );
        assert_eq!(
            at(&model, "https://localhost:8082/").as_deref(),
            Some("local/shop/web")
        );
        assert_eq!(
            declared_for(
                &model.declared,
                &Endpoint::parse("http://127.0.0.1:8082/").unwrap()
            )
            .map(|d| d.by.as_str()),
            Some("probe front")
        );
        // No probe of that origin: the published port decides, as before.
        model.declared.clear();
        assert_eq!(
            at(&model, "http://127.0.0.1:8082/work").as_deref(),
            Some("local/shop/api")
        );
    }
}
