//! Which Docker engines to watch: every `[[docker]]` entry, or, with none,
//! the local engine (`DOCKER_HOST` or the default socket) when it exists.

use super::Endpoint;
use crate::config::Config;

/// The target name used for the engine found without configuration.
pub const LOCAL: &str = "local";

pub fn targets(config: &Config) -> Vec<(String, Endpoint)> {
    if !config.docker.is_empty() {
        return config
            .docker
            .iter()
            .map(|t| (t.name.get_ref().clone(), Endpoint::from_config(t)))
            .collect();
    }
    let local = Endpoint::from_env();
    if local.is_absent_local_socket() {
        Vec::new()
    } else {
        vec![(LOCAL.to_string(), local)]
    }
}
