//! A console run's reads of the live Model: the runner asks through the app
//! loop's queue (`RunEvent::Read`) and waits for `Command::AnswerRead`, so a
//! check sees what the console shows instead of polling every collector again.

use crate::console::reads::LiveRead;
use crate::console::runbook::RunEvent;
use crate::console::Event;
use crate::runbook::judge::Facts;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// How long a read waits for the app loop before the check is unreadable.
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Reads waiting for their answer, by id; shared by the runner and the performer.
pub type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Facts>>>>;

#[derive(Clone)]
pub struct LiveReads {
    ask: mpsc::Sender<Event>,
    pending: Pending,
    next: Arc<AtomicU64>,
}

impl LiveReads {
    pub fn new(ask: mpsc::Sender<Event>, pending: Pending) -> Self {
        LiveReads {
            ask,
            pending,
            next: Arc::new(AtomicU64::new(1)),
        }
    }

    pub async fn read(&self, read: LiveRead) -> Facts {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, tx);
        if self
            .ask
            .send(Event::Runbook(RunEvent::Read { id, read }))
            .await
            .is_err()
        {
            return Facts::Unavailable("the console has gone".into());
        }
        match tokio::time::timeout(ANSWER_WITHIN, rx).await {
            Ok(Ok(facts)) => facts,
            _ => {
                self.pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&id);
                Facts::Unavailable("the console did not answer the read".into())
            }
        }
    }
}

/// The app loop's answer to read `id`, handed to the check waiting for it.
pub fn answer(pending: &Pending, id: u64, facts: Facts) {
    if let Some(tx) = pending
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&id)
    {
        let _ = tx.send(facts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_read_goes_out_as_an_event_and_takes_the_answer_with_its_id() {
        let (tx, mut rx) = mpsc::channel(4);
        let pending = Pending::default();
        let live = LiveReads::new(tx, pending.clone());
        let asking =
            tokio::spawn(async move { live.read(LiveRead::Metric("host:cpu".into())).await });
        let Some(Event::Runbook(RunEvent::Read { id, read })) = rx.recv().await else {
            panic!("no read asked")
        };
        assert_eq!(read, LiveRead::Metric("host:cpu".into()));
        answer(&pending, id + 1, Facts::Number(Some(0.0)));
        answer(&pending, id, Facts::Number(Some(42.0)));
        assert_eq!(asking.await.unwrap(), Facts::Number(Some(42.0)));
        assert!(pending.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_console_that_has_gone_is_no_answer() {
        let (tx, rx) = mpsc::channel(4);
        drop(rx);
        let live = LiveReads::new(tx, Pending::default());
        assert!(matches!(
            live.read(LiveRead::Workload("local/shop/api".into())).await,
            Facts::Unavailable(_)
        ));
    }
}
