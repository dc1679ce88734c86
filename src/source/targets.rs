//! Which collectors a config asks for: the one list the console starts under
//! `supervise` and `status` polls once, so the two never disagree.

use super::alertmanager::AlertmanagerSource;
use super::backup::BackupSource;
use super::docker::DockerSource;
use super::kube::KubeSource;
use super::postgres::PostgresSource;
use super::probe::Expect;
use super::prometheus::{PanelQuery, PrometheusSource, RuleQuery};
use super::redis::RedisSource;
use super::{poll_once, supervise, HostSource, ProbeSource, ScrapeSource, Source, Update};
use crate::base::time::unix_now;
use crate::config::{Config, HttpAuth};
use crate::connect::http::Http;
use crate::connect::http::API_TIMEOUT as PROMETHEUS_TIMEOUT;
use crate::connect::postgres::Dsn;
use crate::connect::redis::RedisUrl;
use crate::metrics::service_rates::RequestNames;
use crate::model::{Health, TargetKind};
use std::time::Duration;
use tokio::sync::mpsc;

const PROBE_INTERVAL: Duration = Duration::from_secs(5);
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
const SCRAPE_TIMEOUT: Duration = Duration::from_secs(5);
const POSTGRES_TIMEOUT: Duration = Duration::from_secs(15);
// Connecting, then PING, INFO, CONFIG GET, LATENCY LATEST and SLOWLOG GET, each bounded.
const REDIS_TIMEOUT: Duration = Duration::from_secs(15);

/// Any of the collectors, so one list can hold them all.
pub enum AnySource {
    Host(HostSource),
    Probe(ProbeSource),
    Scrape(ScrapeSource),
    Prometheus(PrometheusSource),
    Alertmanager(AlertmanagerSource),
    Docker(Box<DockerSource>),
    Kube(Box<KubeSource>),
    Postgres(Box<PostgresSource>),
    Redis(Box<RedisSource>),
    Backup(Box<BackupSource>),
}

impl Source for AnySource {
    fn target(&self) -> &str {
        match self {
            AnySource::Host(s) => s.target(),
            AnySource::Probe(s) => s.target(),
            AnySource::Scrape(s) => s.target(),
            AnySource::Prometheus(s) => s.target(),
            AnySource::Alertmanager(s) => s.target(),
            AnySource::Docker(s) => s.target(),
            AnySource::Kube(s) => s.target(),
            AnySource::Postgres(s) => s.target(),
            AnySource::Redis(s) => s.target(),
            AnySource::Backup(s) => s.target(),
        }
    }

    async fn poll(&mut self) -> Result<Vec<Update>, String> {
        match self {
            AnySource::Host(s) => s.poll().await,
            AnySource::Probe(s) => s.poll().await,
            AnySource::Scrape(s) => s.poll().await,
            AnySource::Prometheus(s) => s.poll().await,
            AnySource::Alertmanager(s) => s.poll().await,
            AnySource::Docker(s) => s.poll().await,
            AnySource::Kube(s) => s.poll().await,
            AnySource::Postgres(s) => s.poll().await,
            AnySource::Redis(s) => s.poll().await,
            AnySource::Backup(s) => s.poll().await,
        }
    }
}

/// A collector with its schedule, or the reason it could not be set up.
pub struct Planned {
    pub name: String,
    pub kind: TargetKind,
    pub source: Result<AnySource, String>,
    pub interval: Duration,
    /// How long one poll may take before it counts as failed.
    pub timeout: Duration,
}

pub fn plan(config: &Config) -> Vec<Planned> {
    let refresh = config.refresh.0;
    let slow_ok = (refresh * 5).max(Duration::from_secs(10));
    // The local engine is the `local` target (`local/shop/api`), so the host is `host`.
    let mut out = vec![Planned {
        name: "host".into(),
        kind: TargetKind::Host,
        source: Ok(AnySource::Host(HostSource::new("host"))),
        interval: refresh,
        timeout: slow_ok,
    }];
    for (name, endpoint) in crate::connect::docker::targets(config) {
        out.push(Planned {
            source: Ok(AnySource::Docker(Box::new(
                DockerSource::new(name.clone(), endpoint).scraping_every(refresh),
            ))),
            name,
            kind: TargetKind::Docker,
            interval: refresh,
            timeout: slow_ok,
        });
    }
    for target in crate::connect::kube::targets(config) {
        out.push(kube(config, target));
    }
    for p in &config.probe {
        let name = p.name.get_ref().clone();
        let timeout = p.timeout.map_or(PROBE_TIMEOUT, |t| t.0);
        let interval = p.interval.map_or(PROBE_INTERVAL, |t| t.0);
        let expect = Expect {
            status: p.expect_status,
            body_contains: p.expect_body.clone(),
            cache: p
                .expect_cache
                .as_ref()
                .map(|c| crate::model::cache::http::ExpectCache {
                    max_age_at_least: c.max_age_at_least.map(|d| d.0),
                    etag: c.etag,
                }),
        };
        let source = Http::new(timeout, &HttpAuth::trusting(p.ca_file.clone())).map(|http| {
            AnySource::Probe(ProbeSource::new(
                &name,
                p.url.get_ref(),
                expect,
                http,
                interval,
            ))
        });
        out.push(Planned {
            name,
            kind: TargetKind::Probe,
            source,
            interval,
            // The HTTP timeout makes a failed probe; this one only guards against a hang.
            timeout: timeout + Duration::from_secs(1),
        });
    }
    for s in &config.scrape {
        let name = s.name.get_ref().clone();
        let timeout = s.timeout.map_or(SCRAPE_TIMEOUT, |t| t.0);
        let names = request_names(config, s);
        let source = Http::new(timeout, &HttpAuth::trusting(s.ca_file.clone())).map(|http| {
            AnySource::Scrape(ScrapeSource::new(&name, s.url.get_ref(), http).with_names(names))
        });
        out.push(Planned {
            name,
            kind: TargetKind::Scrape,
            source,
            interval: s.interval.map_or(refresh, |t| t.0),
            timeout: timeout + Duration::from_secs(1),
        });
    }
    // A config that loaded has valid rules; anything else runs no PromQL rules.
    let alert_rules: Vec<(String, String, String)> = crate::alert::rules_of(config)
        .map(|rules| {
            crate::alert::AlertEngine::new(rules)
                .promql_rules()
                .map(|(r, p, q)| (r.to_string(), p.to_string(), q.to_string()))
                .collect()
        })
        .unwrap_or_default();
    for p in &config.prometheus {
        let name = p.name.get_ref().clone();
        let timeout = crate::prometheus::timeout_of(p);
        let panels: Vec<PanelQuery> = config
            .panel
            .iter()
            .filter(|panel| panel.prometheus.get_ref() == &name)
            .map(|panel| PanelQuery {
                title: panel.title.get_ref().clone(),
                query: panel.query.clone(),
            })
            .collect();
        let rules: Vec<RuleQuery> = alert_rules
            .iter()
            .filter(|(_, prom, _)| *prom == name)
            .map(|(rule, _, query)| RuleQuery {
                rule: rule.clone(),
                query: query.clone(),
            })
            .collect();
        let named: Vec<(String, String)> = config
            .service
            .iter()
            .filter(|s| s.prometheus.as_ref().is_some_and(|p| p.get_ref() == &name))
            .flat_map(crate::prometheus::red::queries)
            .collect();
        // Every query is made in turn within one poll, then the alerts and the rules.
        let queries = panels.len() + rules.len() + named.len();
        let poll_timeout = timeout * (queries as u32 + 3);
        let source = Http::new(timeout, &p.auth).map(|http| {
            AnySource::Prometheus(
                PrometheusSource::new(&name, p.url.get_ref(), http, panels)
                    .with_rules(rules)
                    .with_named(named),
            )
        });
        out.push(Planned {
            name,
            kind: TargetKind::Prometheus,
            source,
            interval: refresh,
            timeout: poll_timeout,
        });
    }
    for a in &config.alertmanager {
        let name = a.name.get_ref().clone();
        let source = Http::new(PROMETHEUS_TIMEOUT, &a.auth).map(|http| {
            AnySource::Alertmanager(AlertmanagerSource::new(&name, a.url.get_ref(), http))
        });
        out.push(Planned {
            name,
            kind: TargetKind::Alertmanager,
            source,
            interval: refresh,
            // Alerts, then silences: two requests a poll.
            timeout: PROMETHEUS_TIMEOUT * 2 + Duration::from_secs(1),
        });
    }
    for pg in &config.postgres {
        let name = pg.name.get_ref().clone();
        let source =
            Dsn::of(pg).map(|dsn| AnySource::Postgres(Box::new(PostgresSource::new(&name, dsn))));
        out.push(Planned {
            name,
            kind: TargetKind::Postgres,
            source,
            interval: refresh,
            // Connecting, then a handful of statements each bounded by the statement timeout.
            timeout: POSTGRES_TIMEOUT,
        });
    }
    for r in &config.redis {
        let name = r.name.get_ref().clone();
        let source =
            RedisUrl::of(r).map(|url| AnySource::Redis(Box::new(RedisSource::new(&name, url))));
        out.push(Planned {
            name,
            kind: TargetKind::Redis,
            source,
            interval: refresh,
            timeout: REDIS_TIMEOUT,
        });
    }
    for b in &config.backup {
        out.push(Planned {
            name: b.name.get_ref().clone(),
            kind: TargetKind::Backup,
            source: BackupSource::of(config, b).map(|s| AnySource::Backup(Box::new(s))),
            // Polled at the refresh for the drill record; the backups
            // themselves are read every `backup::READ_EVERY`.
            interval: refresh,
            timeout: super::backup::COMMAND_TIMEOUT + Duration::from_secs(5),
        });
    }
    out
}

/// The series a scrape reads requests from: its own `requests_metric`,
/// `latency_metric` and `status_label`, else those of the `[[service]]` that
/// lists it, else none (the conventions).
fn request_names(config: &Config, s: &crate::config::ScrapeTarget) -> RequestNames {
    let service = config.service.iter().find(|svc| {
        svc.scrape
            .as_ref()
            .is_some_and(|t| t.get_ref() == s.name.get_ref())
    });
    let or_service = |own: &Option<String>, of: fn(&crate::config::Service) -> &Option<String>| {
        own.clone()
            .or_else(|| service.and_then(|svc| of(svc).clone()))
    };
    RequestNames {
        requests_metric: or_service(&s.requests_metric, |svc| &svc.requests_metric),
        latency_metric: or_service(&s.latency_metric, |svc| &svc.latency_metric),
        status_label: or_service(&s.status_label, |svc| &svc.status_label),
    }
}

/// A Kubernetes target's collector: configured, or a context chosen with `:ctx`.
pub fn kube(config: &Config, target: crate::connect::kube::KubeTarget) -> Planned {
    let refresh = config.refresh.0;
    Planned {
        name: target.name.clone(),
        kind: TargetKind::Kubernetes,
        source: Ok(AnySource::Kube(Box::new(
            KubeSource::new(target).scraping_every(refresh),
        ))),
        interval: refresh,
        // The first poll waits for the first complete lists of a large cluster.
        timeout: (refresh * 5).max(Duration::from_secs(30)),
    }
}

pub(crate) fn unusable(name: &str, reason: String, retry_in: Duration) -> Update {
    Update::Health {
        target: name.to_string(),
        health: Health::Degraded {
            reason,
            since: unix_now(),
            retry_in,
        },
    }
}

/// A target a collector was planned for, with what it said so far (for a
/// collector that could not start, the update that shows it degraded).
#[derive(Debug, Clone)]
pub struct Started {
    pub name: String,
    pub kind: TargetKind,
    pub updates: Vec<Update>,
}

/// Starts every planned collector under the supervisor.
pub fn start(planned: Vec<Planned>, tx: &mpsc::Sender<Update>) -> Vec<Started> {
    planned
        .into_iter()
        .map(|p| {
            let (name, kind) = (p.name.clone(), p.kind);
            let updates = match spawn(p, tx) {
                Ok(()) => Vec::new(),
                Err(degraded) => vec![*degraded],
            };
            Started {
                name,
                kind,
                updates,
            }
        })
        .collect()
}

/// Runs one planned collector under the supervisor; a source that could not
/// be set up comes back as the update that shows its target degraded.
pub fn spawn(p: Planned, tx: &mpsc::Sender<Update>) -> Result<(), Box<Update>> {
    match p.source {
        Ok(source) => {
            tokio::spawn(supervise(source, p.interval, p.timeout, tx.clone()));
            Ok(())
        }
        Err(reason) => Err(Box::new(unusable(&p.name, reason, p.interval))),
    }
}

/// Polls every planned collector once, all at the same time.
pub async fn poll_all(mut planned: Vec<Planned>) -> Vec<Started> {
    poll_each(&mut planned).await
}

/// Polls every planned collector once, all at the same time, keeping each
/// source for another reading (a rate needs the one before it).
pub async fn poll_each(planned: &mut [Planned]) -> Vec<Started> {
    let jobs = planned.iter_mut().map(|p| async move {
        let updates = match &mut p.source {
            Ok(source) => poll_updates(source, p.timeout, p.interval).await,
            Err(reason) => vec![unusable(&p.name, reason.clone(), p.interval)],
        };
        Started {
            name: p.name.clone(),
            kind: p.kind,
            updates,
        }
    });
    futures::future::join_all(jobs).await
}

/// One poll for a one-shot reading: the target's health, then what it said.
/// Ok comes first, so a source that judges its own health says so after.
pub async fn poll_updates<S: Source>(
    source: &mut S,
    timeout: Duration,
    retry_in: Duration,
) -> Vec<Update> {
    let name = source.target().to_string();
    match poll_once(source, timeout).await {
        Ok(updates) => std::iter::once(Update::Health {
            target: name,
            health: Health::Ok,
        })
        .chain(updates)
        .collect(),
        Err(reason) => vec![unusable(&name, reason, retry_in)],
    }
}
