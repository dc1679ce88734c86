//! The one place a Docker client is made: from a `[[docker]]` entry, or from
//! `DOCKER_HOST` / the default socket when there is none. The API version is
//! negotiated, so an engine as old as 20.10 (API 1.41) is spoken to in its own terms.

use super::ssh;
use crate::config::{Config, DockerTarget};
use bollard::{Docker, API_DEFAULT_VERSION};
use std::path::Path;

/// The docker CLI's default on Linux.
const DEFAULT_SOCKET: &str = "unix:///var/run/docker.sock";

/// Seconds any one request may take before bollard gives up on it.
const REQUEST_TIMEOUT_SECS: u64 = 30;

/// Where a Docker target lives, with no secrets in it (safe to log and show).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub tls: Option<(std::path::PathBuf, std::path::PathBuf, std::path::PathBuf)>,
    /// For ssh:// hosts: an ssh config file used instead of the user's.
    pub ssh_config: Option<std::path::PathBuf>,
}

impl Endpoint {
    pub fn from_config(t: &DockerTarget) -> Self {
        Endpoint {
            host: t.host.clone().unwrap_or_else(default_host),
            tls: t
                .tls
                .as_ref()
                .map(|tls| (tls.ca.clone(), tls.cert.clone(), tls.key.clone())),
            ssh_config: t
                .ssh_config
                .as_deref()
                .map(crate::config::paths::expand_home),
        }
    }

    /// `DOCKER_HOST`, else the default socket; TLS from `DOCKER_CERT_PATH` when
    /// `DOCKER_TLS_VERIFY` is set, as the docker CLI does.
    pub fn from_env() -> Self {
        let host = default_host();
        let tls = std::env::var_os("DOCKER_TLS_VERIFY")
            .filter(|v| !v.is_empty())
            .and_then(|_| std::env::var_os("DOCKER_CERT_PATH"))
            .map(|dir| {
                let dir = Path::new(&dir);
                (
                    dir.join("ca.pem"),
                    dir.join("cert.pem"),
                    dir.join("key.pem"),
                )
            });
        Endpoint {
            host,
            tls,
            ssh_config: None,
        }
    }

    /// True for the local default socket when it does not exist, so a machine
    /// without Docker shows no Docker target instead of a degraded one.
    pub fn is_absent_local_socket(&self) -> bool {
        match self.host.strip_prefix("unix://") {
            Some(path) => !Path::new(path).exists(),
            None => false,
        }
    }
}

fn default_host() -> String {
    std::env::var("DOCKER_HOST")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| DEFAULT_SOCKET.to_string())
}

/// A client for a unix:// or tcp:// `endpoint`, not yet contacted.
fn direct_client(endpoint: &Endpoint) -> Result<Docker, String> {
    let host = endpoint.host.as_str();
    let made = if let Some(path) = host.strip_prefix("unix://") {
        Docker::connect_with_unix(path, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)
    } else if host.starts_with("tcp://")
        || host.starts_with("http://")
        || host.starts_with("https://")
    {
        match &endpoint.tls {
            Some((ca, cert, key)) => Docker::connect_with_ssl(
                host,
                key,
                cert,
                ca,
                REQUEST_TIMEOUT_SECS,
                API_DEFAULT_VERSION,
            ),
            None => Docker::connect_with_http(host, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION),
        }
    } else {
        return Err(format!(
            "`{host}` is not a Docker host: expected unix://PATH, tcp://HOST:PORT or ssh://[USER@]HOST[:PORT]"
        ));
    };
    made.map_err(|e| format!("{host}: {e}"))
}

/// A client that has agreed an API version with the engine: the lower of ours and its.
pub async fn connect(endpoint: &Endpoint) -> Result<Docker, String> {
    if endpoint.host.starts_with("ssh://") {
        return connect_over_ssh(endpoint).await;
    }
    direct_client(endpoint)?
        .negotiate_version()
        .await
        .map_err(|e| format!("{}: {e}", endpoint.host))
}

/// Through the one SSH connection opsdeck keeps to the host (see `ssh`):
/// errors name the host and what failed, in ssh's words where it was ssh.
async fn connect_over_ssh(endpoint: &Endpoint) -> Result<Docker, String> {
    let addr = ssh::SshAddr::parse(&endpoint.host)?;
    let (url, config) = (endpoint.host.clone(), endpoint.ssh_config.clone());
    let local = tokio::task::spawn_blocking(move || ssh::forward(&url, config.as_deref()))
        .await
        .map_err(|e| format!("ssh to {}: {e}", addr.shown()))??;
    let docker = Docker::connect_with_unix(
        &local.to_string_lossy(),
        REQUEST_TIMEOUT_SECS,
        API_DEFAULT_VERSION,
    )
    .map_err(|e| format!("ssh to {}: {e}", addr.shown()))?;
    // Logged in, but the far end of the forward did not answer as an engine:
    // no engine there, or this user may not use its socket.
    docker.negotiate_version().await.map_err(|_| {
        format!(
            "ssh to {}: logged in, but no Docker engine answered at {} (is it running, and may this user use it?)",
            addr.shown(),
            addr.socket
        )
    })
}

/// The target name used for the engine found without configuration.
pub const LOCAL: &str = "local";

/// Which Docker engines to watch: every `[[docker]]` entry, or, with none,
/// the local engine (`DOCKER_HOST` or the default socket) when it exists.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_schemes_are_explained() {
        let e = direct_client(&Endpoint {
            host: "ftp://x".into(),
            tls: None,
            ssh_config: None,
        })
        .unwrap_err();
        assert!(e.contains("expected unix://PATH"), "{e}");
    }

    #[test]
    fn a_missing_local_socket_is_absent_not_degraded() {
        let e = Endpoint {
            host: "unix:///nonexistent/docker.sock".into(),
            tls: None,
            ssh_config: None,
        };
        assert!(e.is_absent_local_socket());
        let tcp = Endpoint {
            host: "tcp://127.0.0.1:2375".into(),
            tls: None,
            ssh_config: None,
        };
        assert!(!tcp.is_absent_local_socket());
    }

    #[tokio::test]
    async fn talks_to_the_local_engine_in_its_api_version() {
        let docker = connect(&Endpoint::from_env()).await.expect("local engine");
        let v = docker.version().await.expect("version");
        assert!(v.api_version.is_some());
    }
}
