//! The load view's state: the run asked for, the latest figures, and the
//! workload the URL reaches, whose CPU and memory sit beside them. Pure.

use crate::console::Model;
use crate::load::{Endpoint, LoadFigures, LoadSpec};
use crate::model::WorkloadAddr;

#[derive(Debug, Clone)]
pub struct LoadRun {
    pub spec: LoadSpec,
    /// The newest figures; None until the run has sent something.
    pub figures: Option<LoadFigures>,
    /// The workload whose published port the URL names, if one is known.
    pub workload: Option<WorkloadAddr>,
}

impl LoadRun {
    pub fn new(spec: LoadSpec, model: &Model) -> Self {
        let workload = workload_for(model, &spec.endpoint);
        LoadRun {
            spec,
            figures: None,
            workload,
        }
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
