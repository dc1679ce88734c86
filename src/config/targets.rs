//! The `[[docker]]`, `[[kubernetes]]`, ... tables. Secrets are never values here:
//! only the names of environment variables or files that hold them.

use super::HumanDuration;
use serde::Deserialize;
use std::path::PathBuf;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DockerTarget {
    pub name: Spanned<String>,
    /// unix://, tcp:// or ssh://; none means DOCKER_HOST or the default socket.
    pub host: Option<String>,
    pub tls: Option<DockerTls>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DockerTls {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubernetesTarget {
    pub name: Spanned<String>,
    pub context: Option<String>,
    #[serde(default)]
    pub namespaces: Vec<String>,
    pub kubeconfig: Option<PathBuf>,
}

/// How to authenticate to an HTTP API; each secret is read from the environment or a file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpAuth {
    pub bearer_token_env: Option<String>,
    pub bearer_token_file: Option<PathBuf>,
    pub basic_user: Option<String>,
    pub basic_password_env: Option<String>,
    pub basic_password_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrometheusTarget {
    pub name: Spanned<String>,
    pub url: Spanned<String>,
    pub timeout: Option<HumanDuration>,
    #[serde(flatten)]
    pub auth: HttpAuth,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertmanagerTarget {
    pub name: Spanned<String>,
    pub url: Spanned<String>,
    #[serde(flatten)]
    pub auth: HttpAuth,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScrapeTarget {
    pub name: Spanned<String>,
    pub url: Spanned<String>,
    pub interval: Option<HumanDuration>,
    pub timeout: Option<HumanDuration>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeTarget {
    pub name: Spanned<String>,
    pub url: Spanned<String>,
    pub interval: Option<HumanDuration>,
    pub timeout: Option<HumanDuration>,
    pub expect_status: Option<u16>,
    pub expect_body: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostgresTarget {
    pub name: Spanned<String>,
    /// The environment variable that holds the DSN.
    pub url_env: Option<String>,
    /// A file that holds the DSN.
    pub url_file: Option<PathBuf>,
    /// Accepted only to be refused with a clear error: a DSN holds a password.
    pub url: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Panel {
    pub title: Spanned<String>,
    pub prometheus: Spanned<String>,
    pub query: String,
    pub unit: Option<String>,
}
