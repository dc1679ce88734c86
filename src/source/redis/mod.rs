//! A `[[redis]]` target: each interval PING and INFO on one kept connection
//! (opened again only once lost), timed by the client, plus LATENCY LATEST
//! and the slow log, into a `CacheSnapshot` and the `redis:NAME:*` series.
//! Rates (hit ratio, evictions/s, ops/s) are between this reading and the last.

pub mod read;

use super::probe::ProbeWindow;
use super::{Source, Update};
use crate::base::time::unix_now;
use crate::connect::redis::RedisUrl;
use crate::model::cache::{self, CacheSnapshot, Counters, RoundTrip, WARM_HIT_RATIO};
use crate::model::Health;
use redis::aio::MultiplexedConnection;

pub struct RedisSource {
    name: String,
    url: RedisUrl,
    conn: Option<MultiplexedConnection>,
    counters: Option<Counters>,
    /// The client's round trips over the last readings (as a probe's).
    ping: ProbeWindow,
    info: ProbeWindow,
    was_warm: bool,
}

impl RedisSource {
    pub fn new(name: &str, url: RedisUrl) -> Self {
        RedisSource {
            name: name.to_string(),
            url,
            conn: None,
            counters: None,
            ping: ProbeWindow::default(),
            info: ProbeWindow::default(),
            was_warm: false,
        }
    }

    /// One reading as the view and the CLI show it.
    pub async fn snapshot(&mut self) -> Result<CacheSnapshot, String> {
        let mut conn = match &self.conn {
            Some(c) => c.clone(),
            None => {
                let c = self.url.connect().await?;
                self.conn = Some(c.clone());
                c
            }
        };
        let raw = match read::reading(&mut conn).await {
            Ok(raw) => raw,
            Err(e) => {
                // A lost or stuck connection is opened anew next time.
                self.conn = None;
                return Err(self.url.scrub(&format!("{}: {e}", self.url.describe())));
            }
        };
        let info = cache::info::parse(&raw.info).map_err(|e| self.url.scrub(&e))?;
        self.ping.push(true, Some(raw.ping_secs));
        self.info.push(true, Some(raw.info_secs));
        let now = Counters::of(&info, wall_secs());
        let rates = self.counters.and_then(|before| cache::rates(&before, &now));
        self.counters = Some(now);
        if rates
            .and_then(|r| r.hit_ratio)
            .is_some_and(|h| h >= WARM_HIT_RATIO)
        {
            self.was_warm = true;
        }
        let slowlog = raw.slowlog.map(|entries| {
            entries
                .into_iter()
                .map(|mut e| {
                    e.command = self.url.scrub(&e.command);
                    e
                })
                .collect()
        });
        Ok(CacheSnapshot {
            endpoint: self.url.describe(),
            info,
            rates,
            ping: round_trip(&self.ping),
            info_round_trip: round_trip(&self.info),
            latency: raw.latency,
            slowlog: slowlog.map_err(|e| self.url.scrub(&e)),
            was_warm: self.was_warm,
            at: unix_now(),
        })
    }
}

fn round_trip(w: &ProbeWindow) -> RoundTrip {
    RoundTrip {
        p50: w.latency_quantile(0.5),
        p95: w.latency_quantile(0.95),
        p99: w.latency_quantile(0.99),
    }
}

fn wall_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl Source for RedisSource {
    fn target(&self) -> &str {
        &self.name
    }

    async fn poll(&mut self) -> Result<Vec<Update>, String> {
        let snapshot = self.snapshot().await?;
        let at = unix_now();
        Ok(vec![
            Update::Series {
                target: self.name.clone(),
                at,
                series: snapshot.series(&self.name),
                health: Health::Ok,
            },
            Update::Cache {
                target: self.name.clone(),
                at,
                snapshot: Box::new(snapshot),
            },
        ])
    }
}
