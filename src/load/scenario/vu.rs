//! A virtual user: one connection, the scenario's requests drawn by weight
//! in a loop, each templated, sent, checked, then the request's think time.
//! Users share the sequence and the data rows, which cycle.

use super::{scope, Scenario};
use crate::load::client::Connector;
use crate::load::errors::ErrorKind;
use crate::load::runner::aborted;
use crate::load::stats::Sample;
use hyper::body::Bytes;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

const BATCH: usize = 64;
const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// What the users of one run share.
pub struct Shared {
    pub scenario: Arc<Scenario>,
    pub connector: Arc<Connector>,
    pub timeout: Duration,
    pub start: Instant,
    pub until: Instant,
    seq: AtomicU64,
    /// Answers below 400 that failed a check (transport errors are samples).
    pub check_failures: AtomicU64,
}

impl Shared {
    pub fn new(
        scenario: Arc<Scenario>,
        connector: Arc<Connector>,
        timeout: Duration,
        run_for: Duration,
    ) -> Self {
        let start = Instant::now();
        Shared {
            scenario,
            connector,
            timeout,
            start,
            until: start + run_for,
            seq: AtomicU64::new(0),
            check_failures: AtomicU64::new(0),
        }
    }
}

pub async fn run(
    s: Arc<Shared>,
    user: usize,
    tx: mpsc::Sender<Vec<Sample>>,
    mut abort: watch::Receiver<bool>,
) {
    let mut sender = s.connector.sender();
    let mut batch = Vec::with_capacity(BATCH);
    let mut flushed = Instant::now();
    let total = s.scenario.total_weight();
    let mut body = Vec::new();
    while !*abort.borrow() && Instant::now() < s.until {
        let seq = s.seq.fetch_add(1, Ordering::Relaxed);
        let req = s.scenario.pick(fastrand::u64(0..total));
        let rows = &s.scenario.rows;
        let row = (!rows.is_empty()).then(|| &rows[(seq % rows.len() as u64) as usize]);
        let sent = Instant::now();
        let result = match req.render(&scope(row, seq, user)) {
            // Templates were checked on the first row; a later one that
            // cannot fill them is this request's failure, not the run's.
            Err(_) => Err(ErrorKind::Other),
            Ok(r) => match s
                .connector
                .build(&req.method, &r.path, &r.headers, Bytes::from(r.body))
            {
                Err(k) => Err(k),
                Ok(http) => {
                    body.clear();
                    let keep = req.reads_body().then_some(&mut body);
                    tokio::select! {
                        r = tokio::time::timeout(s.timeout, s.connector.exchange(&mut sender, http, keep)) => {
                            r.unwrap_or_else(|_| {
                                sender = s.connector.sender();
                                Err(ErrorKind::Timeout)
                            })
                        }
                        _ = aborted(&mut abort) => break,
                    }
                }
            },
        };
        if let Ok(status) = result {
            // A 4xx or 5xx is already counted as an error by its status; a
            // check failure is an answer HTTP calls fine that the check does not.
            if status < 400 && !req.passes(status, &body) {
                s.check_failures.fetch_add(1, Ordering::Relaxed);
            }
        }
        let done = Instant::now();
        batch.push(Sample {
            done_at: done - s.start,
            latency: done - sent,
            service: done - sent,
            result,
        });
        if batch.len() >= BATCH || done - flushed >= FLUSH_EVERY {
            if tx.send(std::mem::take(&mut batch)).await.is_err() {
                return;
            }
            flushed = done;
        }
        if !req.think.is_zero() {
            let wake = (done + req.think).min(s.until);
            tokio::select! {
                _ = tokio::time::sleep_until(wake) => {}
                _ = aborted(&mut abort) => break,
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch).await;
    }
}
