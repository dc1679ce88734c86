//! Runs a load spec on tokio: `connections` workers take request slots from
//! one counter; in the open model slot `k` waits for its intended send time
//! (from the profile) and its latency counts from that time, so a worker held
//! up by a slow answer makes the late requests look as late as they are.
//! Workers hand batches of samples to one aggregator, which publishes a
//! snapshot four times a second on the live channel.

use super::client::Connector;
use super::errors::ErrorKind;
use super::profile::Profile;
use super::spec::{LoadSpec, Stop};
use super::stats::{LoadFigures, Sample, Stats};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// How often the live figures are published.
pub const LIVE_EVERY: Duration = Duration::from_millis(250);
/// Bars in the latency histogram of a snapshot.
pub const HISTOGRAM_BARS: usize = 10;
const BATCH: usize = 256;
const FLUSH_EVERY: Duration = Duration::from_millis(100);

struct Shared {
    connector: Arc<Connector>,
    profile: Profile,
    stop: Stop,
    timeout: Duration,
    start: Instant,
    next: AtomicU64,
}

/// Runs `spec` to its end (or until `abort` turns true), publishing live
/// snapshots on `live`; returns the final one, also published last.
pub async fn run(
    spec: &LoadSpec,
    live: &watch::Sender<Option<LoadFigures>>,
    abort: watch::Receiver<bool>,
) -> Result<LoadFigures, String> {
    spec.validate()?;
    let connector = Connector::new(spec)?;
    let shared = Arc::new(Shared {
        connector,
        profile: spec.profile.clone(),
        stop: spec.stop,
        timeout: spec.timeout,
        start: Instant::now(),
        next: AtomicU64::new(0),
    });
    let (tx, rx) = mpsc::channel::<Vec<Sample>>(1024);
    let workers: Vec<_> = (0..spec.connections)
        .map(|_| tokio::spawn(worker(shared.clone(), tx.clone(), abort.clone())))
        .collect();
    drop(tx);
    aggregate(rx, workers, shared.start, live, None).await
}

/// Runs `users` virtual users through `scenario` for `run_for` (the
/// connection set-up, timeout and `-H` headers from `spec`).
pub async fn run_scenario(
    spec: &LoadSpec,
    scenario: Arc<crate::load::scenario::Scenario>,
    users: usize,
    run_for: Duration,
    live: &watch::Sender<Option<LoadFigures>>,
    abort: watch::Receiver<bool>,
) -> Result<LoadFigures, String> {
    use crate::load::scenario::vu;
    let connector = Connector::new(spec)?;
    let shared = Arc::new(vu::Shared::new(scenario, connector, spec.timeout, run_for));
    let (tx, rx) = mpsc::channel::<Vec<Sample>>(1024);
    let workers: Vec<_> = (0..users)
        .map(|u| tokio::spawn(vu::run(shared.clone(), u, tx.clone(), abort.clone())))
        .collect();
    drop(tx);
    aggregate(
        rx,
        workers,
        shared.start,
        live,
        Some(&shared.check_failures),
    )
    .await
}

/// Folds the workers' batches until they are all done, publishing
/// snapshots; the last one comes back.
async fn aggregate(
    mut rx: mpsc::Receiver<Vec<Sample>>,
    workers: Vec<tokio::task::JoinHandle<()>>,
    start: Instant,
    live: &watch::Sender<Option<LoadFigures>>,
    check_failures: Option<&AtomicU64>,
) -> Result<LoadFigures, String> {
    let checks = || check_failures.map_or(0, |c| c.load(Ordering::Relaxed));
    let mut stats = Stats::new();
    let mut tick = tokio::time::interval(LIVE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            batch = rx.recv() => match batch {
                Some(batch) => batch.iter().for_each(|s| stats.record(s)),
                None => break,
            },
            _ = tick.tick() => {
                stats.set_check_failures(checks());
                live.send_replace(Some(stats.snapshot(start.elapsed(), HISTOGRAM_BARS)));
            }
        }
    }
    for w in workers {
        w.await.map_err(|e| format!("a load worker failed: {e}"))?;
    }
    stats.set_check_failures(checks());
    let last = stats.snapshot(start.elapsed(), HISTOGRAM_BARS);
    live.send_replace(Some(last.clone()));
    Ok(last)
}

/// The next slot's intended send time, or None when the run is over.
fn next_slot(s: &Shared) -> Option<Instant> {
    let k = s.next.fetch_add(1, Ordering::Relaxed);
    if let Stop::Count(n) = s.stop {
        if k >= n {
            return None;
        }
    }
    let deadline = match s.stop {
        Stop::After(d) => Some(d),
        Stop::Count(_) => None,
    };
    if s.profile.is_open() {
        let t = s.profile.send_time(k)?;
        if deadline.is_some_and(|d| t >= d) {
            return None;
        }
        return Some(s.start + t);
    }
    let now = Instant::now();
    if deadline.is_some_and(|d| now >= s.start + d) {
        return None;
    }
    Some(now)
}

async fn worker(s: Arc<Shared>, tx: mpsc::Sender<Vec<Sample>>, mut abort: watch::Receiver<bool>) {
    let mut sender = s.connector.sender();
    let mut batch = Vec::with_capacity(BATCH);
    let mut flushed = Instant::now();
    while !*abort.borrow() {
        let Some(intended) = next_slot(&s) else { break };
        if intended > Instant::now() {
            tokio::select! {
                _ = tokio::time::sleep_until(intended) => {}
                _ = aborted(&mut abort) => break,
            }
        }
        let sent = Instant::now();
        let result = tokio::select! {
            r = tokio::time::timeout(s.timeout, s.connector.send(&mut sender)) => r,
            _ = aborted(&mut abort) => break,
        };
        let result = result.unwrap_or_else(|_| {
            // The connection is mid-answer; a fresh one serves the next slot.
            sender = s.connector.sender();
            Err(ErrorKind::Timeout)
        });
        let done = Instant::now();
        batch.push(Sample {
            done_at: done - s.start,
            latency: done - intended,
            service: done - sent,
            result,
        });
        if batch.len() >= BATCH || done - flushed >= FLUSH_EVERY {
            if tx.send(std::mem::take(&mut batch)).await.is_err() {
                return;
            }
            flushed = done;
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch).await;
    }
}

/// Resolves once `abort` turns true; never when its sender is gone.
pub(crate) async fn aborted(abort: &mut watch::Receiver<bool>) {
    if abort.wait_for(|a| *a).await.is_err() {
        std::future::pending::<()>().await;
    }
}
