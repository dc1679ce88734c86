//! What a console started without a config finds by itself: the probes the
//! local engine's containers ask for by label (the demo's front door names
//! its health URL and the workload behind it), so `opsdeck demo up` then
//! `opsdeck` watches the demo with no file written.

use crate::config::{Config, ProbeTarget};
use crate::demo::playground::{PROBE_URL_LABEL, PROBE_WORKLOAD_LABEL};
use toml::Spanned;

/// Probes asked for by running containers of each Docker target, named
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
        for c in listed
            .into_iter()
            .filter(|c| c.state.as_ref().is_some_and(|s| s.to_string() == "running"))
        {
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
