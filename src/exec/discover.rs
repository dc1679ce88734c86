//! What a console started without a config finds by itself: the probes the
//! local engine's containers ask for by label (the demo's front door names
//! its health URL and the workload behind it), so `opsdeck demo up` then
//! `opsdeck` watches the demo with no file written — and so do the CLI's
//! commands (`opsdeck status`, `runbook run`, `load`), which would otherwise
//! say less than the console about the same containers.

use crate::config::{Config, Loaded, ProbeTarget};
use crate::demo::playground::{PROBE_URL_LABEL, PROBE_WORKLOAD_LABEL};
use toml::Spanned;

/// An engine that does not answer within this costs no more than it.
const DISCOVERY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// With no config file, the labelled probes join the config (a file says
/// what to watch, so it is left as written). Sync, for the entry points
/// before their runtime starts; inside one it does nothing.
pub fn add_labelled_probes(loaded: &mut Loaded) {
    if loaded.from_file || tokio::runtime::Handle::try_current().is_ok() {
        return;
    }
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    let found = rt.block_on(async {
        tokio::time::timeout(DISCOVERY_WAIT, labelled_probes(&loaded.config)).await
    });
    if let Ok(found) = found {
        loaded.config.probe.extend(found);
    }
}

/// Probes asked for by the containers (running or not) of each Docker target, named
/// after their Compose project (`opsdeck-demo`); an engine that cannot be
/// read adds none (its target shows degraded on its own).
pub async fn labelled_probes(config: &Config) -> Vec<ProbeTarget> {
    let mut found = Vec::new();
    for (_, endpoint) in crate::connect::docker::targets(config) {
        let Ok(docker) = crate::connect::docker::connect(&endpoint).await else {
            continue;
        };
        let Ok(listed) =
            crate::action::docker::labelled(&docker, vec![PROBE_URL_LABEL.to_string()]).await
        else {
            continue;
        };
        // Whatever its state: a front door that stopped is the site down,
        // and its probe failing says so; left out, the demo would read ok.
        for c in listed {
            let labels = c.labels.unwrap_or_default();
            let Some(url) = labels.get(PROBE_URL_LABEL) else {
                continue;
            };
            let name = labels
                .get("com.docker.compose.project")
                .cloned()
                .unwrap_or_else(|| "demo".into());
            if config.probe.iter().any(|p| p.name.get_ref() == &name)
                || found
                    .iter()
                    .any(|p: &ProbeTarget| p.name.get_ref() == &name)
            {
                continue;
            }
            found.push(ProbeTarget {
                name: Spanned::new(0..0, name),
                url: Spanned::new(0..0, url.clone()),
                workload: labels
                    .get(PROBE_WORKLOAD_LABEL)
                    .map(|w| Spanned::new(0..0, w.clone())),
                interval: None,
                timeout: None,
                expect_status: None,
                expect_body: None,
                expect_cache: None,
                ca_file: None,
            });
        }
    }
    found
}
