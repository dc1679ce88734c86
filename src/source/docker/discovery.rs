//! Containers labelled for scraping (`prometheus.io/scrape`), scraped without
//! a `[[scrape]]` each: one task per container, started and stopped as the
//! containers come and go, each reporting through the session's feed so a
//! slow `/metrics` never holds up the engine's own readings.

use super::streams::Feed;
use crate::config::HttpAuth;
use crate::connect::http::Http;
use crate::source::targets::poll_updates;
use crate::source::ScrapeSource;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// One scrape may take this long before it counts as failed.
const SCRAPE_TIMEOUT: Duration = Duration::from_secs(5);

/// A container to scrape: its id, its name (the scrape's name), its URL and
/// the workload it is a replica of.
pub struct Wanted {
    pub id: String,
    pub name: String,
    pub url: String,
    pub workload: String,
}

#[derive(Default)]
pub struct Scrapes {
    /// By container id: its name, URL, workload and scraping task.
    tasks: HashMap<String, (String, String, String, JoinHandle<()>)>,
}

impl Scrapes {
    /// Starts a task for each wanted container not yet scraped (or whose URL
    /// changed), and stops those no longer wanted.
    pub fn sync(&mut self, wanted: Vec<Wanted>, every: Duration, tx: &mpsc::Sender<Feed>) {
        self.tasks.retain(|id, (_, url, _, task)| {
            let keep = wanted.iter().any(|w| w.id == *id && w.url == *url);
            if !keep {
                task.abort();
            }
            keep
        });
        for w in wanted {
            if let std::collections::hash_map::Entry::Vacant(slot) = self.tasks.entry(w.id) {
                let task = tokio::spawn(scrape(w.name.clone(), w.url.clone(), every, tx.clone()));
                slot.insert((w.name, w.url, w.workload, task));
            }
        }
    }

    /// The scrapes under way, sorted by name, each with its container's workload.
    pub fn found(&self) -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = self
            .tasks
            .values()
            .map(|(n, _, w, _)| (n.clone(), w.clone()))
            .collect();
        found.sort();
        found
    }
}

impl Drop for Scrapes {
    fn drop(&mut self) {
        for (_, _, _, task) in self.tasks.values() {
            task.abort();
        }
    }
}

async fn scrape(name: String, url: String, every: Duration, tx: mpsc::Sender<Feed>) {
    let http = match Http::new(SCRAPE_TIMEOUT, &HttpAuth::default()) {
        Ok(http) => http,
        Err(e) => {
            let _ = tx.send(Feed::ScrapeFailed(name, e)).await;
            return;
        }
    };
    let mut source = ScrapeSource::new(&name, &url, http);
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let updates = poll_updates(&mut source, SCRAPE_TIMEOUT, every).await;
        if tx.send(Feed::Scraped(updates)).await.is_err() {
            return;
        }
    }
}
