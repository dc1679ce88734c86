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
    /// For ssh:// hosts: an ssh config file to use instead of `~/.ssh/config`.
    pub ssh_config: Option<PathBuf>,
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

impl HttpAuth {
    /// No credentials; only a CA to trust besides the system's roots.
    pub fn trusting(ca_file: Option<PathBuf>) -> Self {
        HttpAuth {
            ca_file,
            ..Default::default()
        }
    }
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
    /// CA certificates (PEM) trusted besides the system's roots, for
    /// endpoints signed by an internal CA. Verification is never switched off.
    pub ca_file: Option<PathBuf>,
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
    /// What serves it (`TARGET/GROUP/NAME`): its alerts carry the workload label.
    pub workload: Option<Spanned<String>>,
    pub interval: Option<HumanDuration>,
    pub timeout: Option<HumanDuration>,
    /// CA certificates (PEM) trusted besides the system's roots. Not a
    /// flattened `HttpAuth`: flattening loses the line of a mistyped key.
    pub ca_file: Option<PathBuf>,
    /// The request counter to read requests/s and errors from; by default a
    /// `*_requests_total` counter with a `code` or `status` label.
    pub requests_metric: Option<String>,
    /// The latency histogram, without `_bucket`; by default a
    /// `*_request_duration_seconds` histogram.
    pub latency_metric: Option<String>,
    /// The label holding the HTTP status; by default `code`, `status` or `status_code`.
    pub status_label: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeTarget {
    pub name: Spanned<String>,
    pub url: Spanned<String>,
    /// What serves it (`TARGET/GROUP/NAME`): a SiteDown from this probe
    /// knows which workload to look at and roll back.
    pub workload: Option<Spanned<String>>,
    pub interval: Option<HumanDuration>,
    pub timeout: Option<HumanDuration>,
    pub expect_status: Option<u16>,
    pub expect_body: Option<String>,
    /// Caching headers the answer must carry, for what a CDN should cache.
    pub expect_cache: Option<ExpectCache>,
    /// CA certificates (PEM) trusted besides the system's roots.
    pub ca_file: Option<PathBuf>,
}

/// `expect_cache = { max_age_at_least = "1h", etag = true }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectCache {
    /// `s-maxage`, else `max-age`, in `Cache-Control` at least this long.
    pub max_age_at_least: Option<HumanDuration>,
    /// An `ETag` header, so clients and the CDN can revalidate.
    #[serde(default)]
    pub etag: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostgresTarget {
    pub name: Spanned<String>,
    /// The environment variable that holds the DSN.
    pub url_env: Option<String>,
    /// A file that holds the DSN (private to its owner: mode 0600).
    pub url_file: Option<Spanned<PathBuf>>,
    /// Accepted only to be refused with a clear error: a DSN holds a password.
    pub url: Option<Spanned<toml::Value>>,
}

/// A Redis (or Valkey) server used as a cache. The URL (`redis://` or
/// `rediss://` for TLS, verified) holds the password, so like a DSN it comes
/// from the environment or a private file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisTarget {
    pub name: Spanned<String>,
    /// The environment variable that holds the URL.
    pub url_env: Option<String>,
    /// A file that holds the URL (private to its owner: mode 0600).
    pub url_file: Option<Spanned<PathBuf>>,
    /// Accepted only to be refused with a clear error: the URL holds a password.
    pub url: Option<Spanned<toml::Value>>,
    /// The most `opsdeck maxmemory` may raise `maxmemory` to (`4gb`);
    /// without it no raise is planned: opsdeck cannot know the host's headroom.
    pub max_maxmemory: Option<Spanned<String>>,
    /// The application that reads through this cache (`TARGET/GROUP/NAME`):
    /// its alerts carry the workload label, so degraded-performance knows
    /// what to look at beside the cache.
    pub workload: Option<Spanned<String>>,
}

/// A `[[backup]]`: what shows that a `[[postgres]]` target's backups are
/// being made. Exactly one of `path`, `wal_archive` or `command`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupTarget {
    pub name: Spanned<String>,
    /// The `[[postgres]]` target these backups protect.
    pub postgres: Spanned<String>,
    /// A directory of dumps (every file in it), or a glob whose last part
    /// holds the `*` (`/var/backups/pg/*.dump`): the newest file is judged.
    pub path: Option<Spanned<String>>,
    /// WAL archiving of the protected target, from its `pg_stat_archiver`.
    #[serde(default)]
    pub wal_archive: bool,
    /// A shell command whose first line of output is the last backup's time
    /// (unix seconds or RFC 3339).
    pub command: Option<Spanned<String>>,
    /// Older than this, the backup is stale (default 26h: a daily backup and slack).
    pub max_age: Option<HumanDuration>,
    /// The `[[postgres]]` target whose server a restore drill may create its
    /// scratch database on; without it, `backup verify` is refused.
    pub restore_to: Option<Spanned<String>>,
    /// How far a restored table's row count may be from the source's
    /// estimate (`pg_class.reltuples`), as a share of it (default 0.2).
    pub row_tolerance: Option<f64>,
    /// A query run on the restored database; the drill passes only when it
    /// returns a row whose first column is true (or a non-zero number).
    pub check_query: Option<String>,
    /// How long a drill's `pg_restore` may run before it is killed (default 1h).
    pub restore_timeout: Option<Spanned<HumanDuration>>,
    /// How long a `pg_dump` into this backup's directory (`db dump`, a
    /// runbook's `backup` step) may run before it is killed (default 1h).
    pub dump_timeout: Option<Spanned<HumanDuration>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Panel {
    pub title: Spanned<String>,
    pub prometheus: Spanned<String>,
    pub query: String,
    pub unit: Option<String>,
}

/// A service as the latency pane shows it, and where its figures come from,
/// best source first: RED queries against a Prometheus, the service's own
/// `/metrics` (a `[[scrape]]`), a `[[probe]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub name: Spanned<String>,
    pub prometheus: Option<Spanned<String>>,
    /// PromQL label matchers that pick the service's series, e.g. `job="api"`.
    pub selector: Option<String>,
    /// The latency histogram's name, without `_bucket`.
    pub latency_metric: Option<String>,
    /// The request counter, labelled with the status code.
    pub requests_metric: Option<String>,
    /// The label holding the HTTP status code.
    pub status_label: Option<String>,
    /// The rate window of the PromQL queries.
    pub window: Option<HumanDuration>,
    pub scrape: Option<Spanned<String>>,
    pub probe: Option<Spanned<String>>,
    /// What serves it: given to its probe's and scrape's alerts.
    pub workload: Option<Spanned<String>>,
}
