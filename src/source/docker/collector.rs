//! A Docker target as a `Source`. Between polls, background tasks stream the
//! engine's events and one stats stream per running container into a channel;
//! each poll drains it, applies what changed and reports the inventory.
//!
//! Containers coming and going are learnt from events, never by listing again:
//! the full list is read once per connection. If the event stream ends or the
//! engine stops answering, the poll fails (the supervisor shows the target
//! degraded) and the next poll starts a fresh connection.
//!
//! bollard's request timeout bounds only the wait for response headers
//! (`Docker::execute_request` wraps `client.request`, not the body), and the
//! engine sends the headers of `/events` and `/stats?stream=1` at once, so the
//! long-lived bodies are not cut; `a_quiet_event_stream_outlives_the_request_timeout` checks it.

use super::convert::{self, Change, Container, SwarmService};
use super::streams::{stream_events, stream_stats, Feed};
use crate::base::time::unix_now;
use crate::connect::docker::{connect, Endpoint};
use crate::model::{EngineEvent, Inventory};
use crate::source::discovered::{self, Scrapes, Wanted};
use crate::source::{Source, Update};
use bollard::errors::Error as DockerError;
use bollard::models::{ContainerStatsResponse, Task};
use bollard::query_parameters::{
    InspectContainerOptions, ListContainersOptions, ListServicesOptions, ListTasksOptions,
};
use bollard::Docker;
use futures::StreamExt;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Inspections in flight when a connection lists what is already there.
const INSPECT_AT_ONCE: usize = 8;
/// Enough for a few seconds of stats from a busy host; a full queue only
/// makes the streaming tasks wait for the next poll.
const FEED_QUEUE: usize = 1024;

pub struct DockerSource {
    target: String,
    endpoint: Endpoint,
    session: Option<Session>,
    /// Set while a poll runs; still set at the next poll means the supervisor
    /// gave up on the last one (the engine did not answer in time).
    polling: bool,
    /// The newest event reported, so a new connection replays what happened
    /// while the old one was down (the engine keeps a short backlog) and no more.
    last_event_nanos: Option<i64>,
    /// How often containers labelled for scraping are scraped.
    scrape_every: Duration,
}

impl DockerSource {
    pub fn new(target: impl Into<String>, endpoint: Endpoint) -> Self {
        DockerSource {
            target: target.into(),
            endpoint,
            session: None,
            polling: false,
            last_event_nanos: None,
            scrape_every: Duration::from_secs(2),
        }
    }

    pub fn scraping_every(mut self, every: Duration) -> Self {
        self.scrape_every = every;
        self
    }

    async fn poll_session(&mut self) -> Result<Vec<Update>, String> {
        if self.session.is_none() {
            let since = self.last_event_nanos;
            let mut session = Session::open(&self.target, &self.endpoint, since).await?;
            session.scrape_every = self.scrape_every;
            self.session = Some(session);
        }
        let session = self.session.as_mut().expect("opened above");
        let mut result = session.refresh().await;
        if let Ok(updates) = &mut result {
            self.last_event_nanos = replayed_only_once(updates, self.last_event_nanos);
        }
        if result.is_err() {
            // Dropping the session aborts its tasks; the next poll reconnects.
            self.session = None;
        }
        result
    }
}

impl Source for DockerSource {
    fn target(&self) -> &str {
        &self.target
    }

    async fn poll(&mut self) -> Result<Vec<Update>, String> {
        if std::mem::replace(&mut self.polling, true) {
            // Whatever the abandoned poll was waiting on may never answer.
            self.session = None;
        }
        let result = self.poll_session().await;
        self.polling = false;
        result
    }
}

/// The two latest stats readings of a container; rates need both.
struct Readings {
    latest: Box<ContainerStatsResponse>,
    previous: Option<Box<ContainerStatsResponse>>,
}

/// One connection to the engine and everything learnt through it.
struct Session {
    target: String,
    docker: Docker,
    tx: mpsc::Sender<Feed>,
    rx: mpsc::Receiver<Feed>,
    events_task: JoinHandle<()>,
    stats_tasks: HashMap<String, (u64, JoinHandle<()>)>,
    streams_started: u64,
    containers: BTreeMap<String, Container>,
    readings: HashMap<String, Readings>,
    swarm_manager: bool,
    /// Where published ports are reached, for scraping labelled containers.
    engine_host: String,
    /// By container id: the URL a labelled container asks to be scraped at.
    scrape_urls: HashMap<String, String>,
    scrapes: Scrapes<Feed>,
    scrape_every: Duration,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.events_task.abort();
        for (_, task) in self.stats_tasks.values() {
            task.abort();
        }
    }
}

pub(super) fn describe(e: &DockerError) -> String {
    match e {
        DockerError::DockerResponseServerError {
            status_code,
            message,
        } => format!("engine answered {status_code}: {message}"),
        DockerError::RequestTimeoutError => "no answer in time".to_string(),
        // The HTTP client's own wording ("Error in the hyper legacy client:
        // client error (SendRequest)") says nothing to an on-call engineer;
        // the operating system's reason at the bottom of the chain does.
        DockerError::HyperLegacyError { .. } | DockerError::IOError { .. } => {
            let mut cause: &dyn std::error::Error = e;
            while let Some(next) = cause.source() {
                cause = next;
            }
            match cause.downcast_ref::<std::io::Error>() {
                Some(io) => format!("the connection to the engine failed: {io}"),
                None => "the connection to the engine failed".to_string(),
            }
        }
        other => other.to_string(),
    }
}

fn is_not_found(e: &DockerError) -> bool {
    matches!(
        e,
        DockerError::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

impl Session {
    async fn open(
        target: &str,
        endpoint: &Endpoint,
        since_nanos: Option<i64>,
    ) -> Result<Session, String> {
        let docker = connect(endpoint).await?;
        let info = docker
            .info()
            .await
            .map_err(|e| format!("engine info: {}", describe(&e)))?;
        let swarm_manager = info
            .swarm
            .and_then(|s| s.control_available)
            .unwrap_or(false);
        let (tx, rx) = mpsc::channel(FEED_QUEUE);
        // Subscribed before listing, so a change during the listing is not missed.
        let since = since_nanos.map(|n| n.div_euclid(1_000_000_000));
        let events_task = tokio::spawn(stream_events(docker.clone(), tx.clone(), since));
        let mut session = Session {
            target: target.to_string(),
            docker,
            tx,
            rx,
            events_task,
            stats_tasks: HashMap::new(),
            streams_started: 0,
            containers: BTreeMap::new(),
            readings: HashMap::new(),
            swarm_manager,
            engine_host: convert::engine_host(&endpoint.host),
            scrape_urls: HashMap::new(),
            scrapes: Scrapes::new(Feed::Scraped),
            scrape_every: Duration::from_secs(2),
        };
        let listed = session
            .docker
            .list_containers(Some(ListContainersOptions {
                all: true,
                ..Default::default()
            }))
            .await
            .map_err(|e| format!("listing containers: {}", describe(&e)))?;
        // A few inspections at once: an engine with hundreds of containers must
        // still answer the first poll well inside its timeout.
        let ids: Vec<String> = listed.into_iter().filter_map(|c| c.id).collect();
        let docker = session.docker.clone();
        let mut inspected = futures::stream::iter(ids)
            .map(|id| {
                let docker = docker.clone();
                async move {
                    let raw = docker
                        .inspect_container(&id, None::<InspectContainerOptions>)
                        .await;
                    (id, raw)
                }
            })
            .buffer_unordered(INSPECT_AT_ONCE);
        while let Some((id, raw)) = inspected.next().await {
            session.take_inspection(&id, raw)?;
        }
        Ok(session)
    }

    /// Inspects one container again; one that has gone meanwhile is forgotten.
    async fn reinspect(&mut self, id: &str) -> Result<(), String> {
        let raw = self
            .docker
            .inspect_container(id, None::<InspectContainerOptions>)
            .await;
        self.take_inspection(id, raw)
    }

    fn take_inspection(
        &mut self,
        id: &str,
        raw: Result<bollard::models::ContainerInspectResponse, bollard::errors::Error>,
    ) -> Result<(), String> {
        match raw {
            Ok(raw) => {
                let c = convert::instance_from_inspect(&self.target, &raw);
                self.containers.insert(id.to_string(), c);
                match convert::scrape_url(&raw, &self.engine_host) {
                    Some(url) => self.scrape_urls.insert(id.to_string(), url),
                    None => self.scrape_urls.remove(id),
                };
                Ok(())
            }
            Err(e) if is_not_found(&e) => {
                self.forget(id);
                Ok(())
            }
            Err(e) => Err(format!("inspecting {id:.12}: {}", describe(&e))),
        }
    }

    fn forget(&mut self, id: &str) {
        self.containers.remove(id);
        self.scrape_urls.remove(id);
        self.readings.remove(id);
        if let Some((_, task)) = self.stats_tasks.remove(id) {
            task.abort();
        }
    }

    async fn refresh(&mut self) -> Result<Vec<Update>, String> {
        self.docker
            .ping()
            .await
            .map_err(|e| format!("engine does not answer: {}", describe(&e)))?;
        let mut events: Vec<EngineEvent> = Vec::new();
        let mut changes: Vec<Change> = Vec::new();
        let mut scraped: Vec<Update> = Vec::new();
        while let Ok(feed) = self.rx.try_recv() {
            match feed {
                Feed::Scraped(updates) => scraped.extend(updates),
                Feed::Event(e) => {
                    events.extend(convert::engine_event(&self.target, &e));
                    changes.extend(convert::change(&e));
                }
                Feed::EventsEnded(reason) => return Err(reason),
                Feed::Stats(id, reading) => {
                    let previous = self.readings.remove(&id).map(|r| r.latest);
                    let latest = reading;
                    self.readings.insert(id, Readings { latest, previous });
                }
                Feed::StatsEnded(id, n) => {
                    if self
                        .stats_tasks
                        .get(&id)
                        .is_some_and(|(current, _)| *current == n)
                    {
                        self.stats_tasks.remove(&id);
                    }
                }
            }
        }
        for change in dedup_changes(changes) {
            match change {
                Change::Reinspect(id) => self.reinspect(&id).await?,
                Change::Forget(id) => self.forget(&id),
            }
        }
        self.sync_stats_streams();
        self.sync_scrapes();
        let (services, tasks) = self.swarm().await?;
        let mut updates = vec![
            Update::Inventory {
                target: self.target.clone(),
                at: unix_now(),
                inventory: Box::new(self.inventory(&services, &tasks)),
            },
            // Before their readings, so the model knows the targets they are for.
            Update::Discovered {
                by: self.target.clone(),
                scrapes: self.scrapes.found(),
            },
        ];
        updates.extend(scraped);
        if !events.is_empty() {
            updates.push(Update::Events {
                target: self.target.clone(),
                events,
            });
        }
        Ok(updates)
    }

    /// One stats stream per running container, none for the rest.
    fn sync_stats_streams(&mut self) {
        let running: Vec<String> = self
            .containers
            .iter()
            .filter(|(_, c)| c.instance.is_running())
            .map(|(id, _)| id.clone())
            .collect();
        let stopped: Vec<String> = self
            .stats_tasks
            .keys()
            .filter(|id| !running.contains(id))
            .cloned()
            .collect();
        for id in stopped {
            if let Some((_, task)) = self.stats_tasks.remove(&id) {
                task.abort();
            }
            self.readings.remove(&id);
        }
        for id in running {
            if !self.stats_tasks.contains_key(&id) {
                self.streams_started += 1;
                let n = self.streams_started;
                let task = tokio::spawn(stream_stats(
                    self.docker.clone(),
                    id.clone(),
                    n,
                    self.tx.clone(),
                ));
                self.stats_tasks.insert(id, (n, task));
            }
        }
    }

    /// One scraping task per running container labelled for it.
    fn sync_scrapes(&mut self) {
        let wanted = self
            .scrape_urls
            .iter()
            .filter_map(|(id, url)| {
                let c = self
                    .containers
                    .get(id)
                    .filter(|c| c.instance.is_running())?;
                Some(Wanted {
                    id: id.clone(),
                    name: c.instance.name.clone(),
                    endpoint: discovered::Endpoint::Url(url.clone()),
                    workload: c.instance.workload.to_string(),
                })
            })
            .collect();
        self.scrapes.sync(wanted, self.scrape_every, &self.tx);
    }

    /// The manager's services and tasks; nothing when the engine is no manager.
    async fn swarm(&self) -> Result<(Vec<SwarmService>, Vec<Task>), String> {
        if !self.swarm_manager {
            return Ok((Vec::new(), Vec::new()));
        }
        let services = self
            .docker
            .list_services(None::<ListServicesOptions>)
            .await
            .map_err(|e| format!("listing swarm services: {}", describe(&e)))?;
        let tasks = self
            .docker
            .list_tasks(None::<ListTasksOptions>)
            .await
            .map_err(|e| format!("listing swarm tasks: {}", describe(&e)))?;
        Ok((
            convert::swarm_services(&self.target, &services, &tasks),
            tasks,
        ))
    }

    fn inventory(&self, services: &[SwarmService], tasks: &[Task]) -> Inventory {
        let mut containers: Vec<Container> = self
            .containers
            .values()
            .map(|c| {
                let reading = self.readings.get(&c.instance.id);
                let usage = reading
                    .filter(|_| c.instance.is_running())
                    .map(|r| convert::usage(&r.latest, r.previous.as_deref()));
                c.clone().with_usage(usage)
            })
            .collect();
        let local: HashSet<&str> = self.containers.keys().map(String::as_str).collect();
        containers.extend(convert::remote_task_instances(services, tasks, &local));
        convert::adopt_service_addresses(&mut containers, services);
        containers.sort_by(|a, b| {
            (&a.instance.workload, &a.instance.name).cmp(&(&b.instance.workload, &b.instance.name))
        });
        Inventory {
            workloads: convert::group_workloads(&containers, services),
            instances: containers.into_iter().map(|c| c.instance).collect(),
            ..Default::default()
        }
    }
}

/// Several events about one container in one poll need one inspection, in
/// the order the containers were first mentioned.
fn dedup_changes(changes: Vec<Change>) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::new();
    for c in changes {
        let id = match &c {
            Change::Reinspect(id) | Change::Forget(id) => id.clone(),
        };
        match out
            .iter_mut()
            .find(|o| matches!(o, Change::Reinspect(i) | Change::Forget(i) if *i == id))
        {
            // The latest word wins: a destroy after a die means forget.
            Some(slot) => *slot = c,
            None => out.push(c),
        }
    }
    out
}

/// Drops events already reported (a replay starts at the whole second of the
/// last one) and returns the newest time now reported.
fn replayed_only_once(updates: &mut Vec<Update>, last: Option<i64>) -> Option<i64> {
    let mut newest = last;
    updates.retain_mut(|u| match u {
        Update::Events { events, .. } => {
            events.retain(|e| last.is_none_or(|l| e.at_nanos > l));
            newest = events.iter().map(|e| e.at_nanos).max().max(newest);
            !events.is_empty()
        }
        _ => true,
    });
    newest
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::query_parameters::EventsOptions;

    #[test]
    fn changes_are_merged_per_container_with_the_latest_winning() {
        let r = |s: &str| Change::Reinspect(s.into());
        let f = |s: &str| Change::Forget(s.into());
        assert_eq!(
            dedup_changes(vec![r("a"), r("b"), r("a"), f("b")]),
            vec![r("a"), f("b")]
        );
    }

    #[test]
    fn a_replayed_backlog_reports_each_event_once() {
        let ev = |at: i64| EngineEvent {
            at_nanos: at,
            target: "t".into(),
            action: "die".into(),
            instance: "c".into(),
            workload: None,
            detail: "1".into(),
            warning: false,
        };
        let batch = |ats: &[i64]| {
            vec![Update::Events {
                target: "t".into(),
                events: ats.iter().map(|a| ev(*a)).collect(),
            }]
        };
        let mut first = batch(&[5_000_000_100, 5_000_000_200]);
        let last = replayed_only_once(&mut first, None);
        assert_eq!(last, Some(5_000_000_200));
        // After a reconnect the engine replays from second 5.
        let mut replay = batch(&[5_000_000_100, 5_000_000_200, 6_000_000_000]);
        assert_eq!(replayed_only_once(&mut replay, last), Some(6_000_000_000));
        let Update::Events { events, .. } = &replay[0] else {
            panic!("{replay:?}")
        };
        assert_eq!(events.len(), 1);
        let mut nothing_new = batch(&[5_000_000_200]);
        assert_eq!(replayed_only_once(&mut nothing_new, last), last);
        assert!(nothing_new.is_empty(), "no empty Events update");
    }

    #[tokio::test]
    async fn an_engine_that_never_answers_is_a_failed_poll_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("silent.sock");
        // Accepts connections and never says a word.
        let listener = tokio::net::UnixListener::bind(&path).unwrap();
        let hold = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((conn, _)) = listener.accept().await {
                held.push(conn);
            }
        });
        let endpoint = Endpoint {
            host: format!("unix://{}", path.display()),
            tls: None,
            ssh_config: None,
        };
        let mut source = DockerSource::new("silent", endpoint);
        let timeout = std::time::Duration::from_millis(500);
        for _ in 0..2 {
            let e = crate::source::poll_once(&mut source, timeout)
                .await
                .unwrap_err();
            assert!(e.contains("no answer within"), "{e}");
        }
        hold.abort();
    }

    #[tokio::test]
    async fn a_quiet_event_stream_outlives_the_request_timeout() {
        let docker = connect(&Endpoint::from_env())
            .await
            .expect("the local engine")
            .with_timeout(std::time::Duration::from_secs(1));
        let (tx, mut rx) = mpsc::channel(16);
        // Nobody creates a volume with this name: the stream stays quiet.
        let quiet = tokio::spawn(async move {
            let filters = HashMap::from([(
                "volume".to_string(),
                vec!["opsdeck-test-source-never".to_string()],
            )]);
            let mut s = docker.events(Some(EventsOptions {
                filters: Some(filters),
                ..Default::default()
            }));
            let first = s.next().await;
            let _ = tx.send(format!("{first:?}")).await;
        });
        // Three request timeouts pass with the stream still open.
        let waited = tokio::time::timeout(std::time::Duration::from_secs(3), rx.recv()).await;
        assert!(waited.is_err(), "the stream ended: {waited:?}");
        quiet.abort();
    }
}
