//! One session per PostgreSQL target for the whole process, shared by the
//! collector, cancel/terminate and SQL checks, one user at a time. A full
//! server refuses new connections exactly when an on-call engineer needs to
//! terminate something, so nothing opens a second connection while this one
//! is alive; it is opened again only once it is lost.

use super::{connect, Dsn};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tokio_postgres::Client;

#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    target: String,
    dsn: Dsn,
    slot: tokio::sync::Mutex<Slot>,
}

#[derive(Default)]
struct Slot {
    client: Option<Client>,
    /// A check's read-only transaction was left open (its future dropped
    /// mid-way): closed before anyone else uses the session.
    dirty: bool,
}

/// The session of `target` (created on first use): the same one for every
/// caller that names the same target and DSN.
pub fn session(target: &str, dsn: &Dsn) -> Session {
    static SESSIONS: OnceLock<Mutex<HashMap<(String, String), Session>>> = OnceLock::new();
    let key = (target.to_string(), dsn.identity().to_string());
    let mut all = SESSIONS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    all.entry(key)
        .or_insert_with(|| Session {
            inner: Arc::new(Inner {
                target: target.to_string(),
                dsn: dsn.clone(),
                slot: tokio::sync::Mutex::new(Slot::default()),
            }),
        })
        .clone()
}

/// The session, held: nobody else uses it until this is dropped.
pub struct Held<'a> {
    slot: tokio::sync::MutexGuard<'a, Slot>,
}

impl std::ops::Deref for Held<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.slot
            .client
            .as_ref()
            .expect("a held session always has a client")
    }
}

impl Held<'_> {
    /// `query` in a read-only transaction that is rolled back, with the
    /// session's settings put back after, so a check can change nothing —
    /// not even the session the collector reads on next.
    pub async fn read_only(
        &mut self,
        query: &str,
    ) -> Result<Vec<tokio_postgres::SimpleQueryMessage>, tokio_postgres::Error> {
        self.slot.dirty = true;
        self.batch_execute("begin transaction read only").await?;
        let answer = self.simple_query(query).await;
        self.batch_execute(&reset()).await?;
        self.slot.dirty = false;
        answer
    }
}

fn reset() -> String {
    format!(
        "rollback; reset all; set statement_timeout = {}",
        super::STATEMENT_TIMEOUT.as_millis()
    )
}

impl Session {
    pub fn target(&self) -> &str {
        &self.inner.target
    }

    pub fn dsn(&self) -> &Dsn {
        &self.inner.dsn
    }

    /// Waits for the session, opening it if it is not open (or was lost).
    /// Failing that, the server's reason, and the way out when it is full.
    pub async fn lock(&self) -> Result<Held<'_>, String> {
        let mut slot = self.inner.slot.lock().await;
        let had = slot.client.is_some();
        if slot.client.as_ref().is_some_and(Client::is_closed) {
            slot.client = None;
        }
        if slot.client.is_none() {
            slot.dirty = false;
            let client = connect(&self.inner.dsn).await.map_err(|e| {
                let lost = if had {
                    format!(
                        "opsdeck's session to {} was lost and a new one cannot be opened",
                        self.inner.target
                    )
                } else {
                    format!("cannot open a session to {}", self.inner.target)
                };
                format!("{}: {lost}: {e}", self.inner.dsn.describe())
            })?;
            slot.client = Some(client);
        }
        let mut held = Held { slot };
        if held.slot.dirty {
            held.batch_execute(&reset())
                .await
                .map_err(|e| self.inner.dsn.scrub(&super::describe(&e)))?;
            held.slot.dirty = false;
        }
        Ok(held)
    }
}
